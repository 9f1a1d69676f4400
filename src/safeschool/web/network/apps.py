from django.apps import AppConfig
from django.db.models.signals import post_migrate


class NetworkConfig(AppConfig):
    name = "safeschool.web.network"
    label = "network"
    verbose_name = "Stakeholder network"

    def ready(self):
        from safeschool.web.core import formatting
        from safeschool.web.network import receivers
        from safeschool.web.network.models import Level, Sector, StakeholderType, Topic

        # the labels the formatting layer shows for these codes (`{{ code|label:"stakeholder_type" }}`)
        formatting.register("stakeholder_type", StakeholderType.choices)
        formatting.register("participation_level", Level.choices)
        formatting.register("sector", Sector.choices)
        formatting.register("topic", Topic.choices)
        post_migrate.connect(receivers.consent_texts_after_migrate, sender=self)
