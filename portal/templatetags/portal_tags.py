"""Template helpers of the portal."""

from __future__ import annotations

import json

from django import template

register = template.Library()


@register.filter
def as_json(value) -> str:
    """A JSON field as readable JSON (not Python's repr)."""
    if not value:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
