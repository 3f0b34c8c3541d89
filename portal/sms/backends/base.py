"""The interface every SMS backend implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from portal.sms import SmsMessage


class BaseSmsBackend(ABC):
    """Subclasses implement ``send_messages``: send each message or raise ``portal.sms.SmsError``,
    and return how many were sent. Mirrors ``django.core.mail.backends.base.BaseEmailBackend``."""

    def __init__(self, fail_silently: bool = False, **kwargs):
        self.fail_silently = fail_silently

    def open(self):
        return None

    def close(self):
        return None

    def __enter__(self):
        self.open()
        return self

    def __exit__(self, *exc):
        self.close()

    @abstractmethod
    def send_messages(self, messages: Sequence[SmsMessage]) -> int:
        """Send each message (or raise ``portal.sms.SmsError``); return how many were sent."""
