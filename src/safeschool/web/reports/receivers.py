"""What the reports app does when the network exports or erases a member's data (connected in apps.py;
network/personal_data.py): a member's endorsements of policy briefs are exported, and erased with them."""

from __future__ import annotations

from safeschool.web.reports.models import Endorsement


def member_export(sender, member, **kwargs) -> dict:
    rows = Endorsement.objects.filter(member=member).select_related("brief").order_by("pk")
    return {"brief_endorsements": [{"brief": row.brief.title, "endorsed_at": row.endorsed_at.isoformat()}
                                   for row in rows]}


def member_erase(sender, member, **kwargs) -> None:
    Endorsement.objects.filter(member=member).delete()
