"""Right-to-left helpers: the language switcher's entries, and isolation of left-to-right pieces
(numbers, certificate numbers, mobiles, dates, Chinese names) inside Uyghur text."""

from __future__ import annotations

import re

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language_info

register = template.Library()

# What the switcher shows: each language by its own name, so a reader finds theirs whatever
# the page's language is (中文 / ئۇيغۇرچە / English).
SWITCH_LABELS = {"zh-hans": "中文", "ug": "ئۇيغۇرچە", "en": "English"}


@register.simple_tag
def language_switch() -> list[tuple[str, str, str]]:
    """(code, label, direction) for each language of ``settings.LANGUAGES``, in its order."""
    entries = []
    for code, _name in settings.LANGUAGES:
        info = get_language_info(code)
        entries.append((code, SWITCH_LABELS.get(code, info["name_local"]), "rtl" if info["bidi"] else "ltr"))
    return entries


#: A date, a time, a count "6 / 10", a score "2025: 96.0": digits and their separators only.
NUMERIC = re.compile(r"[0-9][0-9 :./-]*")


@register.filter
def bdi(value) -> SafeString:
    """``value`` in a ``<bdi>``: it keeps its own direction inside text of the other direction, so
    "139****0000" or "2026-12-03 14:05" is not reordered in a Uyghur sentence. Escapes the value.
    A date, time or count stays on one line (``text-nowrap``): a browser may break a line after a
    hyphen, and "employed since 2009-" / "04-01" read badly on a phone."""
    if value is None or value == "":
        return format_html("{}", "")
    if NUMERIC.fullmatch(str(value)):
        return format_html('<bdi class="text-nowrap">{}</bdi>', value)
    return format_html("<bdi>{}</bdi>", value)


def text_direction(text: str) -> str:
    """"rtl" or "ltr": the direction of the first strong character (what ``dir="auto"`` does in a
    browser), for renderers that do not support ``dir="auto"`` (WeasyPrint). Tags are skipped."""
    import re
    import unicodedata

    for char in re.sub(r"<[^>]*>|&\w+;", "", str(text)):
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


@register.filter(is_safe=True)
def isolate(value) -> SafeString:
    """``value`` in a span of its own direction, isolated from the text around it: Chinese text or a
    number in a Uyghur (right-to-left) page keeps its order, and Uyghur text in a Chinese page
    keeps its own. For PDFs (``.iso-ltr``/``.iso-rtl`` set ``direction`` and ``unicode-bidi``);
    use ``{% filter isolate %}…{% endfilter %}`` around markup that is already escaped. On a
    left-to-right page the value is returned as it is."""
    from django.utils.html import conditional_escape
    from django.utils.translation import get_language_bidi

    text = conditional_escape(value)
    if not get_language_bidi() or not str(text).strip():
        return text
    direction = text_direction(text)
    return format_html('<span class="iso-{}" dir="{}">{}</span>', direction, direction, text)

