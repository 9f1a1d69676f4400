"""Reads of the state-of-the-art report: its versions as each role may see them, and the tables its figures are
generated from when a version is made (the partnership survey and needs analysis of a wave, the partnerships and
the platform's outcomes) — one row per response, respondent, partnership or student, never shown as such: only
the figures of safeschool.partnership, with their disclosure control, leave this module's callers."""

from __future__ import annotations

import pandas as pd
import rules
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from safeschool.web.core.permissions import authorize
from safeschool.web.recs import rules_report  # noqa: F401  (registers the permissions)
from safeschool.web.recs.models import (
    Meeting,
    NeedsResponse,
    Partnership,
    ReferralCount,
    StateReport,
    SurveyResponse,
    SurveyWave,
)
from safeschool.web.research import selectors as research
from safeschool.web.research.models import School, Student

TITLE_MAX = 200
NARRATIVE_MAX = 20_000
MANAGE, VIEW, VIEW_PUBLIC = "recs.manage_report", "recs.view_report", "recs.view_public_report"

# The narrative sections in the report's order, each written beside its figures (charts_report.SECTION_FIGURES).
SECTIONS = {
    "summary": _("Summary"),
    "collaboration": _("How schools and RECs work together"),
    "implementation": _("Problems of implementation"),
    "target_groups": _("The educational needs of target groups"),
    "training_needs": _("Training needs of staff"),
    "recommendations": _("Recommendations"),
}


def may(user, perm: str, report: StateReport | None = None) -> bool:
    return rules.has_perm(perm, user, report)


def report_list(*, user) -> QuerySet:
    """The versions `user` may read, newest first: every version for researchers and administrators, the published
    ones for everyone else."""
    reports = StateReport.objects.select_related("wave").order_by("-version")
    return reports if may(user, MANAGE) else reports.filter(published_at__isnull=False)


def published_list() -> QuerySet:
    return StateReport.objects.filter(published_at__isnull=False).order_by("-version")


def report_get(*, version: int, user, perm: str = VIEW) -> StateReport:
    """The version `version` if `user` holds `perm` on it. A version the user may not see at all is 404, as an
    unknown one (a draft's existence is not told); a managing action refused to someone who may read it is 403."""
    if perm == MANAGE:
        authorize(user, MANAGE)  # before the lookup: a member learns nothing of which versions exist
    report = StateReport.objects.select_related("wave", "created_by").filter(version=version).first()
    if report is None or not may(user, VIEW if perm == MANAGE else perm, report):
        raise Http404(gettext("No such version of the report."))
    if not may(user, perm, report):
        raise PermissionDenied(gettext("You do not have permission to change this report."))
    return report


def next_version() -> int:
    last = StateReport.objects.order_by("-version").values_list("version", flat=True).first()
    return (last or 0) + 1


def wave_list() -> QuerySet:
    return SurveyWave.objects.order_by("-opened_at", "-pk")


# ---------------------------------------------------------------------------------- the tables figures come from
def survey_frame(*, wave: SurveyWave) -> pd.DataFrame:
    """One row per response of `wave`: partnership, country, side, one column per item code, problems."""
    rows = []
    for r in SurveyResponse.objects.filter(wave=wave).select_related("partnership__school__country"):
        answers = {str(k): v for k, v in (r.answers or {}).items() if k not in ("partnership", "country", "side")}
        rows.append({"partnership": r.partnership_id, "country": r.partnership.school.country.code, "side": r.side,
                     "problems": list(r.problems or []), **answers})
    return pd.DataFrame(rows, columns=None if rows else ["partnership", "country", "side", "problems"])


def needs_frame(*, wave: SurveyWave) -> pd.DataFrame:
    """One row per needs respondent of `wave`: school, country, role, one column per topic code, formats."""
    rows = []
    for r in NeedsResponse.objects.filter(wave=wave).select_related("school__country"):
        needs = {str(k): v for k, v in (r.needs or {}).items() if k not in ("school", "country", "role", "formats")}
        rows.append({"school": r.school_id, "country": r.school.country.code, "role": r.role,
                     "formats": list(r.formats or []), **needs})
    return pd.DataFrame(rows, columns=None if rows else ["school", "country", "role", "formats"])


def partnership_frames() -> dict[str, pd.DataFrame]:
    """The tables of partnership_tables: schools (school, country, students enrolled), partnerships (partnership,
    school, since, ended_on, services), meetings (partnership, held_on) and referral counts (partnership, month,
    count)."""
    enrolled = dict(Student.objects.values_list("school_class__school").annotate(n=Count("pk")).values_list(
        "school_class__school", "n"))
    schools = pd.DataFrame([{"school": pk, "country": code, "students": enrolled.get(pk, 0)}
                            for pk, code in School.objects.values_list("pk", "country__code")],
                           columns=["school", "country", "students"])
    partnerships = pd.DataFrame([{"partnership": pk, "school": school, "since": since, "ended_on": ended,
                                  "services": list(services or [])} for pk, school, since, ended, services in
                                 Partnership.objects.values_list("pk", "school_id", "since", "ended_on", "services")],
                                columns=["partnership", "school", "since", "ended_on", "services"])
    meetings = pd.DataFrame(list(Meeting.objects.values_list("partnership_id", "held_on")),
                            columns=["partnership", "held_on"])
    referrals = pd.DataFrame(list(ReferralCount.objects.values_list("partnership_id", "month", "count")),
                             columns=["partnership", "month", "count"])
    return {"schools": schools, "partnerships": partnerships, "meetings": meetings, "referrals": referrals}


def partnership_year() -> int:
    """The latest calendar year with a meeting or a referral count recorded (else this year): the year the
    partnership figures describe."""
    dates = [d for d in (Meeting.objects.order_by("-held_on").values_list("held_on", flat=True).first(),
                         ReferralCount.objects.order_by("-month").values_list("month", flat=True).first()) if d]
    return max(dates).year if dates else timezone.now().year


def outcome_frame() -> tuple[pd.DataFrame, int | None]:
    """The platform's analysis frame at its latest wave (one row per student; `dropout`: left education by the
    last wave) and that wave's number; an empty frame and None when no outcomes are loaded."""
    waves = research.wave_numbers()
    for wave in reversed(waves):
        try:
            return research.analysis_frame(wave=wave), wave
        except (ValueError, KeyError):
            continue
    return pd.DataFrame(), None
