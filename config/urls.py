from django.contrib import admin
from django.urls import include, path

from core import views as core_views
from reports import views as report_views

urlpatterns = [
    path("", report_views.dashboard, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
