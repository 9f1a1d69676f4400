"""Every string a person reads goes through a catalogue (issue 14, "every string is translated").

Templates: what is left of a template once comments, translation tags and blocks, other tags, variables, scripts,
styles and HTML tags are taken out must hold no word, and neither may the attributes people read (placeholder,
title, aria-label, alt, the value of a button). Python: the syntax tree of the web apps holds no bare literal where
Django shows text to a person (messages, ValidationError and PermissionDenied, form and model field labels and
help, choice labels).
Content people write (demo seed data) is data, not interface, and is not checked.
"""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path

WEB = Path(__file__).resolve().parents[1] / "src" / "safeschool" / "web"

# Words that stay the same in every language, each for a reason: the product name; file formats and a checksum
# (SHA-256); names of methods, software and tests used untranslated in the literature (MAIHDA, Delphi, the COMET
# and RAND/UCLA consensus rules, the Wilcoxon test, Python); p and n, the symbols of a p-value and a sample size; Δ, "change in".
ALLOWED_WORDS = {"safeschool", "CSV", "PDF", "JSON", "SHA", "MAIHDA", "Delphi", "COMET", "RAND", "Wilcoxon", "Python", "p", "n",
                 "Δ"}
# letters that are symbols, not words: n<10, R², and the wordmark "safe·school" split by a tag
ALLOWED_PATTERNS = [r"\bn\s*(?:<|&lt;|≥|>=)\s*\d+", r"\bR²", r"\bsafe\s+school\b"]
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")

COMMENTS = [re.compile(r"\{#.*?#\}", re.S), re.compile(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.S),
            re.compile(r"<!--.*?-->", re.S)]
BLOCKS = [re.compile(r"\{%\s*blocktrans(?:late)?\b.*?\{%\s*endblocktrans(?:late)?\s*%\}", re.S),
          re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.S | re.I)]
TAG = re.compile(r"\{%.*?%\}", re.S)
VARIABLE = re.compile(r"\{\{.*?\}\}", re.S)
HTML_TAG = re.compile(r"<[^>]*>", re.S)
ATTRIBUTE = re.compile(r"""([\w:-]+)\s*=\s*("[^"]*"|'[^']*')""")
READ_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt", "aria-description", "aria-roledescription"}
# filters whose quoted argument is text shown to a person: {{ x|default:"None" }} would print English
SHOWN_FILTER_ARGUMENT = re.compile(r"\|\s*(default|default_if_none|yesno|pluralize)\s*:\s*(\"[^\"]*\"|'[^']*')")


def _words(text: str) -> list[str]:
    text = html.unescape(text)
    for pattern in ALLOWED_PATTERNS:
        text = re.sub(pattern, " ", text)
    return [w for w in WORD.findall(text) if w not in ALLOWED_WORDS and w.lower() != "safeschool"]


def untranslated(source: str) -> list[str]:
    """The words of a template that no translation tag covers, each with a little context."""
    found = []
    for pattern in COMMENTS + BLOCKS:
        source = pattern.sub(" ", source)
    for tag in VARIABLE.findall(source):
        for _, argument in SHOWN_FILTER_ARGUMENT.findall(tag):
            if _words(argument[1:-1]):
                found.append(f"filter argument {argument} in {tag}")
    source = VARIABLE.sub(" ", TAG.sub(" ", source))
    for element in HTML_TAG.findall(source):
        name = re.match(r"</?\s*([\w-]*)", element).group(1).lower()
        attributes = {k.lower(): v[1:-1] for k, v in ATTRIBUTE.findall(element)}
        read = {k for k in attributes if k in READ_ATTRIBUTES}
        # a button shows its content (checked as text); a submit input shows its value
        if name == "input" and attributes.get("type", "").lower() in {"submit", "button", "reset"} and "value" in attributes:
            read.add("value")
        for key in sorted(read):
            if _words(attributes[key]):
                found.append(f'{key}="{attributes[key]}" on <{name}>')
    for line in HTML_TAG.sub(" ", source).splitlines():
        if _words(line):
            found.append(" ".join(line.split()))
    return found


def _templates():
    return sorted(p for p in WEB.rglob("*.html") if "templates" in p.relative_to(WEB).parts)


def test_templates_hold_no_untranslated_words():
    offenders = [f"{p.relative_to(WEB)}: {text}" for p in _templates() for text in untranslated(p.read_text())]
    assert offenders == []


def test_the_template_check_can_fail(tmp_path):
    """Raw English in text, in a read attribute, in a button's value or in a default filter is caught; the same
    words inside translation tags, comments, scripts or URLs are not."""
    bad = tmp_path / "bad.html"
    bad.write_text('{% load i18n %}<h1>Check an import</h1><input type="search" placeholder="Find a school">'
                   '<input type="submit" value="Save"><p>{{ x|default:"None" }}</p>'
                   '<p>{% translate "Fix the file and" %} <a href="{% url \'imports:list\' %}">upload it again</a>.</p>')
    assert untranslated(bad.read_text()) == [
        'filter argument "None" in {{ x|default:"None" }}', 'placeholder="Find a school" on <input>',
        'value="Save" on <input>', "Check an import upload it again ."]
    good = ('{% load i18n %}{# a note #}<h1 title="{% translate "Title" %}">{% translate "Check" %} {{ name }}</h1>'
            '{% url "imports:list" as list_url %}{% blocktranslate with url=list_url %}Fix the file and '
            '<a href="{{ url }}">upload it again</a>.{% endblocktranslate %}<script>const label = "Words";</script>'
            '<p>safeschool · CSV · n&lt;10 · R² · MAIHDA</p><input type="text" value="typed by a person">')
    assert untranslated(good) == []


# --- Python ---------------------------------------------------------------------------------------------------

MESSAGE_LEVELS = {"debug", "info", "success", "warning", "error", "add_message"}
FIELD_TEXT = {"label", "help_text", "verbose_name", "verbose_name_plural", "empty_label", "empty_value_display"}
META_TEXT = {"verbose_name", "verbose_name_plural"}
META_DICTS = {"labels", "help_texts"}
WIDGET_TEXT = {"placeholder", "title", "aria-label"}
# positional first argument of a model field is its verbose_name, except for relations (the related model)
RELATIONS = {"ForeignKey", "OneToOneField", "ManyToManyField"}


def _python_modules():
    for path in sorted(WEB.rglob("*.py")):
        parts = path.relative_to(WEB).parts
        if "migrations" not in parts and "tests" not in parts and parts[0] != "demo":
            yield path


def _is_text(node) -> bool:
    """A bare literal (or a formatted one) with a word in it: text that no gettext call wraps."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(_words(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_is_text(v) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        return _is_text(node.left) or (isinstance(node.op, ast.Add) and _is_text(node.right))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _is_text(node.func.value)
    # a code dressed up as a label ("plan".title()) is English too
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in {"title", "capitalize"}


def _name(func) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _choice_labels(node, assignments) -> list:
    if isinstance(node, ast.Name) and node.id in assignments:
        node = assignments[node.id]
    if isinstance(node, ast.ListComp) and isinstance(node.elt, ast.Tuple) and len(node.elt.elts) == 2:
        return [node.elt.elts[1]]
    if not isinstance(node, ast.List | ast.Tuple):
        return []
    labels = []
    for pair in node.elts:
        if isinstance(pair, ast.Tuple | ast.List) and len(pair.elts) == 2:
            label = pair.elts[1]
            labels += _choice_labels(label, assignments) if isinstance(label, ast.List | ast.Tuple) else [label]
    return labels


def untranslated_python(source: str) -> list[tuple[int, str]]:
    """(line, what) for each user-facing literal of a module that is not wrapped in gettext."""
    return sorted({(node.lineno, what) for node, what in _untranslated_nodes(ast.parse(source))})


def _untranslated_nodes(tree) -> list[tuple[ast.AST, str]]:
    assignments = {t.id: n.value for n in tree.body if isinstance(n, ast.Assign) for t in n.targets
                   if isinstance(t, ast.Name)}
    found = []

    def check(node, what):
        if _is_text(node):
            found.append((node, what))

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _name(node.func)
            keywords = {k.arg: k.value for k in node.keywords if k.arg}
            if name in MESSAGE_LEVELS and isinstance(node.func, ast.Attribute) and _name(node.func.value) == "messages":
                text = node.args[2] if name == "add_message" and len(node.args) > 2 else (
                    node.args[1] if len(node.args) > 1 else keywords.get("message"))
                check(text, f"messages.{name}")
            if name in {"ValidationError", "PermissionDenied"}:  # both reach the person as a message or form error
                text = node.args[0] if node.args else keywords.get("message")
                if isinstance(text, ast.Dict):
                    for value in text.values:
                        check(value, name)
                elif isinstance(text, ast.List):
                    for value in text.elts:
                        check(value, name)
                elif text is not None:
                    check(text, name)
            if name.endswith(("Field", "Input", "Select", "Textarea", "Widget")) or name in RELATIONS:
                for key in FIELD_TEXT & keywords.keys():
                    check(keywords[key], f"{name}({key}=…)")
                if "choices" in keywords:
                    for label in _choice_labels(keywords["choices"], assignments):
                        check(label, f"{name}(choices=…) label")
                if isinstance(keywords.get("attrs"), ast.Dict):
                    for key, value in zip(keywords["attrs"].keys, keywords["attrs"].values, strict=True):
                        if isinstance(key, ast.Constant) and key.value in WIDGET_TEXT:
                            check(value, f"{name}(attrs={{{key.value!r}: …}})")
                if (isinstance(node.func, ast.Attribute) and _name(node.func.value) == "models" and node.args
                        and name not in RELATIONS):
                    check(node.args[0], f"{name} verbose_name")
        elif isinstance(node, ast.ClassDef):
            bases = {_name(b) for b in node.bases}
            for statement in node.body:
                if not isinstance(statement, ast.Assign):
                    continue
                targets = {t.id for t in statement.targets if isinstance(t, ast.Name)}
                if bases & {"TextChoices", "IntegerChoices", "Choices"} and isinstance(statement.value, ast.Tuple):
                    check(statement.value.elts[-1], f"{node.name} choice label")
                if node.name == "Meta":
                    for target in targets & META_TEXT:
                        check(statement.value, f"Meta.{target}")
                    if targets & META_DICTS and isinstance(statement.value, ast.Dict):
                        for value in statement.value.values:
                            check(value, f"Meta.{sorted(targets & META_DICTS)[0]}")
    return found


def test_python_shows_no_untranslated_literal():
    offenders = [f"{p.relative_to(WEB)}:{line} {what}" for p in _python_modules()
                 for line, what in untranslated_python(p.read_text())]
    assert offenders == []


def test_the_python_check_can_fail():
    bad = '''
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _, gettext_lazy

STATUS = [("open", "Open"), ("closed", gettext_lazy("Closed"))]
PHASES = [(p, p.title()) for p in ("plan", "act")]

class Form(forms.Form):
    name = forms.CharField(label="Name", help_text=gettext_lazy("Your name"),
                           widget=forms.TextInput(attrs={"placeholder": "Jane", "class": "wide"}))

class Thing(models.Model):
    status = models.CharField("status", max_length=9, choices=STATUS)
    kind = models.TextChoices("Kind", "a b")
    phase = models.CharField(max_length=4, choices=PHASES)

    class Meta:
        verbose_name = "thing"

class Colour(models.TextChoices):
    RED = "red", "Red"
    BLUE = "blue", _("Blue")

def view(request, n):
    messages.success(request, "Saved.")
    messages.info(request, _("Saved."))
    messages.error(request, f"{n} rows failed")
    raise ValidationError({"name": "Too long", "other": _("Too short")})
'''
    assert untranslated_python(bad) == [
        (8, "CharField(choices=…) label"), (9, "CharField(choices=…) label"), (12, "CharField(label=…)"),
        (13, "TextInput(attrs={'placeholder': …})"), (16, "CharField verbose_name"), (21, "Meta.verbose_name"),
        (24, "Colour choice label"), (28, "messages.success"), (30, "messages.error"), (31, "ValidationError")]
