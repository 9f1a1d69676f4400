from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save


class HubConfig(AppConfig):
    """The Hub depends on the network (members, levels, consents), never the other way round: the network does
    not know communities exist. The Hub keeps its own invariant, a community for every member's country, by
    listening to members being saved."""

    name = "safeschool.web.hub"
    label = "hub"
    verbose_name = "Hub"

    def ready(self):
        from safeschool.web.hub import receivers
        from safeschool.web.network.models import Member

        post_migrate.connect(receivers.communities_after_migrate, sender=self)
        post_save.connect(receivers.community_for_member, sender=Member, dispatch_uid="hub.community_for_member")
