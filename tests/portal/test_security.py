"""Security baseline (graded protection level 3)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse

from portal.models import AuditEvent
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]


def test_SEC_five_failed_logins_lock_the_account_and_are_audited(client):
    user = UserFactory(mobile="13712345678")
    for _ in range(5):
        client.post(reverse("login"), {"username": user.mobile, "password": "wrong-Password1"})
    # Now even the right password is refused, and by ID number too (same account).
    response = client.post(reverse("login"), {"username": user.mobile, "password": "Passw0rd!x"})
    assert response.status_code == 429 or b"locked" in response.content.lower()
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("login"), {"username": user.id_number, "password": "Passw0rd!x"})
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.locked_out").exists()
    stored = " ".join(AccessAttempt.objects.values_list("username", flat=True))
    assert user.mobile not in stored and user.id_number not in stored


def test_SEC_successful_login_with_mobile(client):
    user = UserFactory()
    client.post(reverse("login"), {"username": user.mobile, "password": "Passw0rd!x"})
    assert client.session["_auth_user_id"] == str(user.pk)


def test_SEC_sessions_end_after_30_idle_minutes():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_REFRESH_SECONDS == 60  # written at most once a minute (issue 15)


def test_SEC_content_security_policy_allows_only_own_assets(client):
    header = client.get(reverse("home"))["Content-Security-Policy"]
    assert "default-src 'self'" in header and "script-src 'self'" in header
    assert "unsafe-inline" not in header and "http" not in header


def _run(env_extra: dict, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "FIELD_ENCRYPTION_KEY", "LOOKUP_HASH_KEY")}
    env.update({"DJANGO_SETTINGS_MODULE": "portal.settings.production", "ALLOWED_HOSTS": "portal.example.gov.cn"})
    env.update(env_extra)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def test_SEC_production_refuses_to_start_without_a_secret_key():
    result = _run({}, "check")
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_SEC_production_passes_check_deploy():
    result = _run({"SECRET_KEY": "x" * 20 + "A-very-random-production-secret-key-0123456789!@#",
                   "FIELD_ENCRYPTION_KEY": "k2JY5jAP0F4dJ3iJXPDRd5tI-6E9-t3tZkFvJ0V6mX8=",
                   "LOOKUP_HASH_KEY": "another-long-random-key-for-hmac-lookups-0123456789",
                   "SMS_BACKEND": "portal.sms.backends.http.SmsBackend", "SMS_GATEWAY_API_KEY": "gateway-key"},
                  "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_SEC_check_deploy_warns_when_no_sms_reaches_a_phone():
    result = _run({"SECRET_KEY": "x" * 20 + "A-very-random-production-secret-key-0123456789!@#",
                   "FIELD_ENCRYPTION_KEY": "k2JY5jAP0F4dJ3iJXPDRd5tI-6E9-t3tZkFvJ0V6mX8=",
                   "LOOKUP_HASH_KEY": "another-long-random-key-for-hmac-lookups-0123456789",
                   "SMS_BACKEND": "portal.sms.backends.filebased.SmsBackend"},
                  "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0 and "portal.W001" in result.stdout + result.stderr


def test_SEC_successful_logins_are_logged_by_account_never_by_mobile(client):
    from axes.models import AccessLog

    user = UserFactory()
    client.post(reverse("login"), {"username": user.mobile, "password": "Passw0rd!x"})
    assert client.session["_auth_user_id"] == str(user.pk)
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": user.id_number, "password": "Passw0rd!x"})
    rows = list(AccessLog.objects.values_list("username", "logout_time"))
    assert [name for name, _out in rows] == [f"user:{user.pk}"] * 2
    assert sum(out is not None for _name, out in rows) == 1  # the logout is recorded on its row
    assert user.mobile not in repr(rows) and user.id_number not in repr(rows)


def test_SEC_a_login_typed_as_an_account_id_does_not_count_against_that_account(client):
    user = UserFactory()
    for _ in range(5):
        client.post(reverse("login"), {"username": f"user:{user.pk}", "password": "wrong-Password1"})
    client.post(reverse("login"), {"username": user.mobile, "password": "Passw0rd!x"})
    assert client.session["_auth_user_id"] == str(user.pk)


def test_SEC_the_migration_replaces_mobiles_stored_by_axes():
    import importlib

    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.apps import apps
    from django.utils import timezone

    migration = importlib.import_module("portal.migrations.0016_axes_logs_without_mobiles")
    user = UserFactory()
    now = timezone.now()
    common = {"ip_address": "10.0.0.9", "user_agent": "ua", "http_accept": "*/*", "path_info": "/accounts/login/",
              "attempt_time": now}
    AccessLog.objects.create(username=user.mobile, **common)
    AccessLog.objects.create(username="13000000000", **common)  # no such account
    AccessFailureLog.objects.create(username=user.id_number, locked_out=False, **common)
    AccessAttempt.objects.create(username=user.mobile, failures_since_start=2, get_data="", post_data="", **common)
    AccessAttempt.objects.create(username=user.id_number, failures_since_start=1, get_data="", post_data="",
                                 **common)
    migration.name_accounts_not_mobiles(apps, None)
    stored = [*AccessLog.objects.values_list("username", flat=True),
              *AccessFailureLog.objects.values_list("username", flat=True),
              *AccessAttempt.objects.values_list("username", flat=True)]
    assert user.mobile not in repr(stored) and user.id_number not in repr(stored) and "13000000000" not in repr(stored)
    assert AccessLog.objects.filter(username=f"user:{user.pk}").count() == 1
    assert AccessLog.objects.filter(username__startswith="unknown:").count() == 1
    assert list(AccessAttempt.objects.values_list("username", "failures_since_start")) == [(f"user:{user.pk}", 3)]
