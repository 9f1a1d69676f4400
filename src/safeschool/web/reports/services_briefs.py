"""Writes of policy briefs: researchers and administrators write a draft (its analysis, recommendations,
programmes and narrative) and publish it once it has key messages, a succeeded analysis and at least one
recommendation; a published brief never changes. Advocates (level d, current consent) endorse a published brief
once and may withdraw their endorsement; every download of a published brief is counted by the reader's country
only."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from safeschool.vocabulary import COUNTRIES
from safeschool.web.analysis.models import AnalysisRun
from safeschool.web.core.permissions import authorize
from safeschool.web.network.rules import member_of, refusal
from safeschool.web.reports import selectors_briefs as selectors
from safeschool.web.reports.models import Brief, BriefStatus, Download, Endorsement

COUNTRY_CODES = {code for code, _name in COUNTRIES}
FORMATS = ("pdf", "html")


def _text(value) -> str:
    return str(value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _clean(*, title, language, country, analysis, texts: dict, recommendations, programmes) -> dict:
    """Every field checked; ValidationError naming each field that is wrong. Returns the cleaned values."""
    errors: dict[str, str] = {}
    title = " ".join(_text(title).split())
    if not title:
        errors["title"] = gettext("Give the brief a title.")
    elif len(title) > selectors.TITLE_MAX:
        errors["title"] = gettext("The title is too long.")
    if language not in dict(settings.LANGUAGES):
        errors["language"] = gettext("Choose one of the site's languages.")
    country = _text(country).upper()
    if country and country not in COUNTRY_CODES:
        errors["country"] = gettext("Choose a country of the network, or none for the whole network.")
    if not isinstance(analysis, AnalysisRun) or not selectors.analyses_usable().filter(pk=analysis.pk).exists():
        errors["analysis"] = gettext("Choose an ecological decomposition or a MAIHDA analysis that succeeded.")
    clean_texts = {}
    for name in selectors.TEXT_FIELDS:
        text = _text(texts.get(name))
        if len(text) > selectors.TEXT_MAX[name]:
            errors[name] = gettext("This text is too long (at most %(n)s characters).") % {
                "n": selectors.TEXT_MAX[name]}
        elif "\x00" in text:
            errors[name] = gettext("This text contains a character that cannot be stored.")
        clean_texts[name] = text
    recommendations, programmes = list(recommendations or []), list(programmes or [])
    agreed = selectors.consensus()
    if any(s.pk not in agreed for s in recommendations):
        errors["recommendations"] = gettext("Recommend only Delphi statements that reached consensus in a closed "
                                            "round.")
    offered = set(selectors.programmes_offered().values_list("pk", flat=True))
    if any(p.pk not in offered for p in programmes):
        errors["programmes"] = gettext("Cite only signed-off programmes with strong or moderate evidence.")
    if errors:
        raise ValidationError(errors)
    return {"title": title, "language": language, "country": country, "analysis": analysis, **clean_texts,
            "recommendations": recommendations, "programmes": programmes}


def _slug(title: str) -> str:
    base = slugify(title)[:70].strip("-") or "brief"
    slug, n = base, 1
    while selectors.slug_taken(slug):
        n += 1
        slug = f"{base}-{n}"
    return slug


def brief_create(*, user, title: str, language: str, analysis: AnalysisRun, country: str = "",
                 key_messages: str = "", context: str = "", findings: str = "", implications: str = "",
                 limitations: str = "", recommendations=(), programmes=()) -> Brief:
    """A new draft brief (its address made from the title)."""
    authorize(user, selectors.MANAGE)
    data = _clean(title=title, language=language, country=country, analysis=analysis, recommendations=recommendations,
                  programmes=programmes, texts={"key_messages": key_messages, "context": context,
                                                "findings": findings, "implications": implications,
                                                "limitations": limitations})
    recommendations, programmes = data.pop("recommendations"), data.pop("programmes")
    for _attempt in range(3):  # two briefs of the same title at once: the second takes the next address
        try:
            with transaction.atomic():
                brief = Brief.objects.create(slug=_slug(data["title"]), created_by=user, **data)
                brief.recommendations.set(recommendations)
                brief.programmes.set(programmes)
                return brief
        except IntegrityError:
            continue
    raise ValidationError(gettext("Another brief was being made at the same time: try again."))


def _draft(brief: Brief) -> None:
    if brief.status != BriefStatus.DRAFT:
        raise ValidationError(gettext("A published brief never changes: write a new brief instead."))


def brief_update(*, user, brief: Brief, title: str, language: str, analysis: AnalysisRun, country: str = "",
                 key_messages: str = "", context: str = "", findings: str = "", implications: str = "",
                 limitations: str = "", recommendations=(), programmes=()) -> Brief:
    """A draft's every field (its address stays); a published brief is refused."""
    authorize(user, selectors.MANAGE)
    _draft(brief)
    data = _clean(title=title, language=language, country=country, analysis=analysis, recommendations=recommendations,
                  programmes=programmes, texts={"key_messages": key_messages, "context": context,
                                                "findings": findings, "implications": implications,
                                                "limitations": limitations})
    recommendations, programmes = data.pop("recommendations"), data.pop("programmes")
    with transaction.atomic():
        locked = Brief.objects.select_for_update().get(pk=brief.pk)
        _draft(locked)
        for name, value in data.items():
            setattr(locked, name, value)
        locked.save(update_fields=[*data, "updated_at"])
        locked.recommendations.set(recommendations)
        locked.programmes.set(programmes)
    return locked


def publish_problems(brief: Brief) -> list[str]:
    """What a draft still needs before it may be published (empty when it may)."""
    problems = []
    if not brief.key_messages.strip():
        problems.append(gettext("Write the key messages."))
    if not selectors.analyses_usable().filter(pk=brief.analysis_id).exists():
        problems.append(gettext("Choose an analysis that succeeded."))
    if not selectors.brief_recommendations(brief):
        problems.append(gettext("Choose at least one recommendation that reached consensus."))
    return problems


def brief_publish(*, user, brief: Brief) -> Brief:
    """Publish a draft (public from then on, and fixed). Publishing a published brief changes nothing."""
    authorize(user, selectors.MANAGE)
    with transaction.atomic():
        locked = Brief.objects.select_for_update().get(pk=brief.pk)
        if locked.status == BriefStatus.PUBLISHED:
            return locked
        problems = publish_problems(locked)
        if problems:
            raise ValidationError(problems)
        locked.status, locked.published_at = BriefStatus.PUBLISHED, timezone.now()
        locked.save(update_fields=["status", "published_at", "updated_at"])
    return locked


def endorse_refusal(user, brief: Brief) -> str:
    """Why `user` may not endorse `brief` now, in words ("" when they may)."""
    if selectors.may(user, selectors.ENDORSE, brief):
        return ""
    if brief.status != BriefStatus.PUBLISHED:
        return gettext("Only a published brief can be endorsed.")
    why = refusal(user, "d") or gettext("advocates (level d) with current consent endorse briefs")
    return gettext("You cannot endorse this brief: %(why)s. Change this on My profile.") % {"why": why}


def brief_endorse(*, user, brief: Brief) -> Endorsement:
    """The advocate's endorsement of a published brief (once)."""
    why = endorse_refusal(user, brief)
    if why:
        raise PermissionDenied(why)
    try:
        with transaction.atomic():
            return Endorsement.objects.create(brief=brief, member=member_of(user))
    except IntegrityError as exc:
        raise ValidationError(gettext("You have endorsed this brief already.")) from exc


def brief_endorsement_withdraw(*, user, brief: Brief) -> bool:
    """Take back one's own endorsement (possible whatever one's level or consent now); True when there was one."""
    member = member_of(user)
    if member is None:
        raise PermissionDenied(gettext("Only network members endorse briefs."))
    deleted, _ = Endorsement.objects.filter(brief=brief, member=member).delete()
    return bool(deleted)


def download_record(brief: Brief, fmt: str, user) -> Download | None:
    """Count one download of a published brief by its reader's country (a signed-in member's, else not known);
    a draft's downloads (its editors') are not reach and are not counted."""
    if fmt not in FORMATS:
        raise ValidationError(gettext("Unknown format."))
    if brief.status != BriefStatus.PUBLISHED:
        return None
    member = member_of(user)
    return Download.objects.create(brief=brief, format=fmt, country=member.country if member else "")
