"""Security helpers: the identifier django-axes records for a login attempt.

Axes stores and logs the "username" of every failed attempt. Ours is a
mobile or an ID number, which must never be stored or logged in clear, so
axes is given the user's id when the login names an account (locking the
account whichever identifier was used), else a keyed hash.
"""

from __future__ import annotations

from portal import personal_data


def axes_username(request, credentials) -> str | None:
    from portal.models import User

    login = None
    if credentials:
        login = credentials.get("username") or credentials.get("mobile")
    if login is None and request is not None and hasattr(request, "POST"):
        login = request.POST.get("username")
    if not login:
        return None
    user = User.objects.get_by_login(login)
    if user is not None:
        return f"user:{user.pk}"
    return "unknown:" + personal_data.lookup_hash(login.strip().upper())[:24]
