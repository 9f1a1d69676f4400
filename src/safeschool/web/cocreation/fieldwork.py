"""Writes for stakeholder interviews and participatory action research cycles."""

from __future__ import annotations

from functools import partial

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from safeschool.web.cocreation.models import Code, Excerpt, Interview, ParAction, ParCycle, ParNote
from safeschool.web.cocreation.rules import is_research_team
from safeschool.web.network.models import Member
from safeschool.web.network.rules import refusal

MAX_TRANSCRIPT = 20 * 1024 * 1024
TRANSCRIPT_TYPES = (".txt", ".docx", ".odt", ".pdf")


def _team(user) -> None:
    if not user.has_perm("cocreation.run_interviews"):
        raise PermissionDenied(gettext("Interviews are for the research team only."))


def _interviewee_takes_part(user, interviewee: Member) -> None:
    """cocreation.interview_member: nothing is scheduled, recorded or coded for a member who withdrew their consent
    or left level (c)/(d); what was recorded before stays until they erase their account."""
    _team(user)
    if not rules.has_perm("cocreation.interview_member", user, interviewee):
        raise ValidationError(gettext("%(display_name)s cannot be interviewed now: %(reason)s.") % {"display_name": interviewee.display_name, "reason": refusal(interviewee.user, 'c')})


def interview_schedule(*, user, interviewee: Member, topic: str, scheduled_at, place: str = "") -> Interview:
    _interviewee_takes_part(user, interviewee)
    interview = Interview(topic=topic, interviewee=interviewee, group=interviewee.stakeholder_type,
                          country=interviewee.country, interviewer=user, scheduled_at=scheduled_at, place=place)
    interview.full_clean()
    interview.save()
    return interview


def interview_consent(*, user, interview: Interview, method: str) -> Interview:
    _interviewee_takes_part(user, interview.interviewee)
    if method not in dict(Interview._meta.get_field("consent_method").choices):
        raise ValidationError({"consent_method": gettext("Choose how consent was given.")})
    interview.consent_at, interview.consent_method = timezone.now(), method
    interview.save(update_fields=["consent_at", "consent_method"])
    return interview


def interview_record(*, user, interview: Interview, notes: str | None = None, transcript=None) -> Interview:
    _interviewee_takes_part(user, interview.interviewee)
    if interview.consent_at is None:
        raise ValidationError(gettext("Record the interviewee's consent before notes or a transcript."))
    if transcript is not None:
        if transcript.size > MAX_TRANSCRIPT:
            raise ValidationError({"transcript": gettext("%(name)s is over 20 MB.") % {"name": transcript.name}})
        if not transcript.name.lower().endswith(TRANSCRIPT_TYPES):
            raise ValidationError({"transcript": gettext("%(name)s: use %(types)s.") % {"name": transcript.name, "types": ', '.join(TRANSCRIPT_TYPES)}})
        interview.transcript = transcript
    if notes is not None:
        interview.notes = notes
    interview.status = Interview.Status.DONE
    interview.full_clean()
    interview.save()
    return interview


def excerpt_code(*, user, interview: Interview, text: str, codes: list[str]) -> Excerpt:
    """An excerpt of the interview with one or more thematic codes (new codes join the codebook)."""
    _interviewee_takes_part(user, interview.interviewee)
    if interview.consent_at is None:
        raise ValidationError(gettext("Record the interviewee's consent before coding the interview."))
    names = [c.strip() for c in codes if c.strip()]
    if not text.strip() or not names:
        raise ValidationError(gettext("An excerpt needs its text and at least one code."))
    excerpt = Excerpt.objects.create(interview=interview, text=text.strip(), created_by=user)
    excerpt.codes.set([Code.objects.get_or_create(name=n)[0] for n in names])
    return excerpt


# ----------------------------------------------------------------------------------------------------- PAR
def _guard(user, cycle: ParCycle) -> None:
    if not user.has_perm("cocreation.work_on_par_cycle", cycle):
        raise PermissionDenied(gettext("Only this school's staff and the cycle's researchers work on it."))


def cycle_start(*, user, school, title: str, goal: str, researchers=()) -> ParCycle:
    if not user.has_perm("cocreation.start_par_cycle", school):
        raise PermissionDenied(gettext("A school's staff or a researcher starts its action research cycles."))
    cycle = ParCycle(school=school, title=title, goal=goal)
    cycle.full_clean()
    cycle.save()
    linked = list(researchers)
    if is_research_team(user):  # a researcher who starts a cycle works on it
        linked.append(user)
    cycle.researchers.set(linked)
    return cycle


def cycle_advance(*, user, cycle: ParCycle) -> ParCycle:
    """plan -> act -> observe -> reflect; a reflected cycle is finished (start the next one)."""
    _guard(user, cycle)
    if cycle.finished_at:
        raise ValidationError(gettext("This cycle is finished: start the next one."))
    phases = ParCycle.PHASES
    if cycle.phase == "plan" and not cycle.actions.exists():
        raise ValidationError(gettext("Plan at least one action before acting."))
    if cycle.phase == "reflect":
        if not cycle.notes.filter(kind=ParNote.Kind.REFLECTION).exists():
            raise ValidationError(gettext("Write the reflection before finishing the cycle."))
        cycle.finished_at = timezone.now()
    else:
        cycle.phase = phases[phases.index(cycle.phase) + 1]
    cycle.save(update_fields=["phase", "finished_at"])
    return cycle


def action_add(*, user, cycle: ParCycle, description: str, practice=None, due=None) -> ParAction:
    _guard(user, cycle)
    if cycle.phase not in ("plan", "act"):
        raise ValidationError(gettext("Actions are planned in the plan and act phases."))
    action = ParAction(cycle=cycle, description=description, practice=practice, due=due)
    action.full_clean()
    action.save()
    return action


def note_add(*, user, cycle: ParCycle, kind: str, text: str) -> ParNote:
    _guard(user, cycle)
    if kind == ParNote.Kind.REFLECTION and cycle.phase != "reflect":
        raise ValidationError(gettext("Reflections belong to the reflect phase."))
    note = ParNote(cycle=cycle, phase=cycle.phase, kind=kind, text=text, author=user)
    note.full_clean()
    note.save()
    return note


def member_interviews_erase(*, member: Member) -> None:
    """Erasure's part for interviews (network/personal_data.py): the interviews stay as a record of fieldwork done;
    notes, place and country are blanked, the coded excerpts deleted, and the transcript files deleted from storage
    once the erasure commits (a rolled-back erasure keeps them)."""
    interviews = Interview.objects.filter(interviewee=member)
    storage = Interview._meta.get_field("transcript").storage
    files = [name for name in interviews.exclude(transcript="").values_list("transcript", flat=True)]
    Excerpt.objects.filter(interview__interviewee=member).delete()
    interviews.update(notes="", transcript="", place="", country="")
    for name in files:
        transaction.on_commit(partial(storage.delete, name))
