"""Read what a person sees, and find the portal's internal words in it (issue 12 §1).

``visible_text`` turns an HTML page into the text a person reads (the text nodes outside scripts and
styles, plus placeholders, titles, alt texts, ARIA labels and button values). ``project_codes``
collects every code the project keeps: the values of every ``TextChoices`` and every model field's
choices, the material and field keys, and the codes stored in the catalogue tables.
``leaks_zh`` and ``leaks_en`` name what should not be on a page in that language. ``crawl`` walks
every page reachable by links for one logged-in person and hands each text to a callback.

Used by ``tests/portal/test_no_internal_words.py``; kept free of pytest so that it can also be run
against a demo database by hand.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from io import BytesIO
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

#: English a Chinese page may carry: file formats, product and standard names, units.
ALLOWED_ENGLISH = frozenset({
    "API", "PDF", "Excel", "JSON", "CSV", "XLSX", "JPEG", "JPG", "PNG", "HEIC", "MB", "KB", "GB", "px",
    "OpenAPI", "Swagger", "Ed25519", "EdDSA", "xlsx", "SHA", "HMAC", "ID", "IP", "URL", "QR", "SMS", "PIN", "CA",
    "EXIF", "English",  # the language switch names each language in itself
    *"ABCDEFGHIJKLMNOPQRSTUVWXYZ",  # Excel's column letters
})
#: Chinese an English page may carry besides the data people typed (names, titles, places): none.
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff60]+")
CJK_LETTERS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
WORD = re.compile(r"[A-Za-z][A-Za-z_'’-]*[A-Za-z]|[A-Za-z]")
SKIP_TAGS = {"script", "style", "noscript", "template"}
VISIBLE_ATTRIBUTES = ("placeholder", "title", "alt", "aria-label")


class _TextParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self.skipping = 0
        self.hidden = 0
        self.stack: list[tuple[str, bool, bool]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        skip = tag in SKIP_TAGS
        hidden = "hidden" in attrs or attrs.get("aria-hidden") == "true"
        if tag not in {"br", "img", "input", "meta", "link", "hr", "wbr", "source", "col"}:
            self.stack.append((tag, skip, hidden))
            self.skipping += skip
            self.hidden += hidden
        if self.skipping or self.hidden:
            return
        for name in VISIBLE_ATTRIBUTES:
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in {"submit", "button", "reset"} and attrs.get("value"):
            self.parts.append(attrs["value"])
        self.parts.append("\n")

    def handle_endtag(self, tag):
        while self.stack:
            name, skip, hidden = self.stack.pop()
            self.skipping -= skip
            self.hidden -= hidden
            if name == tag:
                break
        self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping and not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> tuple[str, list[str]]:
    """The text a person reads on a page, and the page's links."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    text = re.sub(r"[ \t\r\f\v]+", " ", "".join(parser.parts))
    return re.sub(r"\s*\n\s*", "\n", text).strip(), parser.links


def pdf_text(data: bytes) -> str:
    """The text of a PDF the portal made; an uploaded file that is not a readable PDF gives ""."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(BytesIO(data))
    except PdfReadError:
        return ""
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    # A table cell wraps a long Chinese name over lines: join them again (Chinese has no spaces).
    return re.sub(r"(?<=[\u4e00-\u9fff，。；：、（）“”])\n(?=[\u4e00-\u9fff（）“”])", "", text)


def xlsx_text(data: bytes) -> str:
    from openpyxl import load_workbook

    book = load_workbook(BytesIO(data), read_only=True)
    cells = []
    for sheet in book.worksheets:
        cells.append(sheet.title)
        for row in sheet.iter_rows(values_only=True):
            cells.extend(str(value) for value in row if value is not None)
    return "\n".join(cells)


# --- the project's codes ---------------------------------------------------------------------

PROJECT_APPS = ("portal", "applications", "review", "certificates", "integrity", "stats", "supervision")


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def project_codes() -> dict[str, str]:
    """Every code the project keeps, mapped to where it comes from."""
    from django.apps import apps
    from django.db import models

    codes: dict[str, str] = {}

    def add(value, origin):
        if isinstance(value, str) and value:
            codes.setdefault(value, origin)

    for choices in _subclasses(models.TextChoices):
        if choices.__module__.split(".")[0] in PROJECT_APPS:
            for value in choices.values:
                add(value, f"{choices.__module__}.{choices.__qualname__}")
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        for model_field in model._meta.get_fields():
            for value, _label in getattr(model_field, "flatchoices", None) or ():
                add(value, f"{model.__name__}.{model_field.name}")
            if isinstance(model_field, models.SlugField) and model_field.name == "code":
                for value in model.objects.values_list("code", flat=True):
                    add(value, f"{model.__name__}.code")
    from applications import application_services

    for key in (*application_services.MATERIAL_NAMES, *application_services.FIELD_NAMES):
        add(key, "applications.MATERIAL_NAMES/FIELD_NAMES")
    from review.models import RubricCriterion

    for key in RubricCriterion.objects.values_list("key", flat=True) if hasattr(RubricCriterion, "key") else ():
        add(key, "RubricCriterion.key")
    return codes


def code_pattern(codes: Iterable[str]) -> re.Pattern:
    """Codes that cannot be ordinary words (``deputy_senior``, ``achievement:11``, ``summary:``), on
    word boundaries; a code with no underscore is an English word, found on Chinese pages by the
    English check instead."""
    machine = sorted({c for c in codes if re.fullmatch(r"[a-z][a-z0-9]*(?:[_.][a-z0-9]+)+", c)}, key=len, reverse=True)
    words = "|".join(re.escape(c) for c in machine)
    return re.compile(rf"(?<![\w./-])(?:{words})(?![\w/-])|(?<![\w/])[a-z_]+:\d+(?![\w/])")


def typed_data() -> set[str]:
    """What people typed or the demo holds (names, titles, places, addresses): every text value of the
    project's models that is not a code (no choices, no slug) and has no translated sibling (a
    catalogue entry with ``name_en`` must show that on English pages)."""
    from django.apps import apps
    from django.db import models

    values: set[str] = set()
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS + ("auth",):
            continue
        names = {f.name for f in model._meta.concrete_fields}
        wanted = [f.name for f in model._meta.concrete_fields
                  if isinstance(f, models.CharField | models.TextField) and not f.choices
                  and not isinstance(f, models.SlugField) and f"{f.name}_en" not in names
                  and not f.name.endswith("_en") and f.name not in {"code", "action", "kind", "material", "key"}]
        if wanted:
            for row in model.objects.values_list(*wanted):
                values.update(v for v in row if isinstance(v, str) and len(v.strip()) >= 2)
    return values


def data_pieces(values: Iterable[str], script: re.Pattern) -> list[str]:
    """The values (and their lines) written in ``script``, longest first, to blank out of a text."""
    pieces = set()
    for value in values:
        for line in value.splitlines():
            line = line.strip()
            if len(line) >= 2 and script.search(line):
                pieces.add(line)
    return sorted(pieces, key=len, reverse=True)


# --- what counts as a leak -------------------------------------------------------------------


def _personal_tokens(text: str) -> str:
    """Blank out what is data rather than words: e-mail addresses, URLs, file names, numbers with letters
    (certificate numbers, codes people typed), digests and masked numbers."""
    text = re.sub(r"\S+@\S+", " ", text)
    text = re.sub(r"(?:https?://|/)\S*", " ", text)
    text = re.sub(r"\b[\w.-]+\.(?:pdf|png|jpe?g|heic|xlsx|csv|txt|json|docx?)\b", " ", text, flags=re.I)
    return re.sub(r"\S*\d\S*", " ", text)


def _blank(text: str, data: Iterable[str]) -> str:
    """``text`` with every occurrence of every value of ``data`` blanked out, each found in the text as
    it is (so that one value blanked first cannot cut another one in two)."""
    covered = bytearray(len(text))
    for value in data:
        start = text.find(value)
        while start != -1:
            covered[start:start + len(value)] = b"\x01" * len(value)
            start = text.find(value, start + 1)
    if not any(covered):
        return text
    return "".join(" " if flag else char for char, flag in zip(text, covered, strict=True))


def english_words(text: str, data: Iterable[str] = ()) -> list[str]:
    """English words on a Chinese page that the allow-list does not name (data people typed removed)."""
    text = _blank(text, data)
    return [w for w in WORD.findall(_personal_tokens(text)) if w not in ALLOWED_ENGLISH]


#: A run of Chinese this long that is part of what someone typed is their text, cut into pieces by
#: the page (a word-level diff of a summary, a PDF that wraps a line); a shorter one could be a
#: label that merely occurs inside some text, and still counts.
TYPED_PIECE = 4


def chinese_runs(text: str, data: Iterable[str] = ()) -> list[str]:
    """Chinese on an English page outside the data people typed (names, places, titles) and pieces of
    it (``TYPED_PIECE``), and outside masked names (``张**``)."""
    data = list(data)
    text = _blank(text, data)
    text = re.sub(r"[\u4e00-\u9fff][*＊]+", " ", text)
    typed = "\n".join(data)
    return [run for run in CJK.findall(text) if CJK_LETTERS.search(run)
            and not (len(CJK_LETTERS.findall(run)) >= TYPED_PIECE and run.strip("，。；：、") in typed)]


def code_leaks(text: str, pattern: re.Pattern) -> list[str]:
    return [m.group(0) for m in pattern.finditer(_mask_urls(text))]


def _mask_urls(text: str) -> str:
    text = re.sub(r"\S+@\S+", " ", text)
    return re.sub(r"(?:https?://|(?<!\w)/)\S*", " ", text)


# --- the walk --------------------------------------------------------------------------------

#: Not read: assets, Django's admin (the back office, in Django's words), the JSON API, logging out,
#: and the audit trail's export (the events' raw before/after values, for auditors' tools).
NEVER_FOLLOW = re.compile(r"^/(?:static|admin|api|accounts/logout|i18n|media|supervision/audit/export)(?:/|$)"
                          r"|/logout/?$")


@dataclass
class Visit:
    url: str
    kind: str  # "html", "pdf", "xlsx"
    text: str


@dataclass
class Walk:
    visited: dict[str, int] = field(default_factory=dict)
    per_pattern: dict[tuple, int] = field(default_factory=dict)


def _pattern_key(path: str, query: str) -> tuple:
    from django.urls import Resolver404, resolve

    try:
        match = resolve(path)
        name = match.view_name
    except Resolver404:
        name = path
    keys = tuple(sorted({k for k, _v in parse_qsl(query) if k not in {"page"}}))
    return name, keys


def crawl(client, starts: Iterable[str], visit: Callable[[Visit], None], *, per_pattern: int = 1,
          limit: int = 400, skip: re.Pattern | None = None) -> Walk:
    """Follow every same-site link from ``starts`` (GET only), at most ``per_pattern`` pages per
    (URL name, query keys), none that ``skip`` matches, and call ``visit`` with the text of each page,
    PDF and spreadsheet."""
    walk = Walk()
    queue = list(starts)
    while queue and len(walk.visited) < limit:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.netloc and parts.netloc not in {"testserver"}:
            continue
        path = parts.path
        if not path.startswith("/") or NEVER_FOLLOW.search(path) or (skip and skip.search(path)):
            continue
        query = urlencode(sorted(parse_qsl(parts.query)))
        url = path + (f"?{query}" if query else "")
        if url in walk.visited:
            continue
        key = _pattern_key(path, query)
        if walk.per_pattern.get(key, 0) >= per_pattern:
            continue
        walk.per_pattern[key] = walk.per_pattern.get(key, 0) + 1
        response = client.get(url)
        walk.visited[url] = response.status_code
        if response.status_code in (301, 302):
            queue.append(response["Location"])
            continue
        if response.status_code != 200:
            continue
        kind = response.get("Content-Type", "").split(";")[0]
        content = b"".join(response.streaming_content) if response.streaming else response.content
        if kind == "text/html":
            text, links = visible_text(content.decode())
            visit(Visit(url, "html", text))
            queue.extend(urljoin(url, link) for link in links
                         if not link.startswith(("#", "mailto:", "tel:", "javascript:", "data:")))
        elif kind == "application/pdf":
            visit(Visit(url, "pdf", pdf_text(content)))
        elif "spreadsheetml" in kind:
            visit(Visit(url, "xlsx", xlsx_text(content)))
    return walk
