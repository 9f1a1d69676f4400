"""The demo's Safe School Label, after its self-evaluation (safeschool.web.demo.selfeval): two labelled schools (a
Safe School, with its key practices evidenced, and a Committed School), each applied for by the school's leader,
reviewed by the demo researcher and a vetted network member at level (c) and decided by the demo administrator; and one
application for Committed School reviewed once, by the demo researcher, so it waits for a second reviewer. Through
the label services, which check the same rules as the pages (reviewers from outside the school, two per
application, decisions by administrators)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction

from safeschool.web.cocreation.models import ParCycle
from safeschool.web.demo.selfeval import demo_schools, school_leader
from safeschool.web.label import selectors, services
from safeschool.web.label.models import Application, LabelLevel, Recommendation
from safeschool.web.network.models import Member
from safeschool.web.selfeval.models import ActionPlan, Campaign

# (which demo school, level, statement, decided); the demo schools' order is safeschool.web.demo.selfeval's
APPLICATIONS = (
    (1, LabelLevel.SAFE, "Two self-evaluations a year apart, a plan against bullying that students wrote with us and "
                         "a peer-mentoring action research cycle: we would like the network to check where we stand.",
     True),
    (2, LabelLevel.COMMITTED, "We evaluated ourselves for the second time and made families our first priority; the "
                              "plan is under way and we want to be held to it.", True),
    (3, LabelLevel.COMMITTED, "Our first action plan, on restorative responses, is under way after last year's "
                              "self-evaluation.", False),
)
EVIDENCE = {  # the key practices' documents of the Safe School
    "written_safeguarding_policy": "Safeguarding policy, approved by the school board",
    "anti_bullying_programme": "Anti-bullying charter and programme plan",
    "early_warning_procedure": "Early-warning procedure for learners at risk",
    "alternatives_to_suspension": "Restorative alternatives to suspension: the school's procedure",
}


def demo_label_ensure() -> str | None:
    """Seed the label unless an application exists; a note for the person running the demo (None when nothing was
    made)."""
    if Application.objects.exists():
        return None
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["researcher", "admin"])}
    schools = demo_schools()
    if len(users) < 2 or len(schools) <= max(a[0] for a in APPLICATIONS):
        return None
    with transaction.atomic():
        _demo_member_vetted(users["admin"])
        made = []
        for index, level, statement, decided in APPLICATIONS:
            school = schools[index].school
            reviewers = [users["researcher"]] + ([_member_reviewer(school, users["admin"])] if decided else [])
            if None in reviewers or not _apply(school, level, statement, reviewers, users["admin"], decided):
                continue
            made.append(f"{school.name} ({level.label})" if decided else f"{school.name} under review")
    if not made:
        return None
    return "Safe School Label: " + "; ".join(made) + " (one review done, by the demo researcher)."


def _member_reviewer(school, admin):
    """A network member at level (c) or (d), other than the demo login, whom the administrator puts in the reviewer
    pool to review for the school."""
    for member in Member.objects.filter(level__in=["c", "d"], user__is_active=True).exclude(
            user__username="member").select_related("user").order_by("pk"):
        if member.user.appointments.filter(school=school).exists():
            continue
        services.reviewer_pool_add(user=admin, reviewer=member.user)
        if selectors.is_reviewer(member.user):
            return member.user
    return None


def _demo_member_vetted(admin) -> None:
    """The demo's member login (level c) is in the reviewer pool too, so the tour can open a review form as it."""
    demo = Member.objects.filter(user__username="member", level__in=["c", "d"]).select_related("user").first()
    if demo is not None:
        services.reviewer_pool_add(user=admin, reviewer=demo.user)


def _apply(school, level, statement, reviewers, admin, decided: bool) -> bool:
    leader = school_leader(school)
    campaign = Campaign.objects.filter(school=school, closed_at__isnull=False).order_by("-closed_at").first()
    if campaign is None:
        return False
    plan = ActionPlan.objects.filter(school=school, status="active").first()
    cycle = ParCycle.objects.filter(school=school).order_by("pk").first() if level == LabelLevel.SAFE else None
    application = services.application_submit(user=leader, school=school, level=level, campaign=campaign,
                                              statement=statement, action_plan=plan, par_cycle=cycle)
    if level == LabelLevel.SAFE:
        for indicator, description in EVIDENCE.items():
            services.evidence_upload(user=leader, application=application, indicator=indicator,
                                     description=description, file=ContentFile(_pdf(description),
                                                                                name=f"{indicator}.pdf"))
        application.refresh_from_db()
    met = {r["code"]: r["met"] for r in application.checks.get("results", [])}
    assessments = {code: "met" if ok else "partly" for code, ok in met.items()}
    all_met = all(met.values())
    for reviewer in reviewers:
        services.review_submit(
            user=reviewer, application=application, assessments=assessments,
            recommendation=Recommendation.AWARD if all_met else Recommendation.LOWER,
            comments="The self-evaluation results and the plan match the criteria; the evidence is clear."
            if all_met else "Most criteria are met; see the criteria marked partly met.")
    if decided:
        services.application_decide(user=admin, application=application, award=True, level=level,
                                    reasons="Both reviewers found every criterion of the level met.")
    return True


def _pdf(title: str) -> bytes:
    """A one-page PDF whose only text is the title (a stand-in for the school's document)."""
    text = title.replace("\\", "").replace("(", "").replace(")", "")
    stream = f"BT /F1 14 Tf 72 760 Td ({text}) Tj ET".encode("latin-1", "replace")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
