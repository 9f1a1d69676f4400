"""What the registry does when the network exports a member's data (connected in apps.py;
network/personal_data.py). Erasure keeps the co-producer credit, which then reads 'Former member' (PERSONAL_DATA),
so there is nothing to erase here."""

from safeschool.web.interventions import selectors_registry


def member_export(sender, member, **kwargs) -> dict:
    return selectors_registry.member_data(member=member)
