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
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files import File
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


# --- Moving a running site's files into the bucket (manage.py storage_migrate) ------------------

@dataclass
class MigrationReport:
    copied: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # a different file under the same key: left alone
    failed: list[str] = field(default_factory=list)  # read back with another checksum: removed again
    bytes_copied: int = 0

    @property
    def ok(self) -> bool:
        return not self.conflicts and not self.failed


def local_files(root: Path) -> Iterator[tuple[str, Path]]:
    """``(key, path)`` of every regular file under ``root``, keys with ``/``, in a stable order."""
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
        yield path.relative_to(root).as_posix(), path


def storage_migrate(*, source: Path, target, dry_run: bool = False, log=None) -> MigrationReport:
    """Copy every file under ``source`` into ``target`` under the same key, verifying each by its
    SHA-256 read back from ``target``. Idempotent: a key already there with the same content is
    skipped; a key there with other content is a conflict, reported and left alone."""
    report = MigrationReport()
    for key, path in local_files(source):
        local = sha256_of_path(path)
        if target.exists(key):
            (report.already if sha256_of(target, key) == local else report.conflicts).append(key)
            continue
        if dry_run:
            report.copied.append(key)
            continue
        with path.open("rb") as handle:
            stored = target.save(key, File(handle, name=key))
        if stored != key or sha256_of(target, stored) != local:
            target.delete(stored)
            report.failed.append(key)
            continue
        report.copied.append(key)
        report.bytes_copied += path.stat().st_size
        if log is not None:
            log(key)
    return report


def referenced_files() -> Iterator[str]:
    """Every file name a ``FileField`` of an installed model refers to."""
    from django.apps import apps
    from django.db import models

    for model in apps.get_models():
        for model_field in model._meta.get_fields():
            if isinstance(model_field, models.FileField) and model_field.concrete:
                yield from (model._default_manager.exclude(**{model_field.name: ""})
                            .values_list(model_field.name, flat=True).iterator())


def sha256_of_path(path: Path, *, chunk_size: int = 1024 * 1024) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()
