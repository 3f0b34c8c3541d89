"""Security helpers: the identifier django-axes records for a login attempt.

Axes stores and logs the "username" of every failed attempt. Ours is a
mobile or an ID number, which must never be stored or logged in clear, so
axes is given the user's id when the login names an account (locking the
account whichever identifier was used), else a keyed hash.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from django.db import router, transaction

from portal import personal_data


def axes_username(request, credentials) -> str | None:
    login = None
    if credentials:
        login = credentials.get("username") or credentials.get("mobile")
    if login is None and request is not None and hasattr(request, "POST"):
        login = request.POST.get("username")
    if not login:
        return None
    return axes_stored_username(login)


def keep_private(response):
    """Headers of a public page or answer that concerns a person or a report
    (verification, fraud reports): out of search engines and shared caches,
    and the referrer (a QR code's URL) stays on this site. Not
    "no-referrer": with it Chromium posts the page's own forms with
    "Origin: null", which the CSRF check refuses."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    return response


def axes_stored_username(login: str, *, users=None) -> str:
    """What axes stores for a typed login: ``user:<pk>`` when it names an account, else a keyed hash.
    A login typed as ``user:<pk>`` is hashed like any other, so no one locks an account by its id.
    ``users`` is the User manager (a migration passes its historical one)."""
    if users is None:
        from portal.models import User

        user = User.objects.get_by_login(login)
    else:
        user = None
        try:
            user = users.filter(mobile=personal_data.normalize_mobile(login)).first()
        except Exception:  # noqa: BLE001 - not a mobile; try an ID number
            try:
                user = users.filter(id_number_hash=personal_data.lookup_hash(
                    personal_data.normalize_id_number(login))).first()
            except Exception:  # noqa: BLE001
                user = None
    if user is not None:
        return f"user:{user.pk}"
    return "unknown:" + personal_data.lookup_hash(login.strip().upper())[:24]


class PortalAxesHandler(AxesDatabaseHandler):
    """django-axes' database handler, but a successful login's ``AccessLog`` row names the account
    ``user:<pk>``, as failures do, never by its mobile (which axes takes from ``get_username()``).
    The row is renamed in the same transaction it is written in, so the mobile is never committed."""

    def user_logged_in(self, sender, request, user, **kwargs):
        from axes.models import AccessLog

        with transaction.atomic(using=router.db_for_write(AccessLog)):
            super().user_logged_in(sender, request, user, **kwargs)
            AccessLog.objects.filter(username=user.get_username()).update(username=f"user:{user.pk}")

    def user_logged_out(self, sender, request, user, **kwargs):
        from axes.conf import settings as axes_settings
        from axes.helpers import get_client_session_hash
        from axes.models import AccessLog

        self.clean_expired_user_attempts(request, {"username": user.get_username()} if user else None)
        if user is not None and not axes_settings.AXES_DISABLE_ACCESS_LOG:
            AccessLog.objects.filter(username=f"user:{user.pk}", logout_time__isnull=True,
                                     session_hash=get_client_session_hash(request),
                                     ).update(logout_time=request.axes_attempt_time)
