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
