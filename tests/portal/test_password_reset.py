"""Password reset by a one-time code to the registered mobile (SMS) or email: 10 minutes, 5 tries,
limited per account and per address, the same answer whether or not the account exists, and a reset
ends every session and API token of the account."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import authenticate as django_authenticate
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from portal import account_services
from portal.account_services import api_token_issue
from portal.models import ApiToken, AuditEvent, Notification, OneTimeCode
from portal.personal_data import normalize_id_number
from tests.factories import UserFactory, last_code, make_id_number, sms_to

NEW = "Fresh#Pass2026"


def authenticate(*, username: str, password: str):
    """What the login page does with a typed login (axes needs the request)."""
    from django.test import RequestFactory

    return django_authenticate(RequestFactory().post("/accounts/login/"), username=username, password=password)


def ask(client, login, channel="sms"):
    return client.post(reverse("password-reset"), {"login": login, "channel": channel})


def test_login_page_links_to_the_reset(client):
    html = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password-reset")}"' in html


def test_reset_by_sms_with_a_login_by_id_number(client, deliver):
    number = make_id_number(birth="19570101")
    user = UserFactory(id_number=number)
    response = deliver(ask, client, number.lower())
    assert response.status_code == 302 and response["Location"] == reverse("password-reset-code")
    [text] = sms_to(user.mobile)
    assert "10 minutes" in text
    response = deliver(client.post, reverse("password-reset-code"),
                       {"code": last_code(user.mobile), "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert authenticate(username=number, password=NEW) == user
    assert AuditEvent.objects.filter(action="user.password_reset", object_id=str(user.pk)).exists()
    # The person is told by every channel that the password changed.
    assert Notification.objects.filter(recipient=user, topic="security").exists()
    assert any("password was changed" in t or "密码" in t for t in sms_to(user.mobile)[1:])


def test_reset_by_email(client, deliver):
    user = UserFactory(email="liu@example.com")
    deliver(ask, client, user.mobile, channel="email")
    [email] = mail.outbox
    assert email.to == ["liu@example.com"]
    code = re.search(r"\b(\d{6})\b", email.body).group(1)
    assert code in email.subject
    client.post(reverse("password-reset-code"), {"code": code, "new_password1": NEW, "new_password2": NEW})
    assert authenticate(username=user.mobile, password=NEW) == user


def test_the_answer_is_the_same_whether_or_not_the_account_exists(client, deliver):
    user = UserFactory()
    pages = []
    for login in (user.mobile, "13999999999", make_id_number(), "nobody@example.com"):
        c = Client()
        response = deliver(ask, c, login)
        assert response.status_code == 302 and response["Location"] == reverse("password-reset-code")
        pages.append(re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "",
                            c.get(reverse("password-reset-code")).content.decode()))
    assert len(set(pages)) == 1
    assert len(sms_to(user.mobile)) == 1 and sms_to("13999999999") == []
    # A code for a stranger's request never matches anything.
    c = Client()
    deliver(ask, c, "13999999999")
    for guess in ("000000", "123456", "999999"):
        response = c.post(reverse("password-reset-code"), {"code": guess, "new_password1": NEW,
                                                            "new_password2": NEW})
        assert "The code is wrong" in response.content.decode()


def test_a_code_is_good_for_ten_minutes(client, deliver):
    user = UserFactory()
    deliver(ask, client, user.mobile)
    code = last_code(user.mobile)
    row = OneTimeCode.objects.get(user=user)
    assert dt.timedelta(minutes=9, seconds=59) < row.expires_at - row.created_at <= dt.timedelta(minutes=10, seconds=1)
    OneTimeCode.objects.filter(pk=row.pk).update(expires_at=row.created_at)
    response = client.post(reverse("password-reset-code"), {"code": code, "new_password1": NEW, "new_password2": NEW})
    assert "no longer valid" in response.content.decode()
    assert authenticate(username=user.mobile, password=NEW) is None


def test_a_code_is_good_for_five_tries_and_once(client, deliver):
    user = UserFactory()
    deliver(ask, client, user.mobile)
    code = last_code(user.mobile)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        client.post(reverse("password-reset-code"), {"code": wrong, "new_password1": NEW, "new_password2": NEW})
    response = client.post(reverse("password-reset-code"), {"code": code, "new_password1": NEW, "new_password2": NEW})
    assert "Too many wrong codes" in response.content.decode()
    assert authenticate(username=user.mobile, password=NEW) is None
    # A fresh code works once.
    deliver(ask, client, user.mobile)
    code = last_code(user.mobile)
    token = client.session["password_reset_token"]
    account_services.password_reset_confirm(token=token, code=code, new_password=NEW)
    with pytest.raises(Exception, match="no longer valid"):
        account_services.password_reset_confirm(token=token, code=code, new_password="Other#Pass2026")


def test_a_weak_new_password_keeps_the_code(client, deliver):
    user = UserFactory()
    deliver(ask, client, user.mobile)
    code = last_code(user.mobile)
    response = client.post(reverse("password-reset-code"), {"code": code, "new_password1": "short",
                                                              "new_password2": "short"})
    assert "at least 8" in response.content.decode()
    client.post(reverse("password-reset-code"), {"code": code, "new_password1": NEW, "new_password2": NEW})
    assert authenticate(username=user.mobile, password=NEW) == user


def test_codes_are_limited_per_account(client, deliver, settings):
    settings.CODES_PER_ACCOUNT_PER_HOUR = 3
    user = UserFactory(email="a@example.com")
    for channel in ("sms", "email", "sms", "sms", "email"):
        response = deliver(ask, Client(), user.mobile, channel=channel)
        assert response.status_code == 302  # the same answer throughout
    assert len(sms_to(user.mobile)) + len(mail.outbox) == 3


def test_requests_are_limited_per_address(client, settings):
    settings.CODE_REQUESTS_PER_ADDRESS_PER_HOUR = 2
    for n in range(2):
        assert ask(client, f"1390000000{n}").status_code == 302
    response = ask(client, "13900000009")
    assert response.status_code == 200 and "Too many requests" in response.content.decode()


def test_a_reset_ends_every_session_and_api_token(client, deliver):
    user = UserFactory()
    browser = Client()
    browser.force_login(user)
    assert browser.get(reverse("notifications")).status_code == 200
    _token, key = api_token_issue(user=user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").status_code == 200

    deliver(ask, client, user.mobile)
    client.post(reverse("password-reset-code"), {"code": last_code(user.mobile), "new_password1": NEW,
                                                 "new_password2": NEW})
    response = browser.get(reverse("notifications"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert api.get("/api/v1/me/").status_code in (401, 403)
    assert not ApiToken.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(action="user.credentials_revoke", object_id=str(user.pk)).exists()


def test_user_credentials_revoke_ends_sessions_without_a_password_change():
    from portal.services import user_credentials_revoke

    user = UserFactory()
    browser = Client()
    browser.force_login(user)
    api_token_issue(user=user)
    user_credentials_revoke(user=user, reason="lost phone")
    response = browser.get(reverse("notifications"))
    assert response.status_code == 302
    assert not ApiToken.objects.filter(user=user).exists()
    # A new login works.
    browser.force_login(user)
    assert browser.get(reverse("notifications")).status_code == 200


def test_a_reset_lifts_the_lock_of_failed_logins(client, deliver):
    user = UserFactory()
    for _ in range(5):
        client.post(reverse("login"), {"username": user.mobile, "password": "wrong"})
    response = client.post(reverse("login"), {"username": user.mobile, "password": "Passw0rd!x"})
    assert response.status_code in (403, 429) or "locked" in response.content.decode().lower()
    deliver(ask, client, user.mobile)
    client.post(reverse("password-reset-code"), {"code": last_code(user.mobile), "new_password1": NEW,
                                                 "new_password2": NEW})
    response = client.post(reverse("login"), {"username": user.mobile, "password": NEW})
    assert response.status_code == 302


def test_api_reset(deliver):
    user = UserFactory()
    api = APIClient()
    response = deliver(api.post, "/api/v1/accounts/password/reset/", {"login": user.mobile}, format="json")
    assert response.status_code == 202
    unknown = deliver(api.post, "/api/v1/accounts/password/reset/", {"login": "13999999999"}, format="json")
    assert unknown.status_code == 202 and unknown.json()["detail"] == response.json()["detail"]
    response = api.post("/api/v1/accounts/password/reset/confirm/", {
        "token": response.json()["token"], "code": last_code(user.mobile), "new_password": NEW}, format="json")
    assert response.status_code == 200, response.content
    assert authenticate(username=user.mobile, password=NEW) == user


def test_login_by_id_number_as_people_type_it(client):
    number = next(n for n in (make_id_number(birth="19520315") for _ in range(200)) if n.endswith("X"))
    user = UserFactory(id_number=number)
    for typed in (number, number.lower(), f"{number[:6]} {number[6:14]} {number[14:]}",
                  number.translate(str.maketrans("0123456789X", "０１２３４５６７８９ｘ"))):
        assert normalize_id_number(typed) == number
        c = Client()
        response = c.post(reverse("login"), {"username": typed, "password": "Passw0rd!x"})
        assert response.status_code == 302, typed
        assert c.get(reverse("home")).context["user"] == user


def test_the_login_field_has_room_for_an_id_number(client):
    """AuthenticationForm capped the field at the mobile's 11 characters: a browser cut the ID number."""
    html = client.get(reverse("login")).content.decode()
    maxlength = int(re.search(r'name="username"[^>]*maxlength="(\d+)"', html).group(1))
    assert maxlength >= len("650102 19580412 006X")


def test_control_characters_get_the_same_answer_not_an_error(client, deliver):
    response = deliver(ask, client, "139\x000000001")
    # Refused (the NUL middleware's 400, or the form), or answered as for anyone: never a 500.
    assert response.status_code in (200, 302, 400)
    api = APIClient()
    response = api.post("/api/v1/accounts/password/reset/", {"login": "a@b.c\x00"}, format="json")
    assert response.status_code in (202, 400)
    response = api.post("/api/v1/accounts/register/", {"real_name": "张\x00三", "id_number": make_id_number(),
                                                       "mobile": "13811110000", "password": NEW}, format="json")
    body = response.json()
    assert response.status_code == 400 and "real_name" in {**body, **body.get("errors", {})}
