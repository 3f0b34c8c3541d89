"""Turn service errors into form errors or messages (one place, all views); links from one reversed
prefix."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import Http404
from django.urls import get_script_prefix, get_urlconf, reverse

from portal.errors import NotAllowed, NotFound, PortalError


def form_error(form, error: PortalError) -> None:
    """Attach ``error`` to its field when the form has it, else to the form; every field's error
    when the service found several (``error.errors``)."""
    fields = getattr(form, "fields", {})
    for name, message in (error.errors or {error.field: error.as_text()}).items():
        if name == "password" and "password1" in fields:
            name = "password1"
        form.add_error(name if name in fields else None, str(message))


def run(request, fn: Callable, *args, form=None, success: str | None = None, **kwargs):
    """Call a service; on a user-caused error show it and return None."""
    try:
        result = fn(*args, **kwargs)
    except NotFound:
        raise Http404
    except NotAllowed as error:
        if form is not None:
            form_error(form, error)
        else:
            messages.error(request, error.as_text())
        return None
    except PortalError as error:
        if form is not None:
            form_error(form, error)
        else:
            messages.error(request, error.as_text())
        return None
    if success:
        messages.success(request, success)
    return result


def role_required(*roles: str):
    """Logged in and holding one of ``roles``; others get a 404-free 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not any(request.user.has_role(r) for r in roles):
                from django.core.exceptions import PermissionDenied

                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


#: (script prefix, URLconf, name, args, tail) -> prefix. Bounded: a prefix may hold an id (a call's).
_prefixes: dict[tuple, str] = {}
MAX_PREFIXES = 1024


@receiver(setting_changed)
def _forget_prefixes(**kwargs) -> None:
    """A setting changed (tests): the URLconf may be another."""
    _prefixes.clear()


def link_prefix(name: str, args: Sequence = (0,), tail: str = "0/") -> str:
    """``reverse(name, args=args)`` without its ``tail``: the start of a link that each row ends
    with its own id (``f"{prefix}{pk}/"``), rather than a ``reverse`` or ``{% url %}`` per row
    (issue 15). ``link_prefix("application-detail")`` is ``"/applications/"`` where
    ``reverse("application-detail", args=[7])`` is ``"/applications/7/"``;
    ``link_prefix("review-call-application", [call_id, 0])`` is ``"/review/calls/<call_id>/applications/"``.

    Reversed once per process for each script prefix (``SCRIPT_NAME``) and URLconf, then kept."""
    key = (get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF, name, tuple(args), tail)
    prefix = _prefixes.get(key)
    if prefix is None:
        url = reverse(name, args=args)
        if not url.endswith(tail):
            raise ValueError(f"{url} does not end with {tail}")
        prefix = url.removesuffix(tail)
        if len(_prefixes) >= MAX_PREFIXES:
            _prefixes.clear()
        _prefixes[key] = prefix
    return prefix
