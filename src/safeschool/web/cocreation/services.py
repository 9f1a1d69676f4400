"""Writes for Delphi studies: set-up (rule fixed before round 1), panel, statements, rounds, ratings, reminders.
Every refusal is a ValidationError with a one-line reason; the database triggers back up the important ones."""

from __future__ import annotations

import rules
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.db.utils import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext

from safeschool.stats.delphi import DelphiError, Rule, Scale, records
from safeschool.web.cocreation.models import (
    DelphiStudy,
    Panellist,
    Rating,
    Round,
    Statement,
)
from safeschool.web.cocreation.selectors import results, round_statistics, rule_of
from safeschool.web.network.models import Member
from safeschool.web.network.rules import refusal


def _researcher(user) -> None:
    if not user.has_perm("cocreation.run_delphi"):
        raise PermissionDenied(gettext("Only researchers and administrators run Delphi studies."))


def clean_rule(rule: dict) -> dict:
    try:
        r = Rule(name=rule.get("name", "comet"), threshold=float(rule.get("threshold", 0.75)),
                 max_iqr=float(rule.get("max_iqr", 2.0)), rand_method=rule.get("rand_method", "ipras"),
                 by_group=bool(rule.get("by_group", False)))
    except (DelphiError, TypeError, ValueError) as exc:
        raise ValidationError({"rule": str(exc)}) from exc
    return {"name": r.name, "threshold": r.threshold, "max_iqr": r.max_iqr, "rand_method": r.rand_method,
            "by_group": r.by_group}


def study_create(*, user, title: str, rule: dict, scale: tuple[int, int] = (1, 9), description: str = "",
                 drop_settled: bool = True) -> DelphiStudy:
    _researcher(user)
    try:
        Scale(*scale)
    except DelphiError as exc:
        raise ValidationError({"scale": str(exc)}) from exc
    study = DelphiStudy(title=title, description=description, rule=clean_rule(rule), scale_min=scale[0],
                        scale_max=scale[1], drop_settled=drop_settled, created_by=user)
    study.full_clean()
    study.save()
    return study


def rule_change(*, user, study: DelphiStudy, rule: dict) -> DelphiStudy:
    _researcher(user)
    if study.rounds.exists():
        raise ValidationError(gettext("The consensus rule is fixed once round 1 has opened; it was set to: %(rule)s.") % {"rule": rule_of(study).describe()})
    study.rule = clean_rule(rule)
    study.save(update_fields=["rule"])
    return study


def panel_invite(*, user, study: DelphiStudy, members: list[Member]) -> int:
    """Invite members at participation level (c) or (d) with consent; others are refused by name."""
    _researcher(user)
    refused = [m.display_name for m in members if not rules.has_perm("network.join_delphi", m.user)]
    if refused:
        raise ValidationError(gettext("Not eligible for a Delphi panel (level (c) or (d) and consent needed): %(members)s") % {"members": ', '.join(refused[:5])})
    made = 0
    for m in members:
        _, created = Panellist.objects.get_or_create(study=study, member=m, defaults={"group": m.stakeholder_type})
        made += created
    return made


def statement_add(*, user, study: DelphiStudy, code: str, text: str, level: str,
                  from_comment: Rating | None = None) -> Statement:
    """A statement for the next round to open (e.g. one suggested in a panellist's comment)."""
    _researcher(user)
    current = study.current_round
    if current is not None and current.status == Round.Status.OPEN:
        raise ValidationError(gettext("Round %(number)s is open: add statements between rounds.") % {"number": current.number})
    statement = Statement(study=study, code=code.strip(), text=text.strip(), level=level,
                          added_in_round=(current.number + 1) if current else 1, from_comment=from_comment)
    statement.full_clean()
    statement.save()
    return statement


@transaction.atomic
def round_open(*, user, study: DelphiStudy) -> Round:
    _researcher(user)
    previous = study.current_round
    if previous is not None and previous.status == Round.Status.OPEN:
        raise ValidationError(gettext("Round %(number)s is still open: close it first.") % {"number": previous.number})
    if not study.panel.exists():
        raise ValidationError(gettext("Invite the panel before opening a round."))
    statements = list(study.statements.all())
    if previous is not None and study.drop_settled:
        table = results(study=study, number=previous.number)
        settled = set(table.loc[table["verdict"].isin(["in", "out"]), "statement"]) if len(table) else set()
        statements = [s for s in statements if s.code not in settled]
    if not statements:
        raise ValidationError(gettext("No statement left to rate: every statement has settled."))
    new = Round.objects.create(study=study, number=(previous.number + 1) if previous else 1)
    new.statements.set(statements)
    return new


@transaction.atomic
def round_close(*, user, round: Round) -> Round:
    """Close the round and store its statistics: a closed round never changes, so they are computed once."""
    _researcher(user)
    if round.status == Round.Status.CLOSED:
        raise ValidationError(gettext("Round %(number)s is already closed.") % {"number": round.number})
    Round.objects.filter(pk=round.pk).update(status=Round.Status.CLOSED, closed_at=timezone.now())
    table = round_statistics(study=round.study, number=round.number)
    Round.objects.filter(pk=round.pk).update(results=records(table))
    round.refresh_from_db()
    return round


def rating_submit(*, user, round: Round, statement: Statement, value: int, comment: str = "") -> Rating:
    member = getattr(user, "member", None)
    panellist = Panellist.objects.filter(study=round.study_id, member=member).first() if member else None
    if panellist is None:
        raise PermissionDenied(gettext("Only this study's panellists rate its statements."))
    if not rules.has_perm("cocreation.rate", user, round.study):  # consent withdrawn, a parent's missing, level below (c)
        raise PermissionDenied(gettext("You cannot rate now: %(reason)s (see My profile).") % {"reason": refusal(user, 'c')})
    if round.status != Round.Status.OPEN:
        raise ValidationError(gettext("Round %(number)s is closed: its ratings can no longer change.") % {"number": round.number})
    study = round.study
    if not isinstance(value, int) or not study.scale_min <= value <= study.scale_max:
        raise ValidationError({"value": gettext("Rate from %(scale_min)s to %(scale_max)s.") % {"scale_min": study.scale_min, "scale_max": study.scale_max}})
    if not round.statements.filter(pk=statement.pk).exists():
        raise ValidationError(gettext("Statement %(code)s is not rated in round %(number)s.") % {"code": statement.code, "number": round.number})
    try:
        with transaction.atomic():
            return Rating.objects.create(round=round, panellist=panellist, statement=statement, value=value,
                                         comment=comment.strip())
    except IntegrityError as exc:
        raise ValidationError(gettext("You have already rated %(code)s in round %(number)s; a rating is final for its round.") % {"code": statement.code, "number": round.number}) from exc
    except DatabaseError as exc:  # a trigger: the round closed meanwhile, or the value is off the scale
        raise ValidationError(str(exc).split("\n")[0]) from exc


def reminders_send(*, user, round: Round) -> int:
    """E-mail every panellist who has not rated all of the open round's statements and may still rate
    (cocreation.rate: level (c) or (d) with current consent); nobody who withdrew hears from the study again."""
    _researcher(user)
    if round.status != Round.Status.OPEN:
        raise ValidationError(gettext("Round %(number)s is closed: no reminders.") % {"number": round.number})
    needed = round.statements.count()
    done = dict(round.ratings.values_list("panellist").annotate(n=Count("id")))
    messages = []
    for p in round.study.panel.select_related("member__user"):
        if (done.get(p.pk, 0) < needed and p.member.user.email and p.member.user.is_active
                and rules.has_perm("cocreation.rate", p.member.user, round.study)):
            messages.append((f"Reminder: round {round.number} of '{round.study.title}'",
                             f"You have rated {done.get(p.pk, 0)} of {needed} statements in round {round.number}. "
                             "Your ratings count once you send them; thank you for taking part.",
                             settings.DEFAULT_FROM_EMAIL, [p.member.user.email]))
    return send_mass_mail(messages, fail_silently=False) if messages else 0


def member_ratings_erase(*, member: Member) -> int:
    """Erasure's part for Delphi (network/personal_data.py): the member's ratings in open rounds are deleted (the
    counts follow by trigger); those of closed rounds stay, because the database makes them immutable and the
    published results rest on them, tied to the now anonymous panellist. Returns how many were deleted."""
    return Rating.objects.filter(panellist__member=member, round__status=Round.Status.OPEN).delete()[1].get(
        Rating._meta.label, 0)
