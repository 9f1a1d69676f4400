from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


class NetworkConfig(AppConfig):
    name = "safeschool.web.network"
    label = "network"
    verbose_name = "Stakeholder network"

    def ready(self):
        post_migrate.connect(_communities, sender=self)


def _communities(sender, using="default", **kwargs):
    """The Hub's communities (one per topic, the first countries, members' countries) exist once the tables do:
    made here, after every `migrate` (and after a test database is flushed), not when a page is viewed."""
    from safeschool.web.network import hub
    from safeschool.web.network.models import Community

    if Community._meta.db_table in connections[using].introspection.table_names():
        hub.communities_ensure()
