"""Right-to-left helpers: the language switcher's entries, and isolation of left-to-right pieces
(numbers, certificate numbers, mobiles, dates, Chinese names) inside Uyghur text."""

from __future__ import annotations

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


@register.filter
def bdi(value) -> SafeString:
    """``value`` in a ``<bdi>``: it keeps its own direction inside text of the other direction, so
    "139****0000" or "2026-12-03 14:05" is not reordered in a Uyghur sentence. Escapes the value."""
    if value is None or value == "":
        return format_html("{}", "")
    return format_html("<bdi>{}</bdi>", value)
