"""Authentication events raised by django-axes and Django: audited, and a lock or a logout ends the
credentials it should."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver


@receiver(user_locked_out)
def audit_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    from portal.audit import audit_record

    audit_record(actor=None, action="auth.locked_out", object_type="portal.user",
                 object_id=str(username or "")[:64], after={"ip": ip_address})


@receiver(user_locked_out)
def revoke_credentials_on_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    """A locked account (too many failed logins, ``portal.security.axes_username`` names it
    ``user:<pk>``) loses every session and API token (issue 14): an account under attack is put in
    a known state, and its owner logs in again after the lock or resets the password."""
    from portal.account_services import user_credentials_revoke
    from portal.models import User

    if not str(username or "").startswith("user:"):
        return
    user = User.objects.filter(pk=str(username)[5:]).first() if str(username)[5:].isdigit() else None
    if user is not None:
        user_credentials_revoke(user=user, reason="account locked after failed logins")


@receiver(user_logged_out)
def revoke_api_tokens_on_logout(sender, request=None, user=None, **kwargs):
    """Logging out ends that session (Django) and every API token of the account: a token is a
    login too, and the person who logs out means to be out. Other browser sessions stay (a person
    ends them all with a password change)."""
    from portal.account_services import api_tokens_revoke

    if user is not None and user.is_authenticated:
        api_tokens_revoke(user=user, reason="logout")


@receiver(user_logged_in)
def session_refreshed_at_login(sender, request, user, **kwargs):
    """A login writes the session anyway: stamp it as refreshed now, so the first request after
    the login does not write it a second time (``SessionRefreshMiddleware``)."""
    session = getattr(request, "session", None)
    if session is not None:
        from django.utils import timezone

        from portal.middleware import REFRESHED_KEY

        session[REFRESHED_KEY] = int(timezone.now().timestamp())
