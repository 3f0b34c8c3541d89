"""Where files live (docs/deployment.md, "Files"): the filesystem by default, an S3 bucket
when ``S3_BUCKET`` is set, so that every web host and every worker sees the same files.

Both backends name what they store the same way: the folder the field asks for
(``applications/2026/12/``) and a random name of 128 bits with the file's extension, never the
user's file name, so a key cannot be guessed from anything a person knows (a certificate number,
an applicant's name, a date). Nothing is served from storage directly: every download goes
through a view that checks who may see it and streams the file (``MEDIA_URL`` is not routed, and
the bucket is private).
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import secrets

from django.core.files.storage import FileSystemStorage

_EXTENSION = re.compile(r"^\.[a-z0-9]{1,8}$")


def unguessable_name(name: str) -> str:
    """``name``'s folder with a fresh random file name and the lower-cased extension."""
    folder, base = posixpath.split(name.replace("\\", "/"))
    extension = posixpath.splitext(base)[1].lower()
    if not _EXTENSION.match(extension):
        extension = ""
    return posixpath.join(folder, secrets.token_hex(16) + extension)


class UnguessableNamesMixin:
    """A storage whose uploaded files get random names (``FileField`` uploads pass here)."""

    def generate_filename(self, filename: str) -> str:
        return super().generate_filename(unguessable_name(filename))


class PrivateFileSystemStorage(UnguessableNamesMixin, FileSystemStorage):
    """Files under ``MEDIA_ROOT``: one host (``make run``, tests, a single server)."""


try:
    from storages.backends.s3 import S3Storage
except ImportError:  # pragma: no cover - django-storages is in requirements.txt
    S3Storage = None

if S3Storage is not None:

    class PrivateS3Storage(UnguessableNamesMixin, S3Storage):
        """Files in a private S3 bucket (MinIO or a cloud's object store): any number of hosts.

        Objects are written without an ACL (the bucket's private default) and never overwritten
        (``file_overwrite`` is off: a name taken gets another); reads are signed requests from the
        portal itself.
        """


def sha256_of(storage, name: str, *, chunk_size: int = 1024 * 1024) -> str:
    """The SHA-256 of a stored file, read in chunks."""
    digest = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        for chunk in iter(lambda: handle.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()
