"""EPUB 3 books written from chapters, and read back with their structure checked.

`write_epub` writes: the `mimetype` entry first and stored (uncompressed, no extra field), META-INF/container.xml
pointing at OEBPS/content.opf, the package document (metadata with dc:identifier, dc:title, dc:language, dc:creator
per author and dcterms:modified; a manifest of every file; the spine in chapter order), nav.xhtml with the table of
contents, one XHTML file per chapter, the stylesheet and the images. Every text is escaped and every chapter body is
made well-formed, safe XHTML (publishing.xhtml: no scripts, no event handlers, images only from the book). The
archive is reproducible: the same arguments give the same bytes.

`read_epub` opens an EPUB and checks the structure EPUB 3 requires (it is the tests' reader, not a full validator:
the EPUBCheck rules are not all checked — see docs/partnerships.md); an EpubError names the first problem."""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree as ET  # noqa: N817 -- the usual name

from safeschool.publishing.xhtml import escape, to_xhtml

MIMETYPE = b"application/epub+zip"
OPF_PATH = "OEBPS/content.opf"
NS = {"c": "urn:oasis:names:tc:opendocument:xmlns:container", "opf": "http://www.idpf.org/2007/opf",
      "dc": "http://purl.org/dc/elements/1.1/", "x": "http://www.w3.org/1999/xhtml",
      "epub": "http://www.idpf.org/2007/ops"}
MEDIA_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".svg": "image/svg+xml", ".webp": "image/webp"}
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_IMAGE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_MODIFIED = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
MAX_ENTRY = 64 * 1024 * 1024  # read_epub refuses an entry larger than this when unpacked


class EpubError(ValueError):
    """The arguments cannot make an EPUB, or the file read is not a valid EPUB 3 (the message says why)."""


@dataclass(frozen=True)
class _Chapter:
    title: str
    body: str
    href: str


def _xhtml_page(title: str, body: str, language: str, css: bool, epub_ns: bool = False) -> str:
    ns = f' xmlns:epub="{NS["epub"]}"' if epub_ns else ""
    link = '<link rel="stylesheet" type="text/css" href="style.css"/>' if css else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n<html xmlns="{NS["x"]}"{ns} '
            f'xml:lang="{escape(language)}" lang="{escape(language)}">\n<head>\n<meta charset="UTF-8"/>\n'
            f"<title>{escape(title)}</title>\n{link}\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def write_epub(target, *, title: str, language: str, authors: list[str] | tuple[str, ...], identifier: str,
               modified: datetime, chapters: list[tuple[str, str]], images: dict[str, bytes] | None = None,
               css: str = "") -> None:
    """Write an EPUB 3 to `target` (a path or a binary file such as BytesIO). `chapters`: (title, body) pairs,
    the body an HTML fragment (made safe XHTML); `images`: file name -> bytes, referred to in a body as
    <img src="name">; `modified`: the dcterms:modified time (naive = UTC)."""
    images = dict(images or {})
    if not str(title).strip():
        raise EpubError("the book needs a title")
    if not _LANGUAGE.match(language or ""):
        raise EpubError(f"{language!r} is not a language tag (e.g. en, pt-PT)")
    if not str(identifier).strip():
        raise EpubError("the book needs an identifier (e.g. urn:uuid:...)")
    if not chapters:
        raise EpubError("the book needs at least one chapter")
    for name in images:
        if not _IMAGE_NAME.match(name) or Path(name).suffix.lower() not in MEDIA_TYPES:
            raise EpubError(f"image {name!r}: a plain file name ending in {', '.join(MEDIA_TYPES)}")
    if modified.tzinfo is not None:
        modified = modified.astimezone(UTC).replace(tzinfo=None)
    stamp = modified.strftime("%Y-%m-%dT%H:%M:%SZ")
    paths = {name: f"images/{name}" for name in images}
    parts = [_Chapter(str(t), to_xhtml(body, paths), f"chapter-{i:03d}.xhtml") for i, (t, body) in
             enumerate(chapters, 1)]

    toc = "\n".join(f'<li><a href="{c.href}">{escape(c.title)}</a></li>' for c in parts)
    nav = _xhtml_page(title, f'<nav epub:type="toc" id="toc">\n<h1>{escape(title)}</h1>\n<ol>\n{toc}\n</ol>\n</nav>',
                      language, bool(css), epub_ns=True)
    manifest = ['<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>']
    manifest += [f'<item id="c{i}" href="{c.href}" media-type="application/xhtml+xml"/>' for i, c in
                 enumerate(parts, 1)]
    if css:
        manifest.append('<item id="css" href="style.css" media-type="text/css"/>')
    manifest += [f'<item id="img{i}" href="{paths[name]}" media-type="{MEDIA_TYPES[Path(name).suffix.lower()]}"/>'
                 for i, name in enumerate(sorted(images), 1)]
    creators = "\n".join(f"<dc:creator>{escape(a)}</dc:creator>" for a in authors if str(a).strip())
    spine = "\n".join(f'<itemref idref="c{i}"/>' for i in range(1, len(parts) + 1))
    opf = (f'<?xml version="1.0" encoding="UTF-8"?>\n<package xmlns="{NS["opf"]}" version="3.0" '
           f'unique-identifier="bookid" xml:lang="{escape(language)}">\n<metadata xmlns:dc="{NS["dc"]}">\n'
           f'<dc:identifier id="bookid">{escape(identifier)}</dc:identifier>\n<dc:title>{escape(title)}</dc:title>\n'
           f'<dc:language>{escape(language)}</dc:language>\n{creators}\n'
           f'<meta property="dcterms:modified">{stamp}</meta>\n</metadata>\n<manifest>\n' + "\n".join(manifest)
           + f"\n</manifest>\n<spine>\n{spine}\n</spine>\n</package>\n")
    container = ('<?xml version="1.0" encoding="UTF-8"?>\n<container version="1.0" '
                 f'xmlns="{NS["c"]}">\n<rootfiles>\n<rootfile full-path="{OPF_PATH}" '
                 'media-type="application/oebps-package+xml"/>\n</rootfiles>\n</container>\n')

    date_time = (max(modified.year, 1980), modified.month, modified.day, modified.hour, modified.minute,
                 modified.second)

    def entry(archive: zipfile.ZipFile, name: str, data: bytes | str, stored: bool = False) -> None:
        info = zipfile.ZipInfo(name, date_time=date_time)
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        archive.writestr(info, data.encode("utf-8") if isinstance(data, str) else data)

    with zipfile.ZipFile(target, "w") as archive:
        entry(archive, "mimetype", MIMETYPE, stored=True)
        entry(archive, "META-INF/container.xml", container)
        entry(archive, OPF_PATH, opf)
        entry(archive, "OEBPS/nav.xhtml", nav)
        for c in parts:
            body = f'<section>\n<h1>{escape(c.title)}</h1>\n{c.body}\n</section>'
            entry(archive, f"OEBPS/{c.href}", _xhtml_page(c.title, body, language, bool(css)))
        if css:
            entry(archive, "OEBPS/style.css", css)
        for name in sorted(images):
            entry(archive, f"OEBPS/{paths[name]}", images[name])


def _parse(data: bytes, name: str) -> ET.Element:
    if b"<!ENTITY" in data:
        raise EpubError(f"{name}: entity declarations are not allowed")
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise EpubError(f"{name}: not well-formed XML ({exc})") from exc


def read_epub(source) -> dict:
    """Open an EPUB (bytes, a path or a binary file), check its structure and return title, language,
    identifier, modified, authors, toc (the navigation's titles, in order), chapters (the spine's texts, in order,
    each with its title), images (file names) and files (every entry's name)."""
    if isinstance(source, bytes | bytearray):
        source = io.BytesIO(source)
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise EpubError(f"not a ZIP archive ({exc})") from exc
    with archive:
        infos = archive.infolist()
        names = [i.filename for i in infos]
        if not infos or infos[0].filename != "mimetype":
            raise EpubError("the first entry must be 'mimetype'")
        if infos[0].compress_type != zipfile.ZIP_STORED or infos[0].extra:
            raise EpubError("'mimetype' must be stored uncompressed, without an extra field")
        if len(set(names)) != len(names):
            raise EpubError("an entry is in the archive twice")

        def read(name: str) -> bytes:
            if name not in names:
                raise EpubError(f"{name} is missing")
            if archive.getinfo(name).file_size > MAX_ENTRY:
                raise EpubError(f"{name} is too large")
            return archive.read(name)

        if read("mimetype") != MIMETYPE:
            raise EpubError("'mimetype' must read application/epub+zip")
        container = _parse(read("META-INF/container.xml"), "META-INF/container.xml")
        rootfile = container.find("c:rootfiles/c:rootfile", NS)
        if rootfile is None or not rootfile.get("full-path"):
            raise EpubError("container.xml names no package document")
        opf_path = rootfile.get("full-path")
        opf = _parse(read(opf_path), opf_path)
        base = posixpath.dirname(opf_path)
        if opf.tag != f"{{{NS['opf']}}}package" or opf.get("version") != "3.0":
            raise EpubError("the package document is not EPUB 3.0")
        metadata = opf.find("opf:metadata", NS)
        if metadata is None:
            raise EpubError("the package document has no metadata")

        def one(tag: str) -> str:
            element = metadata.find(tag, NS)
            if element is None or not (element.text or "").strip():
                raise EpubError(f"the metadata has no {tag.split(':')[-1]}")
            return element.text.strip()

        identifier, title, language = one("dc:identifier"), one("dc:title"), one("dc:language")
        unique = opf.get("unique-identifier")
        if metadata.find(f"dc:identifier[@id='{unique}']", NS) is None:
            raise EpubError("unique-identifier does not name a dc:identifier")
        modified = [m.text for m in metadata.findall("opf:meta", NS) if m.get("property") == "dcterms:modified"]
        if len(modified) != 1 or not _MODIFIED.match(modified[0] or ""):
            raise EpubError("the metadata needs one dcterms:modified as CCYY-MM-DDThh:mm:ssZ")
        manifest = {}
        for item in opf.findall("opf:manifest/opf:item", NS):
            path = posixpath.normpath(posixpath.join(base, item.get("href", "")))
            if path not in names:
                raise EpubError(f"the manifest lists {path}, which is not in the archive")
            manifest[item.get("id")] = (path, item.get("media-type"), (item.get("properties") or "").split())
        navs = [v for v in manifest.values() if "nav" in v[2]]
        if len(navs) != 1:
            raise EpubError("the manifest needs exactly one item with properties=\"nav\"")
        for path, media, _props in manifest.values():
            if media == "application/xhtml+xml":
                _parse(read(path), path)
        spine = [ref.get("idref") for ref in opf.findall("opf:spine/opf:itemref", NS)]
        if not spine or any(ref not in manifest for ref in spine):
            raise EpubError("the spine is empty or refers to an item not in the manifest")
        nav = _parse(read(navs[0][0]), navs[0][0])
        toc = next((n for n in nav.iter(f"{{{NS['x']}}}nav") if n.get(f"{{{NS['epub']}}}type") == "toc"), None)
        if toc is None:
            raise EpubError("nav.xhtml has no <nav epub:type=\"toc\">")
        toc_titles = ["".join(a.itertext()).strip() for a in toc.iter(f"{{{NS['x']}}}a")]
        chapters = []
        for ref in spine:
            page = _parse(read(manifest[ref][0]), manifest[ref][0])
            body = page.find("x:body", NS)
            heading = page.find(".//x:h1", NS)
            chapters.append({"title": "".join(heading.itertext()).strip() if heading is not None else "",
                             "text": " ".join("".join(body.itertext()).split()) if body is not None else ""})
        return {"title": title, "language": language, "identifier": identifier, "modified": modified[0],
                "authors": [a.text or "" for a in metadata.findall("dc:creator", NS)], "toc": toc_titles,
                "chapters": chapters,
                "images": sorted(posixpath.basename(p) for p, media, _ in manifest.values()
                                 if (media or "").startswith("image/")),
                "files": names}
