"""Template helpers of the portal."""

from __future__ import annotations

import json

from django import template
from django.forms.utils import flatatt
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def rule_link(rule: str):
    """``{{ line.rule|rule_link }}``: a rule number as a small link to its text on ``/rules/``."""
    from portal.rules import rule_link as link

    return link(rule)


@register.filter
def as_json(value) -> str:
    """A JSON field as readable JSON (not Python's repr)."""
    if not value:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@register.filter
def local_time(value):
    """A moment kept as text (an ISO 8601 string in a JSON field, UTC or not) or as a datetime → an aware
    datetime that ``|date`` shows in Asia/Shanghai (issue 12 §2). Text that is not a moment is
    returned as it is."""
    import datetime as dt

    from django.utils import timezone

    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value, dt.UTC)
        return timezone.localtime(value)
    return value


@register.simple_tag
def upload_attrs(max_bytes: int | None = None, kind: str = "document") -> SafeString:
    """The attributes of a hand-written file input: accepted types, limit and
    the messages of the browser's check (``portal.uploads.file_input_attrs``)."""
    from portal.uploads import file_input_attrs

    return flatatt(file_input_attrs(max_bytes=max_bytes or None, kind=kind))
