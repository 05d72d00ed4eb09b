from django.apps import AppConfig


class KbConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "kb"
    verbose_name = "Knowledge base"

    def ready(self) -> None:
        from kb.models import publication, signals  # noqa: F401  (immutability guards)

        publication.connect()  # public and partner-access writes advance the database state
        from kb.webhooks import events  # noqa: F401  (webhooks follow the workflow's records)
