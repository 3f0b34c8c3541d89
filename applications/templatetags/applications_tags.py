"""Names for the codes the application pages show (materials, correction targets)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from applications.application_services import FIELD_NAMES, MATERIAL_NAMES

register = template.Library()


@register.filter
def material_name(code: str) -> str:
    """``work_summary`` → "Work summary"."""
    return str(MATERIAL_NAMES.get(code, code))


@register.filter
def target_name(code: str) -> str:
    """A correction's target: a field, the achievements, one achievement or a material."""
    if code in FIELD_NAMES:
        return str(FIELD_NAMES[code])
    if code in MATERIAL_NAMES:
        return _("Material: %(name)s") % {"name": MATERIAL_NAMES[code]}
    if code.startswith("achievement:"):
        return _("Achievement no. %(id)s") % {"id": code.split(":", 1)[1]}
    return code
