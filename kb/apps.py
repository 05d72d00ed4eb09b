from django.apps import AppConfig


class KbConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "kb"
    verbose_name = "Knowledge base"

    def ready(self) -> None:
        from kb import generation
        from kb.models import signals  # noqa: F401  (registers the immutability guards)

        generation.connect()
        self._watch_partner_keys()

    @staticmethod
    def _watch_partner_keys() -> None:
        """Any saved or deleted key or partner ends every process's copy of the keys."""
        from django.db.models.signals import post_delete, post_save

        from accounts.models import Partner, PartnerAPIKey
        from kb.api.authentication import keys_changed

        for model in (Partner, PartnerAPIKey):
            uid = f"kb.api.keys:{model._meta.label_lower}"
            post_save.connect(keys_changed, sender=model, dispatch_uid=f"{uid}:save")
            post_delete.connect(keys_changed, sender=model, dispatch_uid=f"{uid}:delete")
