"""Settings for every environment, read from the environment (twelve-factor).

Unset variables mean the embedded default: SQLite, eager Celery, console
email, files under ``var/``. ``portal.settings.production`` tightens what a
real deployment must set.
"""

from datetime import timedelta
from pathlib import Path

import environ
import xstatic.pkg.bootstrap as xstatic_bootstrap
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# The embedded default key is for a laptop only; production refuses it.
INSECURE_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=INSECURE_DEV_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "axes",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "portal",
    "applications",
    "certificates",
    "review",
    # Top layer: supervision across the apps (R6); none imports another.
    "integrity",
    "supervision",
    "stats",
]

MIDDLEWARE = [
    "portal.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.middleware.CSPMiddleware",  # django-csp's, the header text built once (issue 15)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.SessionRefreshMiddleware",
    "portal.middleware.LocaleMiddleware",  # Django's, without the path-prefix work we have no use for
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.UserLanguageMiddleware",
    "portal.middleware.NulCharacterRefusalMiddleware",
    "portal.middleware.PrivateCacheMiddleware",
    "portal.middleware.MessageMiddleware",  # Django's, the storage made when first used (issue 15)
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.RequestContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections (issue 15): a new PostgreSQL connection costs ~6 ms a request. Checked
# before reuse, so a connection the server dropped is replaced instead of failing a request.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", env.bool("CONN_HEALTH_CHECKS", default=True))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, with the health check made without a round trip while the connection's
    # socket shows no sign of a closed connection (portal/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "portal.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server and an eager Celery call read while one writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
# PgBouncer in transaction mode between Django and PostgreSQL (docs/deployment.md): each
# transaction may run on another server connection, so nothing may outlive a transaction. No
# server-side cursors (outside a transaction ``.iterator()`` would declare a holdable one); the
# code takes advisory locks and SETs only inside transactions (``pg_advisory_xact_lock``, ``SET
# LOCAL``), which tests/portal/test_pgbouncer.py checks. Django's ``SET TIME ZONE`` at connect is
# a parameter PgBouncer tracks and restores itself.
DATABASE_BEHIND_PGBOUNCER = env.bool("DATABASE_BEHIND_PGBOUNCER", default=False)
if DATABASE_BEHIND_PGBOUNCER:
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- The audit chain (R6.2; docs/audit.md) --------------------------------
# Each service inserts its audit event in its own transaction; a seal pass then chains the
# committed events in commit order (``manage.py audit_sequencer``, Celery beat as a backstop),
# so writers never queue on the chain head. Inline: every writer seals in its own transaction
# under the chain head's lock, one at a time (the embedded SQLite default, which has one writer
# at a time anyway). Events still unchained after AUDIT_CHAIN_STALE_SECONDS are reported.
AUDIT_CHAIN_INLINE = env.bool("AUDIT_CHAIN_INLINE", default=DATABASES["default"]["ENGINE"].endswith("sqlite3"))
AUDIT_CHAIN_STALE_SECONDS = env.int("AUDIT_CHAIN_STALE_SECONDS", default=60)

# --- People and authentication -------------------------------------------
AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "portal.backends.MobileOrIdNumberBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"user_attributes": ("real_name", "mobile", "email")}},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "portal.validators.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Keyed secrets for personal data. Derived from SECRET_KEY on a laptop;
# production requires them explicitly (rotating SECRET_KEY must not make
# stored ID numbers unreadable).
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="")
LOOKUP_HASH_KEY = env.str("LOOKUP_HASH_KEY", default="")

# Sessions end after 30 idle minutes (graded protection level 3). A session is written at most
# once a minute (portal.middleware.SessionRefreshMiddleware), not on every request (issue 15).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = env.int("SESSION_REFRESH_SECONDS", default=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# API tokens (portal.models.ApiToken) follow the same idle rule, and end at the latest after 12 hours.
API_TOKEN_IDLE_SECONDS = env.int("API_TOKEN_IDLE_SECONDS", default=SESSION_COOKIE_AGE)
API_TOKEN_MAX_AGE_SECONDS = env.int("API_TOKEN_MAX_AGE_SECONDS", default=12 * 60 * 60)
# ``last_used_at`` is written at most this often (not on every request).
API_TOKEN_TOUCH_SECONDS = 60
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

# django-axes: 5 failures lock the *account* (not the address) for 30 min.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "portal.security.axes_username"
# Successful logins are logged as ``user:<pk>`` too, never by mobile (portal.security.PortalAxesHandler).
AXES_HANDLER = "portal.security.PortalAxesHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# Government offices sit behind shared NAT addresses: locking an address would
# lock a whole bureau out, so axes locks the account (W006 is deliberate);
# DRF throttles anonymous API traffic per address instead.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
ANONYMOUS_USER_NAME = None

# --- Internationalisation ------------------------------------------------
LANGUAGE_CODE = "zh-hans"
# Uyghur is written right to left (Django's LANG_INFO marks ``ug`` as bidi): base.html then sets
# dir="rtl" and loads Bootstrap's RTL stylesheet. Its name is the language's own, as the switcher shows it.
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("ug", "ئۇيغۇرچە"), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media ----------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "static"))
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
# Bootstrap comes from the xstatic-bootstrap package, served by the app.
STATICFILES_DIRS = [BASE_DIR / "static", ("bootstrap", xstatic_bootstrap.BASE_DIR)]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Files (portal/storage.py; docs/deployment.md, "Files"): under MEDIA_ROOT by default; in a private
# S3 bucket (MinIO, or a cloud's object store) when S3_BUCKET is set, so that every web host and
# every worker sees the same files. Either way keys are random and downloads pass the portal's views.
S3_BUCKET = env.str("S3_BUCKET", default="")
if S3_BUCKET:
    S3_STORAGE_OPTIONS = {
        "bucket_name": S3_BUCKET,
        "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
        "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
        "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
        "region_name": env.str("S3_REGION", default="us-east-1"),
        # "path" for MinIO and most S3-compatible stores; "virtual" for a cloud that wants it.
        "addressing_style": env.str("S3_ADDRESSING_STYLE", default="path"),
        "signature_version": "s3v4",
        "location": env.str("S3_PREFIX", default=""),
        "default_acl": None,
        "file_overwrite": False,
        "querystring_auth": True,
        "querystring_expire": 60,
        # A download is read into memory up to this size, then into a temporary file.
        "max_memory_size": 2 * 1024 * 1024,
    }
    MEDIA_STORAGE = {"BACKEND": "portal.storage.PrivateS3Storage", "OPTIONS": S3_STORAGE_OPTIONS}
else:
    MEDIA_STORAGE = {"BACKEND": "portal.storage.PrivateFileSystemStorage"}
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Uploads (portal/uploads.py, docs/deployment.md): PDF, JPEG or PNG up to 50 MB (a scanned
# document); photos are stored upright, without EXIF, their longest side at most 4,000 px; an
# image claiming more pixels than UPLOAD_IMAGE_MAX_PIXELS (kept below Pillow's own limit) is refused.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=50 * 1024 * 1024)
UPLOAD_IMAGE_MAX_PIXELS = env.int("UPLOAD_IMAGE_MAX_PIXELS", default=80_000_000)
UPLOAD_IMAGE_MAX_SIDE = env.int("UPLOAD_IMAGE_MAX_SIDE", default=4000)
# Spreadsheets (portal/spreadsheets.py): refused before parsing when the .xlsx unpacks to more
# than this, or more than this many times its own size (a zip bomb).
SPREADSHEET_MAX_UNPACKED_BYTES = env.int("SPREADSHEET_MAX_UNPACKED_BYTES", default=40 * 1024 * 1024)
SPREADSHEET_MAX_RATIO = env.int("SPREADSHEET_MAX_RATIO", default=100)
# Anyone may check a certificate PDF (verify by file): the page and the API read at most this.
CERTIFICATE_VERIFY_FILE_MAX_BYTES = env.int("CERTIFICATE_VERIFY_FILE_MAX_BYTES", default=20 * 1024 * 1024)
# A file above 2 MB is streamed to a temporary file, never held in memory; a request body
# other than files (forms, JSON) may hold at most 2.5 MB.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * 1024 * 1024)

# --- Email ---------------------------------------------------------------
globals().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="职称申报评审系统 <noreply@zhicheng.example>")

# --- SMS and one-time codes (docs/messages.md) -----------------------------
# A backend chosen like EMAIL_BACKEND. The default writes one file per message under var/sms/
# (read a password-reset code there); production sets the HTTP gateway.
SMS_BACKEND = env.str("SMS_BACKEND", default="portal.sms.backends.filebased.SmsBackend")
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default=str(VAR_DIR / "sms"))
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_API_KEY = env.str("SMS_GATEWAY_API_KEY", default="")
SMS_GATEWAY_TIMEOUT = env.float("SMS_GATEWAY_TIMEOUT", default=10.0)
SMS_GATEWAY_RETRY_CODES = env.list("SMS_GATEWAY_RETRY_CODES", cast=int, default=[8, 9, 22, 33, 43])
# The approved signature every SMS begins with (an operator in mainland China must register one).
SMS_SIGNATURE = env.str("SMS_SIGNATURE", default="【新疆职称】")
# An SMS or email is tried this many times (with growing pauses) before it is marked failed.
MESSAGE_MAX_ATTEMPTS = env.int("MESSAGE_MAX_ATTEMPTS", default=5)
# One-time codes (password reset, confirming the mobile of a signup): 6 digits, this many minutes,
# this many wrong tries.
ONE_TIME_CODE_MINUTES = env.int("ONE_TIME_CODE_MINUTES", default=10)
ONE_TIME_CODE_TRIES = env.int("ONE_TIME_CODE_TRIES", default=5)
# Rate limits: codes per account (or mobile/email) per hour, and requests per client address per hour.
CODES_PER_ACCOUNT_PER_HOUR = env.int("CODES_PER_ACCOUNT_PER_HOUR", default=5)
CODE_REQUESTS_PER_ADDRESS_PER_HOUR = env.int("CODE_REQUESTS_PER_ADDRESS_PER_HOUR", default=20)

# --- Cache and Celery ----------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # Django's Redis backend, reusing one client per connection pool (portal/cache.py).
    CACHES = {"default": {"BACKEND": "portal.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions are kept in PostgreSQL and read through the Redis cache: a logged-in page reads its
# session without a database query (issue 15; portal/sessions.py checks each expiry). Written to both;
# a cache that is down or emptied falls back to the database: nobody is logged out. Only with Redis:
# a cache of each process (locmem) would keep a session another process logged out.
SESSION_ENGINE = env.str("SESSION_ENGINE", default="portal.sessions" if REDIS_URL else
                         "django.contrib.sessions.backends.db")
# Rendered fragments that depend only on the code and the language ({% cache … using="fragments" %};
# base.html has its own frame, portal/templatetags/shell.py): kept in each process, emptied when it
# restarts with new code (issue 15).
CACHES["fragments"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fragments",
                       "TIMEOUT": None, "OPTIONS": {"MAX_ENTRIES": 1000}}
# The open calls the applicant's dashboard lists are kept in each process under a calls version in
# Redis that any committed change of a call or a series renews (applications/open_calls.py). Only
# with Redis: a cache of each process would not see the other processes' changes.
OPEN_CALLS_KEPT = bool(REDIS_URL)

# Verification events of the public verify endpoints go to a Redis list and are written in batches
# by beat (certificates/verification_log.py); without Redis they are written at once.
CERTIFICATE_VERIFICATION_BUFFER = env.bool("CERTIFICATE_VERIFICATION_BUFFER", default=bool(REDIS_URL))
# Seconds a certificate's public record stays in Redis for the verify API (issue 15): each save
# rewrites it on commit; the expiry bounds how long an edit behind the services' back goes unseen.
CERTIFICATE_PUBLIC_RECORD_TTL = env.int("CERTIFICATE_PUBLIC_RECORD_TTL", default=600)
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE: dict = {
    # The audit chain's seal pass, in case ``manage.py audit_sequencer`` is not running (a pass
    # finds nothing to do, or skips while the sequencer holds the chain head).
    "audit-chain-seal": {"task": "portal.tasks.seal_audit_chain", "schedule": 5.0, "options": {"expires": 5}},
    # Verification events buffered in Redis by the public verify endpoints, written in batches.
    "certificate-verification-events": {"task": "certificates.tasks.verification_events_flush", "schedule": 10.0,
                                        "options": {"expires": 10}},
    "verify-audit-chain-nightly": {"task": "portal.tasks.verify_audit_chain_nightly",
                                   "schedule": crontab(hour=2, minute=30)},
    # The email outbox of bulk notifications (certificate batches); it also
    # sends any email whose own task was lost (row locks keep it to one send).
    "notification-email-outbox": {"task": "portal.tasks.send_pending_notification_emails",
                                  "schedule": 60.0, "kwargs": {"min_age_seconds": 0}},
    # SMS and emails still queued (bulk work, or a task lost with its worker) go out; files a form
    # kept for its next submit are removed after a day.
    "message-outbox": {"task": "portal.tasks.send_queued_messages", "schedule": 60.0},
    "pending-uploads-cleanup": {"task": "portal.tasks.pending_uploads_cleanup", "schedule": crontab(minute=10)},
    # Applications: deadline reminders (7, 3, 1 days before) and the end of unit publicity (R5.5).
    "applications-deadline-reminders": {"task": "applications.tasks.send_deadline_reminders",
                                        "schedule": crontab(hour=8, minute=0)},
    "applications-close-unit-publicity": {"task": "applications.tasks.close_unit_publicity",
                                          "schedule": crontab(hour=0, minute=15)},
    # Review: expired committee filings lapse (R2.3); result publicity periods close (R5.6).
    "review-lapse-expired-committees": {"task": "review.tasks.lapse_expired_committees",
                                        "schedule": crontab(hour=0, minute=5)},
    "review-close-due-publicity": {"task": "review.tasks.close_due_publicity",
                                   "schedule": crontab(hour=0, minute=20)},
    # Supervision: pass rates over their ceiling (R6.7) and late filings (R2.4) raise alerts.
    "supervision-check-oversight-alerts": {"task": "supervision.tasks.check_oversight_alerts",
                                           "schedule": crontab(minute=40)},
    # Certificates: batch work queued a quarter of an hour ago and still not done
    # (a worker killed and not restarted holds its messages for the broker's
    # visibility timeout, an hour) is queued again; the tasks are idempotent.
    "certificates-requeue-stale": {"task": "certificates.tasks.requeue_stale_certificate_work",
                                   "schedule": 300.0, "kwargs": {"older_than_seconds": 900}},
    # Batch work that stalled (the broker lost its queue, a worker died holding messages): no
    # progress for 60 s and held by no worker or queued message is queued again, so a batch
    # moves again within about 90 s (certificates/recovery.py).
    "certificates-requeue-stalled": {"task": "certificates.tasks.requeue_stalled_certificate_work",
                                     "schedule": 30.0, "kwargs": {"stall_seconds": 60}, "options": {"expires": 30}},
    # PDFs written by a worker killed before it recorded them: deleted once older than any task runs.
    "certificates-pdf-orphans": {"task": "certificates.tasks.sweep_orphan_certificate_pdfs",
                                 "schedule": crontab(minute=25)},
    # Stats: aggregate tables recomputed from applications and certificates every 15 minutes.
    "stats-refresh": {"task": "stats.tasks.refresh_stats", "schedule": crontab(minute="*/15")},
}

# --- REST framework and OpenAPI ------------------------------------------
# The client's address (throttles, rate limits, audit events; issue 14.8): X-Forwarded-For is
# believed only from our own proxies: TRUSTED_PROXIES (addresses or networks) or, failing that,
# NUM_PROXIES proxies in front of the app. Neither set: the header is ignored.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

REST_FRAMEWORK = {
    # portal.middleware.ClientAddressMiddleware has already put the client's address in
    # REMOTE_ADDR: DRF's throttles must not read X-Forwarded-For again.
    "NUM_PROXIES": 0,
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "portal.authentication.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # DRF's JSON parser, but a body that is not JSON is answered in the caller's language.
    "DEFAULT_PARSER_CLASSES": [
        "portal.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # DRF's negotiation, its choice remembered per Accept header (issue 15: 3-4 % of an autosave).
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "portal.negotiation.RememberedContentNegotiation",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "portal.api.exception_handler",
    # Only views that name a throttle_scope are throttled (public forms and
    # checks); anonymous traffic as a whole is capped per address.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.ScopedRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": "120/minute", "user": "600/minute", "public_form": "20/hour",
                               "eligibility_check": "300/minute"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "职称申报评审系统 API",
    "DESCRIPTION": "Professional title portal (新人社发〔2023〕70号).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"LevelEnum": "applications.models.Level",
                            "FraudCaseStatusEnum": "integrity.models.FraudCase.Status",
                            "RecognitionDecisionEnum": "review.models.RecognitionAssessment.Decision",
                            "ChannelEnum": "applications.choices.Channel",
                            "MessageChannelEnum": "portal.models.MessageDelivery.Channel"},
}

# --- Security ------------------------------------------------------------
# Only the site's own assets; no inline script anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Logging -------------------------------------------------------------
# Every handler passes through the redaction filter: ID numbers and mobile
# numbers never reach a log line.
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_personal_data": {"()": "portal.logging.RedactPersonalDataFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # WeasyPrint logs seven INFO lines of progress per page, some at import.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint.progress": {"level": "WARNING"}},
}

# --- Domain settings (defaults; bureaus change them in data) --------------
PORTAL = {
    "ENTERPRISE_LICENCE_TYPES": ("application/pdf", "image/jpeg", "image/png"),
    "INVITATION_DAYS": 14,
}

# Certificates (docs/certificates.md): "EdDSA" (Ed25519, default) or "SM2" (SM2 with SM3).
CERTIFICATE_SIGNING_ALGORITHM = env.str("CERTIFICATE_SIGNING_ALGORITHM", default="EdDSA")
# Public verification rate limits per client address: the API (a DRF rate) and the pages
# (requests per minute, shared by number, QR and file checks). Always on; benches raise them.
CERTIFICATE_VERIFY_RATE = env.str("CERTIFICATE_VERIFY_RATE", default="30/minute")
CERTIFICATE_VERIFY_PAGE_LIMIT = (env.int("CERTIFICATE_VERIFY_PAGE_LIMIT", default=30), 60)
