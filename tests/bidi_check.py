"""Left-to-right runs (dates, times, numbers with separators, long numbers) that a right-to-left page
shows outside an isolate, found with an HTML parser.

In Uyghur text a run such as ``2026-12-03 14:05`` or ``139 0000 0000`` is reordered by the Unicode
bidi algorithm (the space between two numbers takes the paragraph's right-to-left direction:
"14:05 2026-12-03"), unless it sits in an isolate: ``<bdi>`` (the ``|bdi`` filter), ``<time>``,
an element with ``dir`` (``dir="auto"``, ``dir="ltr"``, ``|isolate``) or of class ``masked``
(``rtl.css`` isolates those), or, in text built in Python, U+2068 … U+2069. Also Chinese words of the
portal's catalogue left on a Uyghur page. Used by ``tests/portal/test_uyghur_pages.py`` (the test
client) and ``tests/e2e/test_uyghur_browser.py`` (every page of every role in a browser).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

#: What the bidi algorithm reorders in right-to-left text: digit groups joined by a dash or a space
#: (a date, a date and time, a range, "2 / 7", "2025: 96.0", a number in groups), a date in Chinese
#: (2026年12月3日), and five digits and more (a mobile, a number). Digits glued to Latin letters
#: (R3.1, ZL2023…) are a left-to-right word already; a lone decimal, time or fraction stays in order.
_GROUP = r"\d+(?:[.,:/]\d+)*"
_SEP = r"(?:[ \u00a0]*[-–—~][ \u00a0]*|[ \u00a0]*[/:·][ \u00a0]+|[ \u00a0]+[/·]?[ \u00a0]*|[年月日时])"
RUN = re.compile(rf"(?<![A-Za-z\d.,:/]){_GROUP}(?:{_SEP}{_GROUP})+|(?<![A-Za-z\d.])\d{{5,}}")

#: Elements whose text is not laid out as page text, or that isolate what they hold.
SKIPPED = {"script", "style", "template", "textarea", "head", "title", "svg"}
ISOLATING = {"bdi", "time", "input", "code", "kbd", "samp", "pre"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Finder(HTMLParser):
    def __init__(self, words: frozenset[str] = frozenset()) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, isolates or skipped)
        self.where: list[str] = []
        self.found: list[str] = []
        self.words = words

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        isolated = (tag in ISOLATING or tag in SKIPPED or ("dir" in attributes and tag != "html") or "masked" in classes
                    or attributes.get("aria-hidden") == "true")
        self.stack.append((tag, isolated))
        label = tag + (f"#{attributes['id']}" if attributes.get("id") else "") + (f".{classes[0]}" if classes else "")
        self.where.append(label)

    def handle_endtag(self, tag):
        # Close up to the matching tag (HTML lets some end tags be left out).
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                del self.where[index:]
                return

    def handle_data(self, data):
        if any(isolated for _tag, isolated in self.stack):
            return
        if self.words and " ".join(data.split()) in self.words:
            self.found.append(f"untranslated {' '.join(data.split())!r} in <{' > '.join(self.where[-3:])}>")
        # Unicode's own isolates (U+2066 LRI, U+2067 RLI, U+2068 FSI … U+2069 PDI) in plain text.
        data = re.sub("[\u2066-\u2068][^\u2069]*\u2069", " ", data)
        for match in RUN.finditer(data):
            context = " ".join(data.split())[:60]
            self.found.append(f"{match.group(0)!r} in <{' > '.join(self.where[-3:])}>: {context!r}")


def unisolated_runs(html: str, words: frozenset[str] = frozenset()) -> list[str]:
    """One line per date or number run outside an isolate in ``html``'s body, with where it is; and,
    given ``words`` (the Chinese catalogue's texts), one per piece of text that is one of them, outside
    an element of its own direction (``dir="auto"``: a notification or a frozen text written in
    Chinese is the person's data, not the page's words)."""
    finder = _Finder(words)
    finder.feed(html)
    finder.close()
    return finder.found


def chinese_catalogue_words() -> frozenset[str]:
    """Every translation in the compiled zh_Hans catalogue (the portal's words in Chinese)."""
    import gettext
    from pathlib import Path

    from django.conf import settings

    path = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"
    with path.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog  # noqa: SLF001 - the compiled texts
    texts = [v for k, v in catalogue.items() if k and isinstance(v, str)]
    return frozenset(" ".join(text.split()) for text in texts if re.search("[\u4e00-\u9fff]", text))
