from django.apps import AppConfig


class KbConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "kb"
    verbose_name = "Knowledge base"

    def ready(self) -> None:
        from kb import generation
        from kb.models import signals  # noqa: F401  (registers the immutability guards)

        generation.connect()
