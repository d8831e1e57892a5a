from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from core import views as core_views
from reports import views as report_views
from reports.urls import cluster_urls, program_urls, report_urls

urlpatterns = [
    path("", report_views.dashboard, name="home"),
    path("", include(program_urls)),
    path("", include(cluster_urls)),
    path("", include(report_urls)),
    path("", include(("reports.urls_imports", "imports"))),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    # the language switch works before login too (the login page has it)
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]
