from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Kakehashi core"

    def ready(self):
        from . import history  # noqa: F401  (connects the data-version signal)
