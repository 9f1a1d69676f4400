"""The translation catalogues: for every language but English, the .po exists with no untranslated and no fuzzy
entry, every translation keeps the placeholders of its source (%(name)s, %s, {name}), plural entries have the
language's number of forms, and the committed .mo says what the .po says. The checker itself is tested on a
catalogue completed mechanically in a temporary folder, and on the mistakes it must catch.

Also: the main pages in Greek keep no common English word in the navigation."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings

from safeschool.web.accounts.services import user_create

LOCALE = Path(settings.LOCALE_PATHS[0])
TRANSLATED = [code for code, _ in settings.LANGUAGES if code != "en"]
# Integer plural categories (CLDR): Polish and Romanian have three forms, the others two.
NPLURALS = {"es": 2, "it": 2, "pt": 2, "el": 2, "ro": 3, "pl": 3}
# Python's space flag ("% d") is left out: it would read "95 % de" or "70 % rate" as placeholders, and our strings
# never use it.
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0+]*\d*(?:\.\d+)?[sdifr]|%[-#0+]*\d*(?:\.\d+)?[sdif]|\{[A-Za-z_]\w*\}")


def placeholders(text: str) -> tuple[set[str], int]:
    """The named placeholders (%(x)s and {x}) of a message, and how many positional ones (%s, %d) it has."""
    named, positional = set(), 0
    for match in PLACEHOLDER.finditer(text.replace("%%", "")):
        token = match.group(0)
        if match.group(1):
            named.add(f"%({match.group(1)})")
        elif token.startswith("{"):
            named.add(token)
        else:
            positional += 1
    return named, positional


def nplurals(po: polib.POFile) -> int | None:
    found = re.search(r"nplurals\s*=\s*(\d+)", po.metadata.get("Plural-Forms", ""))
    return int(found.group(1)) if found else None


def _key(entry) -> tuple[str, str]:
    return (entry.msgctxt or "", entry.msgid)


def _value(entry):
    return tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)) if entry.msgid_plural else entry.msgstr


def catalogue_problems(language: str, po_path: Path, mo_path: Path | None = None) -> list[str]:
    """Everything wrong with one language's catalogue, one line each (empty: complete and in sync)."""
    if not po_path.exists():
        return [f"{language}: no catalogue at {po_path}"]
    po = polib.pofile(str(po_path))
    problems = []
    untranslated, fuzzy = po.untranslated_entries(), po.fuzzy_entries()
    if untranslated:
        problems.append(f"{language}: {len(untranslated)} untranslated, e.g. {untranslated[0].msgid[:60]!r}")
    if fuzzy:
        problems.append(f"{language}: {len(fuzzy)} fuzzy, e.g. {fuzzy[0].msgid[:60]!r}")
    forms = nplurals(po)
    if forms != NPLURALS.get(language, forms):
        problems.append(f"{language}: Plural-Forms says nplurals={forms}, the language has {NPLURALS[language]}")
    for entry in po:
        if entry.obsolete or not entry.translated():
            continue
        where = f"{language}: {entry.msgid[:50]!r}"
        if entry.msgid_plural:
            if forms is not None and sorted(entry.msgstr_plural) != list(range(forms)):
                problems.append(f"{where} has {len(entry.msgstr_plural)} plural forms, not {forms}")
            source_named = placeholders(entry.msgid)[0] | placeholders(entry.msgid_plural)[0]
            source_positional = placeholders(entry.msgid_plural)[1]
            named_seen = set()
            for i, text in entry.msgstr_plural.items():
                named, positional = placeholders(text)
                named_seen |= named
                if named - source_named:
                    problems.append(f"{where} form {i} has {sorted(named - source_named)} not in the source")
                if positional != source_positional:
                    problems.append(f"{where} form {i} has {positional} positional placeholders, not "
                                    f"{source_positional}")
            if named_seen != source_named:  # a form may leave out the count (“one item”), not every form
                problems.append(f"{where} drops {sorted(source_named - named_seen)} in every form")
        else:
            source, translation = placeholders(entry.msgid), placeholders(entry.msgstr)
            if source != translation:
                problems.append(f"{where}: placeholders {sorted(source[0])}+{source[1]} positional in the source, "
                                f"{sorted(translation[0])}+{translation[1]} in the translation")
    if mo_path is not None:
        if not mo_path.exists():
            problems.append(f"{language}: no compiled catalogue at {mo_path} (run `make messages`)")
        else:
            want = {_key(e): _value(e) for e in po if e.msgid and not e.obsolete and e.translated()}
            have = {_key(e): _value(e) for e in polib.mofile(str(mo_path)) if e.msgid}
            stale = sorted(k for k in want.keys() | have.keys() if want.get(k) != have.get(k))
            if stale:
                problems.append(f"{language}: the .mo differs from the .po in {len(stale)} messages, e.g. "
                                f"{stale[0][1][:60]!r} (compile it again)")
    return problems


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalogue_is_complete_consistent_and_compiled(language):
    folder = LOCALE / language / "LC_MESSAGES"
    problems = catalogue_problems(language, folder / "django.po", folder / "django.mo")
    assert not problems, "\n".join(problems[:40])


# ------------------------------------------------------------------------------------- the checker itself
def complete_mechanically(po_path: Path, forms: int) -> polib.POFile:
    """Every entry translated by copying its source (which keeps every placeholder), no fuzzy flag."""
    po = polib.pofile(str(po_path))
    for entry in po:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = {i: entry.msgstr_plural.get(i) or (entry.msgid if i == 0 else entry.msgid_plural)
                                   for i in range(forms)}
        elif not entry.msgstr:
            entry.msgstr = entry.msgid
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
    po.save(str(po_path))
    po.save_as_mofile(str(po_path.with_suffix(".mo")))
    return po


@pytest.fixture(params=["es", "pl"])
def completed(request, tmp_path):
    language = request.param
    po_path = tmp_path / "django.po"
    shutil.copy(LOCALE / language / "LC_MESSAGES" / "django.po", po_path)
    complete_mechanically(po_path, NPLURALS[language])
    return language, po_path


def test_a_complete_catalogue_passes(completed):
    language, po_path = completed
    assert catalogue_problems(language, po_path, po_path.with_suffix(".mo")) == []


def _first(po, plural: bool = False):
    return next(e for e in po if e.msgid and not e.obsolete and bool(e.msgid_plural) == plural
                and (plural or "%(" in e.msgid))


def test_the_checker_catches_each_mistake(completed):
    language, po_path = completed
    mo_path = po_path.with_suffix(".mo")
    po = polib.pofile(str(po_path))
    _first(po).msgstr = "sin marcador"  # a placeholder dropped
    po.save(str(po_path))
    assert any("placeholders" in p for p in catalogue_problems(language, po_path))
    assert any("the .mo differs" in p for p in catalogue_problems(language, po_path, mo_path))  # not recompiled

    po = polib.pofile(str(po_path))
    entry = _first(po)
    entry.msgstr, entry.flags = entry.msgid, ["fuzzy"]
    plural = _first(po, plural=True)
    plural.msgstr_plural = {0: plural.msgstr_plural[0]}  # too few forms
    untranslated = next(e for e in po if e.msgid and not e.msgid_plural and e is not entry)
    untranslated.msgstr = ""
    po.save(str(po_path))
    problems = "\n".join(catalogue_problems(language, po_path))
    assert "1 fuzzy" in problems and "1 untranslated" in problems and f"not {NPLURALS[language]}" in problems

    missing = catalogue_problems(language, po_path.parent / "nowhere.po")
    assert missing == [f"{language}: no catalogue at {po_path.parent / 'nowhere.po'}"]


def test_placeholders_are_read_as_python_and_format_write_them():
    assert placeholders("%(count)s of %(total)d, 50%% and %s, {types}") == ({"%(count)", "%(total)", "{types}"}, 1)
    assert placeholders("{not a placeholder} 100 %") == (set(), 0)
    assert placeholders("95 % de IC; ≥70 % rate 7-9") == (set(), 0)  # percentages, not placeholders
    assert placeholders("%(n)d students, %.1f%%") == ({"%(n)"}, 1)


# ------------------------------------------------------------------------------------- no English left in Greek
ENGLISH_NAV_WORDS = ("Schools", "Countries", "Network", "Log in")
NAV = re.compile(r"(?s)<nav\b.*?</nav>")


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "path"), [("anonymous", "/"), ("anonymous", "/accounts/login/"),
                                            ("researcher", "/"), ("researcher", "/schools/"),
                                            ("researcher", "/schools/countries/"), ("researcher", "/network/")])
def test_greek_pages_keep_no_english_in_the_navigation(client, role, path):
    if role != "anonymous":
        client.force_login(user_create(username="ερευνητής", password="pw-greek-12345", role=role))
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="el")
    assert response.status_code == 200 and response["Content-Language"] == "el"
    nav = " ".join(NAV.findall(response.content.decode()))
    assert nav, "no <nav> on the page"
    text = re.sub(r"<[^>]+>", " ", nav)
    left = [word for word in ENGLISH_NAV_WORDS if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text)]
    assert not left, f"English left in the Greek navigation of {path}: {left}"
