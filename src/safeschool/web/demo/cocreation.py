"""The demo's co-creation: a Delphi study in round 2, a set of interviews, action research cycles in a few schools,
all made through the co-creation services (ratings too, through the service a panellist's form calls)."""

from __future__ import annotations

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from safeschool.web.cocreation import fieldwork, services
from safeschool.web.cocreation.models import DelphiStudy, Interview, ParCycle
from safeschool.web.network.models import Member
from safeschool.web.research.models import School

STATEMENTS = [
    ("individual", "Every student has at least one adult at school they trust."),
    ("individual", "Students' sense of security is measured every year."),
    ("individual", "Students at risk get an individual plan within a month."),
    ("individual", "Students take part in decisions about their own support."),
    ("individual", "Grade repetition is avoided in favour of targeted support."),
    ("relational", "Teachers are trained in building secure teacher-student relationships."),
    ("relational", "Classes keep the same main teacher for at least two years."),
    ("relational", "Peer mentoring is offered to new students."),
    ("relational", "Conflict between teachers and students is handled with restorative practice."),
    ("relational", "Teachers get supervision for emotionally demanding work."),
    ("community", "Schools use alternatives to exclusion before any suspension."),
    ("community", "Families are invited to school at least once a term for reasons other than problems."),
    ("community", "Schools work with social care and youth services on shared cases."),
    ("community", "School climate is surveyed every year and the results are discussed with students."),
    ("community", "Attendance, behaviour and grades are monitored monthly to act early."),
    ("political", "Tracking into school types is postponed until at least age 15."),
    ("political", "National strategies against early leaving fund school-level prevention."),
    ("political", "Second-chance schools are available in every region."),
    ("political", "Teacher education includes attachment and inclusion in every programme."),
    ("political", "Schools in disadvantaged areas receive extra staff."),
]


def demo_cocreation_ensure(seed: int = 21) -> bool:
    """Made once, when the demo researcher and at least 20 eligible panellists exist; True when made now."""
    if DelphiStudy.objects.exists():
        return False
    User = get_user_model()
    researcher = User.objects.filter(username="researcher").first()
    if researcher is None:
        return False
    rng = random.Random(seed)
    pool = list(Member.objects.filter(level__in=["c", "d"], user__is_active=True).select_related("user"))
    demo_member = [m for m in pool if m.user.username == "member"]  # the demo login rates round 2 in the tour
    panel = demo_member + [m for m in pool if m.user.has_perm("network.join_delphi") and m not in demo_member][:59]
    if len(panel) < 20:
        return False
    study = services.study_create(user=researcher, title="Validating the Safe Education model",
                                  description="Which practices belong in the model? Rate each statement from 1 "
                                              "(not at all important) to 9 (essential).",
                                  rule={"name": "comet"}, drop_settled=True)
    services.panel_invite(user=researcher, study=study, members=panel)
    for i, (level, text) in enumerate(STATEMENTS, start=1):
        services.statement_add(user=researcher, study=study, code=f"S{i:02d}", text=text, level=level)
    centres = {f"S{i:02d}": rng.choice([8.2, 7.8, 7.0, 6.2, 5.0, 3.0]) for i in range(1, len(STATEMENTS) + 1)}
    panellists = list(study.panel.select_related("member__user"))

    def fill(round_, spread, share):
        statements = list(round_.statements.all())
        for p in panellists:
            if rng.random() > share or (round_.number == 2 and p.member.user.username == "member"):
                continue
            for s in statements:
                value = int(min(9, max(1, round(rng.gauss(centres[s.code], spread)))))
                comment = "Needs an example from practice." if value <= 4 and rng.random() < 0.1 else ""
                services.rating_submit(user=p.member.user, round=round_, statement=s, value=value, comment=comment)

    r1 = services.round_open(user=researcher, study=study)
    fill(r1, 1.6, 0.92)
    services.round_close(user=researcher, round=r1)
    services.statement_add(user=researcher, study=study, code="S21", level="community",
                           text="Schools share one worked example of each practice with the network.")
    centres["S21"] = 7.6
    r2 = services.round_open(user=researcher, study=study)
    fill(r2, 1.1, 0.55)  # round 2 is open and about half the panel has answered
    # interviews
    now = timezone.now()
    topics = ["What makes a student feel secure at school", "Families and school: being heard",
              "Alternatives to exclusion in practice", "Policy levers against early leaving",
              "Teacher wellbeing and relationships"]
    codes = [["secure base", "trust"], ["family voice", "trust"], ["restorative practice", "exclusion"],
             ["tracking", "funding"], ["teacher stress", "supervision"]]
    for i, member in enumerate(panel[:5]):
        interview = fieldwork.interview_schedule(user=researcher, interviewee=member, topic=topics[i],
                                                 scheduled_at=now - timedelta(days=10 - i), place="online")
        fieldwork.interview_consent(user=researcher, interview=interview, method="recorded_oral")
        fieldwork.interview_record(user=researcher, interview=interview, notes="Demo notes: main points summarised.")
        fieldwork.excerpt_code(user=researcher, interview=interview, text="Demo excerpt from the transcript.",
                               codes=codes[i])
    fieldwork.interview_schedule(user=researcher, interviewee=panel[5], topic="Youth justice and schools",
                                 scheduled_at=now + timedelta(days=7), place="Madrid")
    # PAR cycles in the demo staff member's school and two more
    staff = User.objects.filter(username="staff").first()
    own = School.objects.filter(staff_appointments__user=staff).first() if staff else None
    schools = ([own] if own else []) + list(School.objects.exclude(pk=getattr(own, "pk", None)).order_by("code")[:2])
    for school, phase in zip(schools, ["observe", "act", "plan"], strict=False):
        cycle = fieldwork.cycle_start(user=researcher, school=school, title="Morning check-in for every class",
                                      goal="Every student is greeted by name each morning; absences fall.")
        fieldwork.action_add(user=researcher, cycle=cycle, description="Form tutors greet students at the door")
        while cycle.phase != phase:
            cycle = fieldwork.cycle_advance(user=researcher, cycle=cycle)
        if phase == "observe":
            fieldwork.note_add(user=researcher, cycle=cycle, kind="evidence",
                               text="Week 6: late arrivals down from 11 to 7 a day.")
    return Interview.objects.exists() and ParCycle.objects.exists()
