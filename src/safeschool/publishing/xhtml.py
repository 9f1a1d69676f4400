"""HTML fragments made into well-formed, safe XHTML for an EPUB: an allowlist of structural and inline elements and
attributes; scripts, styles, forms, frames, event handlers and `javascript:` links are dropped; text and attribute
values are escaped; void elements are closed and unclosed elements balanced; images are kept only when they refer to
a file packaged with the book. Uses only the standard library's HTML parser."""

from __future__ import annotations

import re
from html import escape as _escape
from html.parser import HTMLParser

ALLOWED = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "a", "em", "strong", "b", "i", "u", "blockquote",
    "code", "pre", "br", "hr", "img", "figure", "figcaption", "table", "caption", "thead", "tbody", "tfoot", "tr",
    "th", "td", "sup", "sub", "span", "div", "section", "aside", "dl", "dt", "dd", "cite", "q", "abbr", "small",
    "mark", "s", "del", "ins",
}
VOID = {"br", "hr", "img"}
LINE_AFTER = {"li", "dt", "dd", "tr", "td", "th", "figcaption", "caption"}  # + BLOCKS: a line break after the end tag
SELF_CLOSING = {"li", "dt", "dd", "tr", "td", "th", "p"}  # a second one closes the first, as HTML parsers do
BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "pre", "hr", "figure", "table", "div",
          "section", "aside", "dl"}  # close an open <p>
DROP_WITH_CONTENT = {"script", "style", "template", "iframe", "object", "embed", "noscript", "svg", "math", "head",
                     "title", "textarea", "select", "frame", "frameset"}
ATTRIBUTES = {"*": {"id", "class", "title", "lang", "dir"}, "a": {"href"}, "img": {"src", "alt"},
              "th": {"colspan", "rowspan", "scope"}, "td": {"colspan", "rowspan"}, "ol": {"start"},
              "abbr": {"title"}, "q": {"cite"}, "blockquote": {"cite"}}
SAFE_SCHEMES = ("http://", "https://", "mailto:")
# characters XML 1.0 does not allow even escaped (controls, lone surrogates, U+FFFE/U+FFFF)
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    """The text without the characters XML cannot hold."""
    return _NOT_XML.sub("", text)


def escape(text: str, quote: bool = True) -> str:
    """Text (or an attribute value) escaped for XML, without the characters XML cannot hold."""
    return _escape(clean(str(text)), quote=quote)


def _safe_href(value: str) -> bool:
    v = "".join(value.split()).lower()
    if ":" not in v.split("/", 1)[0].split("#", 1)[0].split("?", 1)[0]:
        return True  # relative, fragment or query: no scheme
    return v.startswith(SAFE_SCHEMES)


class _Sanitiser(HTMLParser):
    def __init__(self, images: dict[str, str]):
        super().__init__(convert_charrefs=True)
        self.images = images  # name in the body -> its path in the package
        self.out: list[str] = []
        self.stack: list[str] = []
        self.dropping = 0  # depth inside an element dropped with its content

    def handle_starttag(self, tag, attrs):
        tag = tag.lower()
        if tag in DROP_WITH_CONTENT:
            if tag not in VOID:
                self.dropping += 1
            return
        if self.dropping or tag not in ALLOWED:
            return
        kept = []
        allowed = ATTRIBUTES["*"] | ATTRIBUTES.get(tag, set())
        for name, value in attrs:
            name = name.lower()
            if name not in allowed or value is None:
                continue
            if name == "href" and not _safe_href(value):
                continue
            if name in ("cite",) and not _safe_href(value):
                continue
            if name == "src":
                if value not in self.images:
                    continue
                value = self.images[value]
            kept.append(f' {name}="{escape(value, quote=True)}"')
        if tag == "img":
            if not any(a.startswith(" src=") for a in kept):
                return  # an image not packaged with the book
            if not any(a.startswith(" alt=") for a in kept):
                kept.append(' alt=""')
        if self.stack and self.stack[-1] == "p" and tag in BLOCKS or self.stack and self.stack[-1] == tag \
                and tag in SELF_CLOSING:
            self._close(self.stack.pop())
        if tag in VOID:
            self.out.append(f"<{tag}{''.join(kept)}/>")
            return
        self.out.append(f"<{tag}{''.join(kept)}>")
        self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag.lower() not in VOID and tag.lower() in ALLOWED and not self.dropping and self.stack \
                and self.stack[-1] == tag.lower():
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        tag = tag.lower()
        if tag in DROP_WITH_CONTENT:
            self.dropping = max(0, self.dropping - 1)
            return
        if self.dropping or tag in VOID or tag not in self.stack:
            return
        while self.stack:
            open_tag = self.stack.pop()
            self._close(open_tag)
            if open_tag == tag:
                break

    def _close(self, tag: str) -> None:
        self.out.append(f"</{tag}>\n" if tag in BLOCKS or tag in LINE_AFTER else f"</{tag}>")

    def handle_data(self, data):
        if not self.dropping:
            self.out.append(escape(data, quote=False))

    def close_all(self) -> str:
        self.close()
        while self.stack:
            self._close(self.stack.pop())
        return "".join(self.out)


def to_xhtml(fragment: str, images: dict[str, str] | None = None) -> str:
    """The fragment as well-formed XHTML (the rules in the module docstring). `images`: names the fragment's
    <img src> may use -> the path written in their place."""
    parser = _Sanitiser(images or {})
    parser.feed(fragment or "")
    return parser.close_all()
