"""Test settings: the base settings with fast hashing and files in a temp dir.

``DATABASE_URL`` and ``REDIS_URL`` still choose PostgreSQL and Redis when
set (as ``.ci/run`` does); otherwise SQLite and eager Celery.
"""

import tempfile

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="portal-test-media-")
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# SMS go to files, as with ``make run``; tests read them with ``tests.factories.sms_to`` (conftest
# empties the folder before each test).
SMS_BACKEND = "portal.sms.backends.filebased.SmsBackend"
SMS_FILE_PATH = tempfile.mkdtemp(prefix="portal-test-sms-")
# Tests call tasks eagerly unless an integration test starts a real worker.
CELERY_TASK_ALWAYS_EAGER = True
# Verification events written at once (tests of the buffer turn it on).
CERTIFICATE_VERIFICATION_BUFFER = False
# Files on disk; the S3 path is tested against moto's server (tests/portal/test_storage_s3.py).
STORAGES = {
    "default": {"BACKEND": "portal.storage.PrivateFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_ENABLED = True
# Sessions through the cache, as in production (one test process: its locmem cache is safe too).
SESSION_ENGINE = "portal.sessions"
LANGUAGE_CODE = "zh-hans"
