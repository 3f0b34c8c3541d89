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
