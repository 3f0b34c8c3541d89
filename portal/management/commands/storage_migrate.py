"""Copy the files of a site that kept them on disk into its object store (docs/deployment.md,
"Moving files into the bucket").

    S3_BUCKET=… S3_ENDPOINT_URL=… manage.py storage_migrate                 # MEDIA_ROOT into the bucket
    manage.py storage_migrate --source /srv/portal/media --dry-run          # what would be copied

Every file under the source keeps its key (its path below the source), so the names the database
holds stay right. Each copy is read back and its SHA-256 compared with the file on disk. Running it
again copies only what is new: a key already in the bucket with the same content is skipped; one with
other content is reported as a conflict and left alone, and the command exits with status 1. At the
end it counts the files the database refers to that the bucket still lacks.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.management.base import BaseCommand, CommandError

from portal.storage import referenced_files, storage_migrate


class Command(BaseCommand):
    help = "Copy files from the filesystem (MEDIA_ROOT) into the default storage (the S3 bucket), verifying checksums."

    def add_arguments(self, parser):
        parser.add_argument("--source", default=str(settings.MEDIA_ROOT),
                            help="the folder to copy from (default: MEDIA_ROOT)")
        parser.add_argument("--dry-run", action="store_true", help="list what would be copied, copy nothing")

    def handle(self, *args, source: str, dry_run: bool, verbosity: int, **options):
        root = Path(source).resolve()
        if not root.is_dir():
            raise CommandError(f"{root} is not a folder.")
        target = storages["default"]
        if isinstance(target, FileSystemStorage) and Path(target.location).resolve() == root:
            raise CommandError("The default storage is this same folder: set S3_BUCKET (and S3_ENDPOINT_URL, "
                               "S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY) to copy into the bucket.")
        log = (lambda key: self.stdout.write(f"copied {key}")) if verbosity >= 2 else None
        report = storage_migrate(source=root, target=target, dry_run=dry_run, log=log)
        verb = "would copy" if dry_run else "copied"
        self.stdout.write(f"{verb} {len(report.copied)} files ({report.bytes_copied} bytes); "
                          f"{len(report.already)} already there with the same checksum; "
                          f"{len(report.conflicts)} conflicts; {len(report.failed)} failed verification.")
        for key in report.conflicts:
            self.stderr.write(f"conflict: {key} is in the bucket with other content (left alone)")
        for key in report.failed:
            self.stderr.write(f"failed: {key} read back with another checksum (removed from the bucket)")
        if not dry_run:
            missing = [name for name in referenced_files() if not target.exists(name)]
            self.stdout.write(f"files the database refers to that the storage lacks: {len(missing)}")
            for name in missing[:20]:
                self.stderr.write(f"missing: {name}")
        if not report.ok:
            raise CommandError("Some files were not copied; see above.", returncode=1)
