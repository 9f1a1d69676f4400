from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save


class HubConfig(AppConfig):
    """The Hub depends on the network (members, levels, consents), never the other way round: the network does
    not know communities exist. The Hub keeps its own invariant, a community for every member's country, by
    listening to members being saved; it exports and erases its part of a member's data when the network asks
(network/personal_data.py)."""

    name = "safeschool.web.hub"
    label = "hub"
    verbose_name = "Hub"

    def ready(self):
        from safeschool.web.core import formatting
        from safeschool.web.hub import receivers
        from safeschool.web.hub.models import Tier
        from safeschool.web.network import personal_data
        from safeschool.web.network.models import Member

        post_migrate.connect(receivers.communities_after_migrate, sender=self)
        post_save.connect(receivers.community_for_member, sender=Member, dispatch_uid="hub.community_for_member")
        personal_data.member_export.connect(receivers.member_export, dispatch_uid="hub.member_export")
        personal_data.member_erase.connect(receivers.member_erase, dispatch_uid="hub.member_erase")
        formatting.register("tier", Tier.choices)
