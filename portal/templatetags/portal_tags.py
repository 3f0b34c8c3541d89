"""Template helpers of the portal."""

from __future__ import annotations

import json

from django import template
from django.forms.utils import flatatt
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def as_json(value) -> str:
    """A JSON field as readable JSON (not Python's repr)."""
    if not value:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@register.simple_tag
def upload_attrs(max_bytes: int | None = None, kind: str = "document") -> SafeString:
    """The attributes of a hand-written file input: accepted types, limit and
    the messages of the browser's check (``portal.uploads.file_input_attrs``)."""
    from portal.uploads import file_input_attrs

    return flatatt(file_input_attrs(max_bytes=max_bytes or None, kind=kind))
