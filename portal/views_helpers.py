"""Turn service errors into form errors or messages (one place, all views)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404

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
