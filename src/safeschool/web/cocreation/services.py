"""Writes for Delphi studies: set-up (rule fixed before round 1), panel, statements, rounds, ratings, reminders.
Every refusal is a ValidationError with a one-line reason; the database triggers back up the important ones."""

from __future__ import annotations

import pandas as pd
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mass_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.db.utils import DatabaseError
from django.utils import timezone

from safeschool.stats.delphi import DelphiError, Rule, Scale, records, stats_from_counts
from safeschool.web.cocreation.models import (
    DelphiStudy,
    PairedChange,
    Panellist,
    Rating,
    RatingCount,
    Round,
    Statement,
)
from safeschool.web.network.models import Member


def _researcher(user) -> None:
    if not user.has_perm("cocreation.run_delphi"):
        raise PermissionDenied("Only researchers and administrators run Delphi studies.")


def clean_rule(rule: dict) -> dict:
    try:
        r = Rule(name=rule.get("name", "comet"), threshold=float(rule.get("threshold", 0.75)),
                 max_iqr=float(rule.get("max_iqr", 2.0)), rand_method=rule.get("rand_method", "ipras"),
                 by_group=bool(rule.get("by_group", False)))
    except (DelphiError, TypeError, ValueError) as exc:
        raise ValidationError({"rule": str(exc)}) from exc
    return {"name": r.name, "threshold": r.threshold, "max_iqr": r.max_iqr, "rand_method": r.rand_method,
            "by_group": r.by_group}


def rule_of(study: DelphiStudy) -> Rule:
    return Rule(**{k: v for k, v in study.rule.items()})


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
        raise ValidationError("The consensus rule is fixed once round 1 has opened; it was set to: "
                              f"{rule_of(study).describe()}.")
    study.rule = clean_rule(rule)
    study.save(update_fields=["rule"])
    return study


def panel_invite(*, user, study: DelphiStudy, members: list[Member]) -> int:
    """Invite members at participation level (c) or (d) with consent; others are refused by name."""
    _researcher(user)
    refused = [m.display_name for m in members if not m.user.has_perm("network.join_delphi")]
    if refused:
        raise ValidationError(f"Not eligible for a Delphi panel (level (c) or (d) and consent needed): "
                              f"{', '.join(refused[:5])}")
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
        raise ValidationError(f"Round {current.number} is open: add statements between rounds.")
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
        raise ValidationError(f"Round {previous.number} is still open: close it first.")
    if not study.panel.exists():
        raise ValidationError("Invite the panel before opening a round.")
    statements = list(study.statements.all())
    if previous is not None and study.drop_settled:
        table = results(study=study, number=previous.number)
        settled = set(table.loc[table["verdict"].isin(["in", "out"]), "statement"]) if len(table) else set()
        statements = [s for s in statements if s.code not in settled]
    if not statements:
        raise ValidationError("No statement left to rate: every statement has settled.")
    new = Round.objects.create(study=study, number=(previous.number + 1) if previous else 1)
    new.statements.set(statements)
    return new


@transaction.atomic
def round_close(*, user, round: Round) -> Round:
    """Close the round and store its statistics: a closed round never changes, so they are computed once."""
    _researcher(user)
    if round.status == Round.Status.CLOSED:
        raise ValidationError(f"Round {round.number} is already closed.")
    Round.objects.filter(pk=round.pk).update(status=Round.Status.CLOSED, closed_at=timezone.now())
    table = _compute(study=round.study, number=round.number)
    Round.objects.filter(pk=round.pk).update(results=records(table))
    round.refresh_from_db()
    return round


def rating_submit(*, user, round: Round, statement: Statement, value: int, comment: str = "") -> Rating:
    member = getattr(user, "member", None)
    panellist = Panellist.objects.filter(study=round.study_id, member=member).first() if member else None
    if panellist is None:
        raise PermissionDenied("Only this study's panellists rate its statements.")
    if round.status != Round.Status.OPEN:
        raise ValidationError(f"Round {round.number} is closed: its ratings can no longer change.")
    study = round.study
    if not isinstance(value, int) or not study.scale_min <= value <= study.scale_max:
        raise ValidationError({"value": f"Rate from {study.scale_min} to {study.scale_max}."})
    if not round.statements.filter(pk=statement.pk).exists():
        raise ValidationError(f"Statement {statement.code} is not rated in round {round.number}.")
    try:
        with transaction.atomic():
            return Rating.objects.create(round=round, panellist=panellist, statement=statement, value=value,
                                         comment=comment.strip())
    except IntegrityError as exc:
        raise ValidationError(f"You have already rated {statement.code} in round {round.number}; a rating is final "
                              "for its round.") from exc
    except DatabaseError as exc:  # a trigger: the round closed meanwhile, or the value is off the scale
        raise ValidationError(str(exc).split("\n")[0]) from exc


def ratings_frame(*, study: DelphiStudy, upto: int | None = None, since: int | None = None) -> pd.DataFrame:
    """All ratings as the (panellist, group, statement, round, rating) table stats.delphi reads: one SQL query
    read straight into columns (the ORM's per-row objects took most of a results page at 400,000 ratings)."""
    where, params = ["r.study_id = %s"], [study.pk]
    if upto is not None:
        where.append("r.number <= %s")
        params.append(upto)
    if since is not None:
        where.append("r.number >= %s")
        params.append(since)
    sql = ("SELECT t.panellist_id, p.group, s.code, r.number, t.value FROM cocreation_rating t "
           "JOIN cocreation_round r ON r.id = t.round_id JOIN cocreation_panellist p ON p.id = t.panellist_id "
           "JOIN cocreation_statement s ON s.id = t.statement_id WHERE " + " AND ".join(where))
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("p.group", 'p."group"'), params)
        rows = cursor.fetchall()
    return pd.DataFrame.from_records(rows, columns=["panellist", "group", "statement", "round", "rating"])


def results(*, study: DelphiStudy, number: int) -> pd.DataFrame:
    """Statistics for every statement of round `number` (with stability against the round before): stored for a
    closed round, computed live for the open one."""
    stored = Round.objects.filter(study=study, number=number).values_list("results", flat=True).first()
    if stored:
        return pd.DataFrame(stored)
    return _compute(study=study, number=number)


def _compute(*, study: DelphiStudy, number: int) -> pd.DataFrame:
    """A round's statistics from the counts the database triggers keep (RatingCount: per statement, group and
    rating; PairedChange: the changes from the previous round) — no rating is read
    (stats.delphi.stats_from_counts, tested equal to the row-level statistics)."""
    rounds = {r.number: r for r in Round.objects.filter(study=study, number__in=[number, number - 1])}
    if number not in rounds:
        return pd.DataFrame(columns=["statement", "round", "verdict"])
    codes = dict(study.statements.values_list("id", "code"))
    counts = _counts(rounds[number].pk, number, codes)
    if counts.empty:
        return pd.DataFrame(columns=["statement", "round", "verdict"])
    before = rounds.get(number - 1)
    previous = previous_iqr = differences = None
    if before is not None:
        if before.results:  # closed rounds keep their statistics: the previous IQRs come with them
            previous_iqr = {r["statement"]: r["iqr"] for r in before.results}
        else:
            previous = _counts(before.pk, number - 1, codes)
        differences = pd.DataFrame(
            [(codes[s], d, n) for s, d, n in PairedChange.objects.filter(round=rounds[number], n__gt=0)
             .values_list("statement_id", "d", "n")], columns=["statement", "d", "n"])
    return stats_from_counts(counts, differences, rule_of(study), Scale(study.scale_min, study.scale_max),
                             previous=previous, previous_iqr=previous_iqr)


def _counts(round_id: int, number: int, codes: dict[int, str]) -> pd.DataFrame:
    rows = [(codes[s], g, number, v, n) for s, g, v, n in RatingCount.objects.filter(round_id=round_id, n__gt=0)
            .values_list("statement_id", "group", "value", "n")]
    return pd.DataFrame(rows, columns=["statement", "group", "round", "value", "n"])


def reminders_send(*, user, round: Round) -> int:
    """E-mail every panellist who has not rated all of the open round's statements."""
    _researcher(user)
    if round.status != Round.Status.OPEN:
        raise ValidationError(f"Round {round.number} is closed: no reminders.")
    needed = round.statements.count()
    done = dict(round.ratings.values_list("panellist").annotate(n=Count("id")))
    messages = []
    for p in round.study.panel.select_related("member__user"):
        if done.get(p.pk, 0) < needed and p.member.user.email and p.member.user.is_active:
            messages.append((f"Reminder: round {round.number} of '{round.study.title}'",
                             f"You have rated {done.get(p.pk, 0)} of {needed} statements in round {round.number}. "
                             "Your ratings count once you send them; thank you for taking part.",
                             settings.DEFAULT_FROM_EMAIL, [p.member.user.email]))
    return send_mass_mail(messages, fail_silently=False) if messages else 0
