"""What co-creation does when the network exports or erases a member's data (connected in apps.py;
network/personal_data.py)."""

from safeschool.web.cocreation import fieldwork, services
from safeschool.web.network.models import Member


def member_export(sender, member, **kwargs) -> dict:
    return member_data(member=member)


def member_erase(sender, member, **kwargs) -> None:
    services.member_ratings_erase(member=member)
    fieldwork.member_interviews_erase(member=member)



# a read: it belongs in selectors.py, where it moves once the disclosure work there is committed
def member_data(*, member: Member) -> dict:
    """Everything co-creation holds about a member, for "Download all my data" (network/personal_data.py): each
    Delphi panel with the member's ratings and comments, and each interview with its notes, transcript and
    coded excerpts."""
    def at(value):
        return value.isoformat() if value else None

    panels = member.delphi_panels.select_related("study")
    interviews = member.interviews.prefetch_related("excerpts__codes")
    return {
        "delphi": [{"study": p.study.title, "group": p.group, "invited_at": at(p.invited_at),
                    "ratings": [{"round": r.round.number, "statement": r.statement.code, "value": r.value,
                                 "comment": r.comment, "created_at": at(r.created_at)}
                                for r in p.ratings.select_related("round", "statement").order_by("round__number",
                                                                                                   "statement__code")]}
                   for p in panels],
        "interviews": [{"topic": i.topic, "group": i.group, "country": i.country, "scheduled_at": at(i.scheduled_at),
                        "place": i.place, "status": i.status, "consent_at": at(i.consent_at),
                        "consent_method": i.consent_method, "notes": i.notes, "transcript": i.transcript.name,
                        "excerpts": [{"text": e.text, "codes": [c.name for c in e.codes.all()]}
                                     for e in i.excerpts.all()]}
                       for i in interviews],
    }
