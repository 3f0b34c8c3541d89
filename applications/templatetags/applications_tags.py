"""Names for the codes the application pages show (materials, correction targets)."""

from __future__ import annotations

from django import template

from applications.corrections import material_name as _material_name
from applications.corrections import target_label

register = template.Library()


@register.filter
def material_name(code: str) -> str:
    """``work_summary`` → "Work summary" (never the code)."""
    return _material_name(code)


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
