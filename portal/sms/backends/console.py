"""Print each SMS (a developer's terminal)."""

from __future__ import annotations

import sys
import threading

from django.utils import timezone

from portal.sms.backends.base import BaseSmsBackend


class SmsBackend(BaseSmsBackend):
    def __init__(self, *, stream=None, **kwargs):
        super().__init__(**kwargs)
        self.stream = stream or sys.stdout
        self._lock = threading.RLock()

    def send_messages(self, messages) -> int:
        with self._lock:
            for message in messages:
                self.stream.write(f"SMS to: {message.to}\nDate: {timezone.localtime():%Y-%m-%d %H:%M:%S}\n\n"
                                  f"{message.text}\n{'-' * 60}\n")
                message.provider_ref = f"console:{message.reference}"
            self.stream.flush()
        return len(messages)
