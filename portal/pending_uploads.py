"""Files kept between two submits of a form.

A form with a file and other fields fails on a wrong field far more often than on the file. When the
file passed its checks, ``pending_upload_keep`` stores it and gives the form a token to carry in a
hidden field; the next submit without a new file uses the kept one (``pending_upload_open``), so a
6 MB licence is not sent again from a phone. A kept file belongs to the browser session that sent it
(keyed hashes of the token and of the session key), is used once, and is removed after a day
(Celery beat, ``portal.tasks.pending_uploads_cleanup``).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from django.core.files.base import File
from django.db import transaction
from django.utils import timezone

from portal import personal_data
from portal.models import PendingUpload

logger = logging.getLogger(__name__)

#: How long a kept file waits for its form.
KEEP_FOR = dt.timedelta(days=1)


def _session_hash(request) -> str:
    if not request.session.session_key:
        request.session.save()
    return personal_data.lookup_hash(f"session:{request.session.session_key}")


def _token_hash(token: str) -> str:
    return personal_data.lookup_hash(f"pending-upload:{token}")


def pending_upload_keep(*, request, purpose: str, upload) -> tuple[str, PendingUpload]:
    """Keep ``upload`` (already validated) for this session; returns the token and the row."""
    token = secrets.token_urlsafe(24)
    upload.seek(0)
    row = PendingUpload(token_hash=_token_hash(token), session_hash=_session_hash(request), purpose=purpose,
                        original_name=(upload.name or "upload")[-120:], size=upload.size)
    row.file.save(row.original_name[-80:], upload, save=False)
    row.save()
    upload.seek(0)
    return token, row


def pending_upload_get(*, request, purpose: str, token: str) -> PendingUpload | None:
    """The file this session kept under ``token``, or ``None`` (unknown, another session's, expired)."""
    if not token or len(token) > 64 or not request.session.session_key:
        return None
    return PendingUpload.objects.filter(token_hash=_token_hash(token), purpose=purpose,
                                        session_hash=_session_hash(request),
                                        created_at__gte=timezone.now() - KEEP_FOR).first()


def pending_upload_open(row: PendingUpload) -> File:
    """The kept file as an upload a service accepts (name, size, read, seek)."""
    handle = row.file.open("rb")
    upload = File(handle, name=row.original_name)
    upload.size = row.size
    return upload


def pending_upload_discard(row: PendingUpload) -> None:
    """Remove the row now and its file once the transaction commits (the service copied it)."""
    name, storage = row.file.name, row.file.storage
    row.delete()
    transaction.on_commit(lambda: storage.delete(name) if name else None)


def pending_uploads_purge(*, now: dt.datetime | None = None) -> int:
    """Remove kept files older than ``KEEP_FOR``; returns how many."""
    cutoff = (now or timezone.now()) - KEEP_FOR
    removed = 0
    for row in PendingUpload.objects.filter(created_at__lt=cutoff).iterator():
        try:
            row.file.storage.delete(row.file.name)
        except OSError:
            logger.warning("pending upload %s: file already gone", row.pk)
        row.delete()
        removed += 1
    return removed
