"""SMS, the Django way: a backend chosen in settings, like ``EMAIL_BACKEND``.

``SMS_BACKEND`` names the class; the portal ships

* ``portal.sms.backends.filebased.SmsBackend`` — one text file per message in ``SMS_FILE_PATH``
  (the default for ``make run`` and the tests: read the code of a password reset there);
* ``portal.sms.backends.console.SmsBackend`` — prints each message;
* ``portal.sms.backends.locmem.SmsBackend`` — keeps them in ``portal.sms.outbox``;
* ``portal.sms.backends.http.SmsBackend`` — a real HTTP gateway (``SMS_GATEWAY_*`` settings).

Nothing calls a backend directly: ``portal.delivery`` records the message, and a Celery task sends it
after commit through ``get_connection()`` (docs/messages.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string

#: Messages the locmem backend "sent" (tests).
outbox: list[SmsMessage] = []


@dataclass
class SmsMessage:
    """One text to one mainland mobile number. ``reference`` is the portal's own id of the delivery
    (sent to gateways that accept one, so a retried request is not billed twice); the backend fills
    ``provider_ref`` with the gateway's id when it accepts the message."""

    to: str
    text: str
    reference: str = ""
    provider_ref: str = field(default="", compare=False)


class SmsError(Exception):
    """The message was not accepted. ``retry`` says whether sending again later may succeed
    (timeouts, 5xx, throttling) or not (a number or text the gateway refuses)."""

    def __init__(self, message: str, *, retry: bool = True):
        super().__init__(message)
        self.retry = retry


def get_connection(backend: str | None = None, **kwargs):
    """An instance of the configured SMS backend (``SMS_BACKEND`` unless ``backend`` is given)."""
    return import_string(backend or settings.SMS_BACKEND)(**kwargs)


def send_sms(to: str, text: str, *, reference: str = "", connection=None) -> SmsMessage:
    """Send one SMS now, through ``connection`` or the configured backend; raises ``SmsError``."""
    message = SmsMessage(to=to, text=text, reference=reference)
    (connection or get_connection()).send_messages([message])
    return message
