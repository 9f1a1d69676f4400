"""What co-creation does when the network exports or erases a member's data (connected in apps.py;
network/personal_data.py)."""

from safeschool.web.cocreation import fieldwork, selectors, services


def member_export(sender, member, **kwargs) -> dict:
    return selectors.member_data(member=member)


def member_erase(sender, member, **kwargs) -> None:
    services.member_ratings_erase(member=member)
    fieldwork.member_interviews_erase(member=member)


