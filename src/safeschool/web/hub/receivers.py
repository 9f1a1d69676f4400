"""What the Hub does when something happens elsewhere (connected in apps.py): the communities exist once the
tables do, and a member's country has its community as soon as a member from there is saved."""

from django.db import connections

from safeschool.web.hub import selectors, services
from safeschool.web.hub.models import Community


def communities_after_migrate(sender, using="default", **kwargs) -> None:
    """Made after every `migrate` (and after a test database is flushed), never when a page is viewed."""
    if Community._meta.db_table in connections[using].introspection.table_names():
        services.communities_ensure()


def community_for_member(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """Joining, moving to another country (a service, the admin or the demo) makes that country's community."""
    if raw or (update_fields is not None and "country" not in update_fields):
        return
    services.community_for_country(instance.country)


def member_export(sender, member, **kwargs) -> dict:
    """The Hub's part of "Download all my data" (network/personal_data.py)."""
    return selectors.member_data(member=member)


def member_erase(sender, member, **kwargs) -> None:
    """The Hub's part of "Erase my account", inside the network's erasure transaction."""
    services.member_data_erase(member=member)
