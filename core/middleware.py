"""Response headers that Django 5.2 does not set by itself."""

from django.conf import settings


class ContentSecurityPolicyMiddleware:
    """Send the strict CSP of DESIGN §6 on every response (no inline scripts anywhere)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


class LanguageCookieMiddleware:
    """Japanese unless the user chose English with the language switch (its cookie).

    Django's LocaleMiddleware would also follow the browser's Accept-Language header, so an
    English-language browser would silently get the English UI; Kakehashi's default is Japanese.
    URLs carry no language prefix (DESIGN §4).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch = response.headers.get("Vary", "")
        if "Cookie" not in patch:
            response.headers["Vary"] = f"{patch}, Cookie" if patch else "Cookie"
        return response


class HealthCheckMiddleware:
    """Answer ``/healthz`` before the session, authentication and login middleware run: with the
    database down, a probe that carries a session cookie would otherwise fail with a 500 while
    the session is loaded, instead of the health check's own 503. Placed right after
    SecurityMiddleware (whose HTTPS redirect exempts the path, SECURE_REDIRECT_EXEMPT)."""

    path = "/healthz"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == self.path:
            from .views import healthz

            return healthz(request)
        return self.get_response(request)


class CompressionMiddleware:
    """Django's GZipMiddleware (HTML, JSON and CSV — streamed CSV too) except for bodies that are
    compressed already (XLSX and ZIP are ZIP archives; images), which gzip would only make slower.

    BREACH: Django's middleware pads every gzip body with up to 100 random bytes (the "Heal the
    Breach" mitigation), and Django masks the CSRF token with a fresh random salt in every
    response, so the one secret pages carry never repeats byte for byte across responses.
    """

    SKIP = ("application/zip", "application/vnd.openxmlformats", "image/", "font/", "application/gzip")

    def __init__(self, get_response):
        from django.middleware.gzip import GZipMiddleware

        self.get_response = get_response
        self.gzip = GZipMiddleware(get_response)

    def __call__(self, request):
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith(self.SKIP):
            return response
        return self.gzip.process_response(request, response)
