"""Issue 14 item 5: API tokens are stored hashed, end after 30 idle minutes (and at most 12 hours),
and end on logout, a password change or reset, an account lock, or when the person revokes them
on their settings page."""

from __future__ import annotations

import datetime as dt
import hashlib
from types import SimpleNamespace

from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from portal.models import ApiToken, AuditEvent
from tests.factories import UserFactory

PASSWORD = "Passw0rd!x"


def token_client(key: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def obtain(user) -> str:
    response = APIClient().post("/api/v1/auth/token/", {"username": user.mobile, "password": PASSWORD},
                                format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["expires_in"] == 30 * 60 and body["max_age"] == 12 * 3600
    return body["token"]


def test_token_obtain_keeps_its_contract_and_the_token_opens_the_api():
    user = UserFactory()
    key = obtain(user)
    assert token_client(key).get("/api/v1/me/").json()["user"]["id"] == user.pk
    # By ID number too, as the login page accepts.
    response = APIClient().post("/api/v1/auth/token/", {"username": user.id_number, "password": PASSWORD})
    assert response.status_code == 200


def test_token_obtain_refuses_a_wrong_password_with_a_400():
    user = UserFactory()
    response = APIClient().post("/api/v1/auth/token/", {"username": user.mobile, "password": "wrong"}, format="json")
    assert response.status_code == 400
    assert not ApiToken.objects.filter(user=user).exists()


def test_tokens_are_stored_hashed_never_in_clear():
    user = UserFactory()
    key = obtain(user)
    row = ApiToken.objects.get(user=user)
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {row.key_hash, row.prefix, row.name} and len(row.prefix) < 8
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM portal_apitoken")
        assert key not in repr(cursor.fetchall())


def test_a_token_ends_after_30_idle_minutes():
    user = UserFactory()
    key = obtain(user)
    ApiToken.objects.filter(user=user).update(last_used_at=timezone.now() - dt.timedelta(minutes=29))
    assert token_client(key).get("/api/v1/me/").status_code == 200  # use keeps it alive
    row = ApiToken.objects.get(user=user)
    assert timezone.now() - row.last_used_at < dt.timedelta(minutes=1)
    ApiToken.objects.filter(user=user).update(last_used_at=timezone.now() - dt.timedelta(minutes=31))
    response = token_client(key).get("/api/v1/me/")
    assert response.status_code in (401, 403)  # 403: session auth comes first
    assert not ApiToken.objects.filter(user=user).exists()


def test_a_token_in_use_ends_12_hours_after_it_was_issued():
    user = UserFactory()
    key = obtain(user)
    ApiToken.objects.filter(user=user).update(created_at=timezone.now() - dt.timedelta(hours=12, seconds=1))
    assert token_client(key).get("/api/v1/me/").status_code in (401, 403)


def test_a_token_of_a_deactivated_account_is_refused():
    user = UserFactory()
    key = obtain(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert token_client(key).get("/api/v1/me/").status_code in (401, 403)


def test_an_unknown_or_overlong_token_is_a_401():
    assert token_client("nope").get("/api/v1/me/").status_code in (401, 403)
    assert token_client("x" * 500).get("/api/v1/me/").status_code in (401, 403)


def test_logout_ends_every_api_token_of_the_account():
    user = UserFactory()
    key = obtain(user)
    browser = Client()
    browser.force_login(user)
    browser.post(reverse("logout"))
    assert token_client(key).get("/api/v1/me/").status_code in (401, 403)
    assert AuditEvent.objects.filter(action="user.api_tokens_revoke", object_id=str(user.pk)).exists()


def test_password_change_ends_tokens_and_other_sessions_but_keeps_this_one():
    user = UserFactory()
    key = obtain(user)
    other = Client()
    other.force_login(user)
    here = Client()
    here.force_login(user)
    response = here.post(reverse("password_change"), {"old_password": PASSWORD, "new_password1": "N3w-Passw0rd!",
                                                      "new_password2": "N3w-Passw0rd!"})
    assert response.status_code == 302
    assert token_client(key).get("/api/v1/me/").status_code in (401, 403)
    assert here.get(reverse("notifications")).status_code == 200
    assert other.get(reverse("notifications")).status_code == 302
    assert AuditEvent.objects.filter(action="user.credentials_revoke", object_id=str(user.pk)).exists()


def test_an_account_lock_ends_its_api_tokens(client):
    user = UserFactory()
    key = obtain(user)
    for _ in range(5):
        client.post(reverse("login"), {"username": user.mobile, "password": "wrong-Password1"})
    assert token_client(key).get("/api/v1/me/").status_code in (401, 403)


def test_the_api_revoke_ends_the_token_in_use_only():
    user = UserFactory()
    first, second = obtain(user), obtain(user)
    assert token_client(first).post("/api/v1/auth/token/revoke/").status_code == 204
    assert token_client(first).get("/api/v1/me/").status_code in (401, 403)
    assert token_client(second).get("/api/v1/me/").status_code == 200
    assert APIClient().post("/api/v1/auth/token/revoke/").status_code in (401, 403)


def test_the_settings_page_lists_the_persons_tokens_without_their_keys(client):
    user = UserFactory()
    key = obtain(user)
    stranger_key = obtain(UserFactory())
    client.force_login(user)
    page = client.get(reverse("my-settings")).content.decode()
    assert ApiToken.objects.get(user=user).prefix in page
    assert key not in page and stranger_key[:6] not in page


def test_a_person_revokes_their_own_token_on_the_settings_page_and_no_one_elses(client):
    user, stranger = UserFactory(), UserFactory()
    key, stranger_key = obtain(user), obtain(stranger)
    client.force_login(user)
    stranger_row = ApiToken.objects.get(user=stranger)
    client.post(reverse("my-api-tokens-revoke"), {"token": stranger_row.pk})
    assert token_client(stranger_key).get("/api/v1/me/").status_code == 200
    client.post(reverse("my-api-tokens-revoke"), {"token": ApiToken.objects.get(user=user).pk})
    assert token_client(key).get("/api/v1/me/").status_code in (401, 403)
    assert client.post(reverse("my-api-tokens-revoke"), {"token": "x"}).status_code == 302


def test_revoking_tokens_needs_a_login_and_a_post(client):
    response = client.post(reverse("my-api-tokens-revoke"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    client.force_login(UserFactory())
    assert client.get(reverse("my-api-tokens-revoke")).status_code == 405


def test_plain_drf_tokens_are_hashed_by_the_migration():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("portal.migrations.0015_api_tokens_hashed")
    user = UserFactory()
    plain = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp with time zone,"
                       " user_id bigint)")
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, %s, %s)", [plain, timezone.now(), user.pk])
    # The function reads only ``schema_editor.connection`` (SQLite allows no schema editor in a transaction).
    migration.hash_plain_tokens(apps, SimpleNamespace(connection=connection))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0
        cursor.execute("DROP TABLE authtoken_token")
    row = ApiToken.objects.get(user=user)
    assert row.key_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert token_client(plain).get("/api/v1/me/").status_code == 200
