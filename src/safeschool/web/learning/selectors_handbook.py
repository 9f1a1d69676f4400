"""Reads of the handbook: the published versions (everyone), drafts (researchers and administrators only), its
chapters rendered from Markdown safely (raw HTML is escaped, unsafe link schemes are dropped) and the case studies
and packs each chapter draws on (published ones only)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.http import Http404
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

from safeschool.web.accounts.rules import is_admin, is_researcher
from safeschool.web.learning.models import CONTENT_LANGUAGES, Chapter, Handbook
from safeschool.web.learning.selectors_site import url_or_none
from safeschool.web.recs.charts_report import section_figures
from safeschool.web.recs.models import StateReport

LANGUAGE_NAMES = dict(CONTENT_LANGUAGES)
_MD = MarkdownIt("commonmark", {"html": False})


def may_edit(user) -> bool:
    return bool(user.is_authenticated and (is_researcher(user) or is_admin(user)))


def markdown_html(text: str) -> str:
    """The chapter's Markdown as HTML: raw HTML in it is shown as text, javascript:/data: links are not links."""
    html = _MD.render(text or "")  # markdown-it escapes raw HTML ({"html": False}): only its own tags remain
    # the chapter's own headings sit under its title (h2): # becomes h3, ## h4 …
    html = re.sub(r"<(/?)h([1-6])>", lambda m: f"<{m[1]}h{min(int(m[2]) + 2, 6)}>", html)
    return mark_safe(html)  # noqa: S308


@dataclass(frozen=True)
class Box:
    """A case study or pack a chapter draws on, as a boxed summary with its link."""

    kind: str  # "case" or "pack"
    title: str
    summary: str
    url: str | None


@dataclass(frozen=True)
class ChapterView:
    number: int
    anchor: str
    title: str
    body: str  # Markdown
    html: str
    boxes: list[Box]


def published():
    return Handbook.objects.filter(published_at__isnull=False)


def latest_published(language: str) -> Handbook | None:
    """The newest published version in `language`, else in English, else in any language."""
    for qs in (published().filter(language=language), published().filter(language="en"), published()):
        found = qs.order_by("-version").first()
        if found is not None:
            return found
    return None


def handbook_get(*, version: int, language: str, user) -> Handbook:
    """A published version; a draft only for its editors (others get 404, as if it did not exist)."""
    qs = Handbook.objects.all() if may_edit(user) else published()
    found = qs.filter(version=version, language=language).first()
    if found is None:
        raise Http404
    return found


def translations(handbook: Handbook, *, user) -> list[tuple[str, str, bool]]:
    """(code, name, is_this_one) for the language versions of the same version number the user may read."""
    qs = Handbook.objects.all() if may_edit(user) else published()
    codes = qs.filter(version=handbook.version).order_by("language").values_list("language", flat=True)
    return [(code, LANGUAGE_NAMES.get(code, code), code == handbook.language) for code in codes]


def chapters(handbook: Handbook) -> list[ChapterView]:
    rows = (Chapter.objects.filter(handbook=handbook).order_by("order")
            .prefetch_related("case_studies", "packs"))
    return [ChapterView(number=i, anchor=f"chapter-{i}", title=c.title, body=c.body, html=markdown_html(c.body),
                        boxes=_boxes(c))
            for i, c in enumerate(rows, start=1)]


def _boxes(chapter: Chapter) -> list[Box]:
    return ([Box("case", s.title, s.practice, url_or_none("learning:case", s.slug))
             for s in chapter.case_studies.all() if s.published_at is not None]
            + [Box("pack", str(p), p.summary, url_or_none("learning:pack", p.slug))
               for p in chapter.packs.all() if p.published_at is not None])


def references(handbook: Handbook) -> list[str]:
    return [line.strip() for line in (handbook.references or "").splitlines() if line.strip()]


FIGURE_SECTIONS = ("implementation", "collaboration")  # the report's sections a handbook shows a figure of


def figures(limit: int = 2) -> tuple[StateReport | None, list[dict]]:
    """The latest published state-of-the-art report and up to `limit` of its figures (problems of implementation
    first, then how schools and RECs work together); none when no report is published. The figures were made with
    the report's disclosure control: a hidden value has no mark and its row says why."""
    report = StateReport.objects.filter(published_at__isnull=False).order_by("-version").first()
    if report is None:
        return None, []
    found = section_figures(report.figures)
    return report, [f for code in FIGURE_SECTIONS for f in found.get(code, []) if f.get("rows")][:limit]


def drafts_and_versions():
    """Every version for the editors' page, newest first."""
    return Handbook.objects.order_by("-version", "language").prefetch_related("chapters")


def chapter_rows(handbook: Handbook):
    return Chapter.objects.filter(handbook=handbook).order_by("order")
