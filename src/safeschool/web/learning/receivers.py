"""What the learning app does when the network exports a member's data (connected in apps.py;
network/personal_data.py): the member's enrolments in the course's editions, with attendance, knowledge-check
scores, whether an evaluation was given and the certificate's code. Erasure keeps them with the anonymised account."""

from __future__ import annotations

from safeschool.web.learning.models import Enrolment


def member_export(sender, member, **kwargs) -> dict:
    rows = (Enrolment.objects.filter(user=member.user).select_related("edition", "edition__course")
            .prefetch_related("attendance", "knowledge_checks").order_by("pk"))
    out = []
    for e in rows:
        certificate = e.certificate if hasattr(e, "certificate") else None
        out.append({
            "course": e.edition.course.title, "edition": e.edition.title,
            "starts_on": e.edition.starts_on.isoformat(), "ends_on": e.edition.ends_on.isoformat(),
            "status": e.status, "enrolled_at": e.created_at.isoformat(),
            "sessions_attended": sum(a.present for a in e.attendance.all()),
            "knowledge_checks": {c.moment: f"{c.score}/{c.max_score}" for c in e.knowledge_checks.all()},
            "evaluated": hasattr(e, "evaluation"),
            "certificate": certificate.code if certificate else None,
        })
    return {"course_enrolments": out}
