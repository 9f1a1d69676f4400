from django.apps import AppConfig
from django.db.models.signals import post_migrate


class NetworkConfig(AppConfig):
    name = "safeschool.web.network"
    label = "network"
    verbose_name = "Stakeholder network"

    def ready(self):
        from safeschool.web.network import receivers

        post_migrate.connect(receivers.consent_texts_after_migrate, sender=self)
