"""Writes for self-evaluation campaigns: open a campaign, issue one-use codes per informant group, take a
respondent's answers, close the campaign (its score rows are kept in `results`). Each service checks the
permission itself, whoever calls it (view, CLI, demo).

A code is 10 characters of an alphabet without look-alikes (no 0/O, 1/I/L), drawn with `secrets`: 31^10 ≈ 8·10^14
codes, so guessing one of a campaign's few thousand is hopeless (and the answer page throttles attempts per address).
Only its SHA-256 is stored. Answering marks the code used (a conditional UPDATE ... WHERE used_on IS NULL inside
the transaction that creates the Response) and nothing links the two: the Response has no reference to the code
and both carry only the day."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
import unicodedata

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safeschool.selfeval import questionnaire as questionnaires
from safeschool.selfeval import report
from safeschool.web.research.models import School
from safeschool.web.selfeval.models import AccessCode, Campaign, Response
from safeschool.web.selfeval.selectors import campaign_accepts, responses_frame

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud or copied from paper without doubt
CODE_LENGTH = 10
CODES_MAX = 2_000  # per call: a large school's students in one batch
TITLE_MAX = 200


class CodeRefused(ValidationError):
    """The code cannot answer: unknown, already used, or its campaign closed — deliberately not saying which."""


def _require(user, perm: str, obj=None, message: str = "") -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(message or _("You may not do this."))


def code_refused() -> CodeRefused:
    return CodeRefused(_("This code cannot be used: check it, or ask your school for a new one."), code="code")


# --- codes ---------------------------------------------------------------------------------------------------

def code_normalise(text: str) -> str:
    """The 10 characters of a code as typed: any case, spaces and dashes ignored (full-width forms folded)."""
    text = unicodedata.normalize("NFKC", str(text or ""))[:64].upper()
    return "".join(ch for ch in text if ch not in " -_.\t\u00a0")


def code_hash(text: str) -> str:
    return hashlib.sha256(code_normalise(text).encode("ascii", "replace")).hexdigest()


def code_format(plain: str) -> str:
    """XXXX-XXXX-XX, easier to read and type than ten characters in a row."""
    return f"{plain[:4]}-{plain[4:8]}-{plain[8:]}"


def _code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


# --- campaigns -----------------------------------------------------------------------------------------------

def campaign_open(user, school: School, title: str, informants, closes_on: dt.date | None = None) -> Campaign:
    """A new open campaign of the school for the chosen informant groups (staff of that school only)."""
    _require(user, "selfeval.run_campaign", school, _("Only the school's own staff open its campaigns."))
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Give the campaign a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("The title is too long (at most %(n)s characters).") % {"n": TITLE_MAX}
    chosen = list(dict.fromkeys(informants or ()))
    if not chosen:
        errors["informants"] = _("Choose at least one group to ask.")
    elif any(i not in questionnaires.INFORMANTS for i in chosen):
        errors["informants"] = _("Choose the groups from the list.")
    if closes_on is not None and closes_on < timezone.localdate():
        errors["closes_on"] = _("The closing date cannot be in the past.")
    if errors:
        raise ValidationError(errors)
    chosen = [i for i in questionnaires.INFORMANTS if i in chosen]  # the questionnaire's order
    return Campaign.objects.create(school=school, title=title, informants=chosen, closes_on=closes_on,
                                   questionnaire_version=questionnaires.load().version, opened_by=user)


def codes_issue(user, campaign: Campaign, informant: str, count: int) -> list[str]:
    """`count` new one-use codes for one group of an open campaign, formatted XXXX-XXXX-XX. The plain codes exist
    only in the returned list: show them once; the database keeps their SHA-256."""
    _require(user, "selfeval.run_campaign", campaign.school, _("Only the school's own staff issue its codes."))
    if not campaign.is_open:
        raise ValidationError(_("This campaign is closed: no more codes can be issued."))
    if informant not in campaign.informants:
        raise ValidationError({"informant": _("This group is not part of the campaign.")})
    try:
        count = int(count)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"count": _("The number of codes must be a whole number.")}) from exc
    if not 1 <= count <= CODES_MAX:
        raise ValidationError({"count": _("Issue between 1 and %(max)s codes at a time.") % {"max": f"{CODES_MAX:,}"}})
    plain: set[str] = set()
    while len(plain) < count:
        batch = {_code_new() for _ in range(count - len(plain))}
        taken = set(AccessCode.objects.filter(code_hash__in=[code_hash(c) for c in batch])
                    .values_list("code_hash", flat=True))
        plain |= {c for c in batch if code_hash(c) not in taken}
    codes = sorted(plain)
    now = timezone.now()
    with transaction.atomic():
        AccessCode.objects.bulk_create(
            [AccessCode(campaign=campaign, informant=informant, code_hash=code_hash(c), issued_at=now) for c in codes],
            batch_size=500)
    return [code_format(c) for c in codes]


def campaign_close(user, campaign: Campaign) -> Campaign:
    """Close an open campaign: no more answers or codes; its score rows (groups below their threshold suppressed)
    are written to `results` for reports and peers' comparisons."""
    _require(user, "selfeval.run_campaign", campaign.school, _("Only the school's own staff close its campaigns."))
    questionnaire = questionnaires.load()
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().select_related("school").get(pk=campaign.pk)
        if not campaign.is_open:
            raise ValidationError(_("This campaign is already closed."))
        campaign.results = result_rows(responses_frame(campaign), questionnaire)
        campaign.closed_at = timezone.now()
        campaign.save(update_fields=["results", "closed_at"])
    return campaign


def result_rows(frame, questionnaire) -> list[dict]:
    """What `Campaign.results` keeps: `report.results_rows` (dimension, subdimension and indicator rows per group,
    each group below its own threshold suppressed), JSON-safe."""
    return _clean(report.results_rows(frame, questionnaire)) if not frame.empty else []


def _clean(rows: list[dict]) -> list[dict]:
    """JSON-safe rows: NaN as None (a JSON field refuses NaN)."""
    return [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()} for row in rows]


# --- answering -----------------------------------------------------------------------------------------------

def _code_row(digest: str):
    """(campaign, informant) of the code when it can still answer, else None."""
    row = (AccessCode.objects.filter(code_hash=digest, used_on__isnull=True)
           .select_related("campaign").only("informant", "campaign").first())
    if row is None or not campaign_accepts(row.campaign):
        return None
    return row.campaign, row.informant


def code_check(code: str) -> tuple[Campaign, str]:
    """The campaign and group a code answers for; CodeRefused (one message for unknown, used or closed)."""
    plain = code_normalise(code)
    if len(plain) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in plain):
        raise code_refused()
    found = _code_row(code_hash(plain))
    if found is None:
        raise code_refused()
    return found


def answers_clean(answers: dict, questionnaire, informant: str) -> dict[str, float]:
    """The answers as numbers, checked against the questionnaire for the group: every key an indicator asked of
    it, a Likert point on its scale, yes/no as 1/0, a figure in its range; blanks are 'not answered'. A
    ValidationError maps each bad indicator to one line naming its question."""
    asked = {code: ind for code, ind in questionnaire.indicators.items() if informant in ind.informants}
    numbers = {code: i for i, code in enumerate(asked, start=1)}
    clean, errors = {}, {}
    for code, value in (answers or {}).items():
        if code not in asked:
            errors.setdefault("__all__", _("An answer was sent for a question that is not asked of this group."))
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        ind, n = asked[code], numbers[code]
        if ind.type == "yes_no" and isinstance(value, str) and value.strip().lower() in ("yes", "no"):
            value = 1 if value.strip().lower() == "yes" else 0
        try:
            x = float(value)
        except (TypeError, ValueError, OverflowError):  # OverflowError: an int beyond float's range
            x = math.nan
        if math.isinf(x):  # "Infinity", "1e400": refused as not a number (int(inf) would raise)
            x = math.nan
        if ind.type == "likert":
            low, high = ind.scale
            if math.isnan(x) or x != int(x) or not low <= x <= high:
                errors[code] = _("Question %(n)s: choose one point from %(low)s to %(high)s.") % {
                    "n": n, "low": low, "high": high}
                continue
        elif ind.type == "yes_no":
            if x not in (0.0, 1.0):
                errors[code] = _("Question %(n)s: answer yes or no.") % {"n": n}
                continue
        elif math.isnan(x) or math.isinf(x) or not ind.figure.min <= x <= ind.figure.max:
            errors[code] = _("Question %(n)s: enter a number from %(low)s to %(high)s.") % {
                "n": n, "low": f"{ind.figure.min:g}", "high": f"{ind.figure.max:g}"}
            continue
        clean[code] = int(x) if ind.type != "figure" else x
    if errors:
        raise ValidationError(errors)
    if not clean:
        raise ValidationError(_("Answer at least one question before sending."))
    return clean


def response_submit(code: str, answers: dict, language: str = "en") -> Response:
    """Record one respondent's answers with a code that can still answer. The code is marked used by a
    conditional UPDATE in the same transaction, so of two simultaneous submissions only one is recorded; an
    unknown, used or closed code is the same CodeRefused. Invalid answers change nothing."""
    campaign, informant = code_check(code)
    questionnaire = questionnaires.load()
    clean = answers_clean(answers, questionnaire, informant)
    language = (language or "en")[:10]
    today = timezone.localdate()
    with transaction.atomic():
        used = (AccessCode.objects.filter(code_hash=code_hash(code), used_on__isnull=True, campaign=campaign,
                                          campaign__closed_at__isnull=True).update(used_on=today))
        if used != 1:
            raise code_refused()
        return Response.objects.create(campaign=campaign, informant=informant, language=language, answers=clean,
                                       submitted_on=today)
