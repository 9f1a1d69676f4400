"""What the RECs app does when the network exports or erases a member's data (connected in apps.py;
network/personal_data.py): a member's place on a REC's staff list is exported, and on erasure the staff entry
stays (the professional contact the REC gave) without the link to the account."""

from __future__ import annotations

from safeschool.web.recs.models import RecStaff


def member_export(sender, member, **kwargs) -> dict:
    rows = RecStaff.objects.filter(member=member).select_related("rec").order_by("pk")
    return {"rec_staff": [{"rec": row.rec.name, "name": row.name, "role": row.role} for row in rows]}


def member_erase(sender, member, **kwargs) -> None:
    RecStaff.objects.filter(member=member).update(member=None)
