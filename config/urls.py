from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from core import views as core_views
from core.views import mail_required
from reports import views as report_views
from reports.urls import cluster_urls, program_urls, report_urls

account_urls = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # the public password reset sends mail: 404 unless mail is configured (EMAIL_URL)
    path("password_reset/", mail_required(auth_views.PasswordResetView.as_view()), name="password_reset"),
    path("password_reset/done/", mail_required(auth_views.PasswordResetDoneView.as_view()), name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        mail_required(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path("reset/done/", mail_required(auth_views.PasswordResetCompleteView.as_view()), name="password_reset_complete"),
]

urlpatterns = [
    path("", report_views.dashboard, name="home"),
    path("", include(program_urls)),
    path("", include(cluster_urls)),
    path("", include(report_urls)),
    path("", include(("reports.urls_imports", "imports"))),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include(account_urls)),
    # the language switch works before login too (the login page has it)
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]
