"""Reads for the Safe School Label: the public register and verification, the criteria as published, the facts an
application's automatic check reads (selfeval's report of its campaign, its plan, its PAR cycle, its evidence),
and which applications each user sees. Permissions are checked again here for everything that is not public."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import rules
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from safeschool.selfeval import label as criteria_module
from safeschool.selfeval import questionnaire as questionnaires
from safeschool.selfeval import report as reports
from safeschool.web.accounts.rules import is_school_staff
from safeschool.web.cocreation.models import ParCycle
from safeschool.web.label.models import Application, Award, LabelLevel
from safeschool.web.label.rules import OPEN, is_label_reviewer
from safeschool.web.research.models import Country, School
from safeschool.web.selfeval.models import ActionPlan, Campaign
from safeschool.web.selfeval.selectors import responses_frame

VALID, EXPIRED, REVOKED, UNKNOWN = "valid", "expired", "revoked", "unknown"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed from paper
CODE_LENGTH = 12
REMIND_DAYS = 90
REVIEWS_NEEDED = 2  # two different reviewers per application, then a decision; a third is refused


@lru_cache(maxsize=2)
def criteria() -> criteria_module.Criteria:
    """The published criteria (read once per process: the packaged file does not change while the site runs)."""
    return criteria_module.load_criteria()


@lru_cache(maxsize=4)
def questionnaire(version: int | None = None) -> questionnaires.Questionnaire:
    """The questionnaire (loaded once per process: reading it with its translations takes about a second)."""
    return questionnaires.load(version)


def has(user, perm: str, obj=None) -> bool:
    """The rule itself, not Django's superuser shortcut: an administrator is not a reviewer or a school's staff."""
    return rules.has_perm(perm, user, obj)


# --- public: register and verification -----------------------------------------------------------------------

def current_awards(*, today: dt.date | None = None) -> QuerySet[Award]:
    today = today or timezone.localdate()
    return Award.objects.filter(revoked_at__isnull=True, awarded_on__lte=today, valid_until__gte=today)


def register(*, today: dt.date | None = None, country: str = "", level: str = "") -> QuerySet[Award]:
    """The schools holding a current award (expired and revoked ones have left), optionally one country's or one
    level's; newest first."""
    awards = current_awards(today=today).select_related("school", "school__country")
    if country:
        awards = awards.filter(school__country__code=country)
    if level in LabelLevel.values:
        awards = awards.filter(level=level)
    return awards.order_by("school__country__name", "school__name", "-awarded_on")


def register_countries(*, today: dt.date | None = None) -> QuerySet[Country]:
    """The countries with a labelled school (the register's filter offers only these)."""
    return Country.objects.filter(schools__label_awards__in=current_awards(today=today)).distinct().order_by("name")


def code_normalise(text: str) -> str:
    """A verification code as typed: case, spaces and dashes do not matter."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())[:40]


def verification(code: str, *, today: dt.date | None = None) -> tuple[str, Award | None]:
    """(status, award): VALID for a current award; EXPIRED or REVOKED say which; UNKNOWN for any other code."""
    today = today or timezone.localdate()
    code = code_normalise(code)
    award = (Award.objects.select_related("school", "school__country").filter(verification_code=code).first()
             if len(code) == CODE_LENGTH else None)
    if award is None:
        return UNKNOWN, None
    if award.revoked_at is not None:
        return REVOKED, award
    if not award.is_current(today):
        return EXPIRED, award
    return VALID, award


# --- applications --------------------------------------------------------------------------------------------

def applications_for(user) -> QuerySet[Application]:
    """Administrators: all; a school's staff: their schools'; reviewers: the ones they may review (not their
    schools', not their own) and the ones they reviewed; anyone else: none."""
    apps = Application.objects.select_related("school", "school__country", "campaign")
    if has(user, "label.view_all_applications"):
        return apps
    if not user.is_authenticated:
        return apps.none()
    mine = Q(pk__in=[])
    if has(user, "label.review_any"):
        mine |= (Q(status__in=OPEN) | Q(reviews__reviewer=user))
        mine &= ~Q(school__staff_appointments__user=user) & ~Q(submitted_by=user)
    if is_school_staff(user):
        mine |= Q(school__staff_appointments__user=user)
    return apps.filter(mine).distinct()


def application_for(pk: int, user) -> Application:
    application = Application.objects.select_related(
        "school", "school__country", "campaign", "action_plan", "par_cycle", "submitted_by", "renews").filter(
        pk=pk).first()
    if application is None:
        raise Application.DoesNotExist
    if not has(user, "label.view_application", application):
        raise PermissionDenied(_("You may not see this application."))
    return application


def apply_choices(school: School) -> dict:
    """What an application may rest on: the school's closed campaigns, action plans, PAR cycles, and its latest
    award (a renewal links it)."""
    return {
        "campaigns": Campaign.objects.filter(school=school, closed_at__isnull=False).order_by("-closed_at"),
        "plans": ActionPlan.objects.filter(school=school).order_by("-created_at"),
        "cycles": ParCycle.objects.filter(school=school).order_by("-started_at"),
        "award": Award.objects.filter(school=school, revoked_at__isnull=True).order_by("-valid_until").first(),
    }


def open_application(school: School) -> Application | None:
    return Application.objects.filter(school=school, status__in=OPEN).first()


# --- the facts of the automatic check ------------------------------------------------------------------------

def questionnaire_of(campaign: Campaign) -> questionnaires.Questionnaire:
    return questionnaire(campaign.questionnaire_version)


def _report(campaign: Campaign, questionnaire) -> dict:
    return reports.school_report(responses_frame(campaign, questionnaire), questionnaire)


def previous_campaign(campaign: Campaign) -> Campaign | None:
    return (Campaign.objects.filter(school_id=campaign.school_id, closed_at__isnull=False,
                                    questionnaire_version=campaign.questionnaire_version,
                                    closed_at__lt=campaign.closed_at or timezone.now())
            .exclude(pk=campaign.pk).order_by("-closed_at", "-pk").first())


def facts(*, campaign: Campaign, plan: ActionPlan | None, par_cycle: ParCycle | None, evidence=(),
          today: dt.date | None = None) -> dict:
    """The facts label.check reads (see safeschool.selfeval.label)."""
    questionnaire = questionnaire_of(campaign)
    previous = previous_campaign(campaign) if campaign.closed_at else None
    return {
        "report": _report(campaign, questionnaire) if campaign.closed_at else {},
        "previous": _report(previous, questionnaire) if previous else None,
        "evidence": set(evidence),
        "plan": {"status": plan.status, "goals": plan.goals.count()} if plan else None,
        "par": {"participating": par_cycle is not None,
                "finished": par_cycle is not None and par_cycle.finished_at is not None},
        "campaign": {"closed_on": timezone.localdate(campaign.closed_at)} if campaign.closed_at else None,
        "today": today or timezone.localdate(),
    }


def application_checks(*, level: str, campaign: Campaign, plan, par_cycle, evidence=(), today=None) -> dict:
    """The published criteria of `level` checked now: what Application.checks stores."""
    results = criteria_module.check(level, facts(campaign=campaign, plan=plan, par_cycle=par_cycle,
                                                 evidence=evidence, today=today), criteria())
    return {"criteria_version": criteria().version, "level": level,
            "checked_on": (today or timezone.localdate()).isoformat(), "results": results}


def reviewers_needed(application: Application) -> int:
    return max(0, REVIEWS_NEEDED - application.reviews.count())


def awards_to_remind(today: dt.date) -> QuerySet[Award]:
    """Current awards within REMIND_DAYS of their end, not yet reminded, and without an open renewal."""
    return (current_awards(today=today).filter(reminder_sent_on__isnull=True,
                                               valid_until__lte=today + dt.timedelta(days=REMIND_DAYS))
            .exclude(renewals__status__in=OPEN).select_related("school"))


def is_reviewer(user) -> bool:
    return is_label_reviewer(user)
