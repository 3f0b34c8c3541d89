"""One text file per SMS in ``SMS_FILE_PATH`` (``var/sms/`` by default): the backend of ``make run`` and
the tests. A file is named ``<date>-<time>-<microseconds>-<mobile>.txt`` so the newest message to a
number is ``ls SMS_FILE_PATH | grep <mobile> | tail -1``. Files are written whole, then renamed, so a
reader never sees half a message."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from portal.sms import SmsError
from portal.sms.backends.base import BaseSmsBackend


class SmsBackend(BaseSmsBackend):
    def __init__(self, *, file_path: str | os.PathLike | None = None, **kwargs):
        super().__init__(**kwargs)
        path = file_path or getattr(settings, "SMS_FILE_PATH", None)
        if not path:
            raise ImproperlyConfigured("The file SMS backend needs SMS_FILE_PATH.")
        self.file_path = Path(path)
        self.file_path.mkdir(parents=True, exist_ok=True)

    def send_messages(self, messages) -> int:
        for message in messages:
            now = timezone.localtime()
            name = f"{now:%Y%m%d-%H%M%S}-{now:%f}-{message.to}.txt"
            text = (f"To: {message.to}\nDate: {now:%Y-%m-%d %H:%M:%S %z}\nReference: {message.reference}\n\n"
                    f"{message.text}\n")
            try:
                fd, temporary = tempfile.mkstemp(dir=self.file_path, prefix=".sms-")
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(text)
                os.replace(temporary, self.file_path / name)
            except OSError as error:
                raise SmsError(f"could not write the SMS file: {error.strerror}") from error
            message.provider_ref = f"file:{name}"
        return len(messages)


def read_messages(path: str | os.PathLike | None = None, *, to: str | None = None) -> list[dict]:
    """The messages in the folder, oldest first, as ``{"to", "date", "reference", "text", "file"}``
    (for tests and the docs' examples)."""
    folder = Path(path or settings.SMS_FILE_PATH)
    found = []
    for file in sorted(folder.glob("*.txt")):
        head, _blank, text = file.read_text(encoding="utf-8").partition("\n\n")
        fields = dict(line.split(": ", 1) for line in head.splitlines() if ": " in line)
        if to and fields.get("To") != to:
            continue
        found.append({"to": fields.get("To", ""), "date": fields.get("Date", ""),
                      "reference": fields.get("Reference", ""), "text": text.rstrip("\n"), "file": file.name})
    return found
