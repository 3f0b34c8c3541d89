"""Names for the codes the application pages show (materials, correction targets)."""

from __future__ import annotations

from django import template

from applications.application_services import MATERIAL_NAMES
from applications.corrections import target_label

register = template.Library()


@register.filter
def material_name(code: str) -> str:
    """``work_summary`` → "Work summary"."""
    return str(MATERIAL_NAMES.get(code, code))


@register.filter
def target_name(code: str) -> str:
    """A correction's target in words: a field, the achievements, a material,
    one achievement or one file (named "an achievement", "a file" when only
    the code is at hand; pages that have the content use its titles)."""
    return target_label(code)


@register.filter
def get_item(mapping: dict, key):
    """``mapping[key]`` in a template (None when absent)."""
    return mapping.get(key) if mapping else None
