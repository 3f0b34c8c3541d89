"""System checks of a deployment (``manage.py check --deploy``)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register

#: Backends that keep SMS on the server: right for a laptop and the tests, wrong for a deployment.
LOCAL_SMS_BACKENDS = {"portal.sms.backends.filebased.SmsBackend", "portal.sms.backends.console.SmsBackend",
                      "portal.sms.backends.locmem.SmsBackend"}


@register(Tags.security, deploy=True)
def sms_reaches_phones(app_configs, **kwargs):
    """Signup codes, password resets and invitations go by SMS; a deployment needs a gateway."""
    if settings.SMS_BACKEND in LOCAL_SMS_BACKENDS:
        return [Warning(
            f"SMS_BACKEND is {settings.SMS_BACKEND}: no SMS reaches a phone, so nobody can confirm a signup or "
            "reset a password by SMS.",
            hint="Set SMS_BACKEND=portal.sms.backends.http.SmsBackend with SMS_GATEWAY_URL and SMS_GATEWAY_API_KEY "
                 "(docs/deployment.md).",
            id="portal.W001")]
    return []
