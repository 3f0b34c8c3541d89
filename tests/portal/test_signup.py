"""Signing up and registering an enterprise as people can finish it: every error at once next to its
field, what was typed kept (passwords excepted), a licence kept across a failed submit, the mobile
confirmed by a code, and never a word to a stranger about whether an ID number or mobile is taken."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse
from stdnum.cn import ric

from portal.models import AuditEvent, Notification, Organization, PendingUpload, Role, User
from tests.factories import UserFactory, last_code, make_id_number, make_uscc, region, sms_to

PASSWORD = "Secret#2026"


def older_id(birth: str = "19580412", district: str = "650102") -> str:
    """A real-shaped ID number of someone born before their district code existed."""
    body = f"{district}{birth}321"
    return body + ric.calc_check_digit(body + "0")


def signup_data(**overrides):
    data = {"real_name": "阿不都热合曼", "id_number": older_id(), "mobile": "13766667777", "email": "",
            "password1": PASSWORD, "password2": PASSWORD}
    data.update(overrides)
    return data


def test_signup_of_an_older_applicant_confirms_the_mobile_and_logs_in(client, deliver):
    number = older_id()
    response = deliver(client.post, reverse("signup"), signup_data(id_number=number[:-1] + number[-1].lower()))
    assert response.status_code == 302 and response["Location"] == reverse("signup-confirm")
    assert not User.objects.filter(mobile="13766667777").exists()
    page = client.get(reverse("signup-confirm")).content.decode()
    assert "137****7777" in page and "13766667777" not in page
    response = client.post(reverse("signup-confirm"), {"code": last_code("13766667777")})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    user = User.objects.get(mobile="13766667777")
    assert user.id_number == number and user.has_role(Role.APPLICANT)
    assert client.get(reverse("home")).context["user"] == user
    assert AuditEvent.objects.filter(action="user.register", object_id=str(user.pk)).exists()


def test_every_error_shows_at_once_next_to_its_field_and_typing_is_kept(client):
    response = client.post(reverse("signup"), signup_data(
        real_name="  ", id_number="650102195804123219", mobile="1376666", password1="short", password2="shorter",
        email="not-an-email"))
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"real_name", "id_number", "mobile", "email", "password1", "password2"}
    html = response.content.decode()
    assert 'value="650102195804123219"' in html and 'value="1376666"' in html and 'value="not-an-email"' in html
    assert "short" not in re.findall(r'name="password\d"[^>]*value="([^"]*)"', html)
    assert not re.search(r'name="password1"[^>]*value=', html)
    assert not User.objects.exists() or not User.objects.filter(mobile="1376666").exists()


@pytest.mark.parametrize("field, value, message", [
    ("id_number", "650102195802303211", "not a real date"),
    ("id_number", "659999195804123210", "GB/T 2260"),
    ("mobile", "2376666777", "11-digit"),
])
def test_bad_input_gets_a_clear_message_and_creates_nothing(client, field, value, message):
    response = client.post(reverse("signup"), signup_data(**{field: value}))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not User.objects.filter(mobile="13766667777").exists()


def test_a_registered_mobile_gets_the_same_answer_and_its_owner_is_told(client, deliver):
    owner = UserFactory(mobile="13766667777", language="en")
    response = deliver(client.post, reverse("signup"), signup_data())
    assert response.status_code == 302 and response["Location"] == reverse("signup-confirm")
    page = client.get(reverse("signup-confirm")).content.decode()
    assert "137****7777" in page
    # The owner hears about it by SMS (no code in it) and in-app/email.
    [text] = sms_to(owner.mobile)
    assert "already have an account" in text and not re.search(r"\d{6}", text.split(" http")[0])
    assert Notification.objects.filter(recipient=owner, topic="security").exists()
    # Whatever the stranger types, no account opens.
    for guess in ("000000", "123456"):
        client.post(reverse("signup-confirm"), {"code": guess})
    assert User.objects.filter(mobile="13766667777").count() == 1


def test_a_registered_id_number_gets_the_same_answer_and_its_owner_is_told(client, deliver):
    number = older_id()
    owner = UserFactory(id_number=number)
    fresh = deliver(client.post, reverse("signup"), signup_data(id_number=older_id("19600101"),
                                                                  mobile="13700000001"))
    taken = deliver(client.post, reverse("signup"), signup_data(id_number=number, mobile="13700000002"))
    assert fresh.status_code == taken.status_code == 302
    assert fresh["Location"] == taken["Location"]
    # The ID number's owner is told, with the mobile masked.
    [owner_note] = Notification.objects.filter(recipient=owner, topic="security")
    assert "137****0002" in owner_note.body and "13700000002" not in owner_note.body
    assert len(sms_to(owner.mobile)) == 1 and mail.outbox
    # The typed mobile gets no code, only that no account was opened.
    [text] = sms_to("13700000002")
    assert not re.search(r"(?<!\d)\d{6}(?!\d)", text.split(" http")[0])
    assert len(last_code("13700000001")) == 6


def test_a_wrong_code_counts_and_five_end_the_code(client, deliver, settings):
    deliver(client.post, reverse("signup"), signup_data())
    code = last_code("13766667777")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(settings.ONE_TIME_CODE_TRIES):
        response = client.post(reverse("signup-confirm"), {"code": wrong})
        assert "The code is wrong" in response.content.decode()
    response = client.post(reverse("signup-confirm"), {"code": code})
    assert "Too many wrong codes" in response.content.decode()
    assert not User.objects.filter(mobile="13766667777").exists()
    # A new code works.
    deliver(client.post, reverse("signup-confirm"), {"action": "resend"})
    client.post(reverse("signup-confirm"), {"code": last_code("13766667777")})
    assert User.objects.filter(mobile="13766667777").exists()


def test_a_code_expires_after_ten_minutes(client, deliver):
    import datetime as dt

    from portal.models import OneTimeCode

    deliver(client.post, reverse("signup"), signup_data())
    OneTimeCode.objects.update(expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    response = client.post(reverse("signup-confirm"), {"code": last_code("13766667777")})
    assert "no longer valid" in response.content.decode()
    assert not User.objects.filter(mobile="13766667777").exists()


def test_the_web_signup_is_rate_limited_per_address_as_the_api_is(client, settings):
    settings.CODE_REQUESTS_PER_ADDRESS_PER_HOUR = 2
    for n in range(2):
        assert client.post(reverse("signup"), signup_data(mobile=f"1370000000{n}")).status_code == 302
    response = client.post(reverse("signup"), signup_data(mobile="13700000009"))
    assert response.status_code == 200 and "Too many requests" in response.content.decode()


def test_codes_to_one_mobile_are_limited_per_hour(client, deliver, settings):
    settings.CODES_PER_ACCOUNT_PER_HOUR = 2
    for _ in range(4):
        deliver(client.post, reverse("signup"), signup_data())
    assert len(sms_to("13766667777")) == 2


def test_confirm_without_a_signup_goes_back_to_the_form(client):
    response = client.get(reverse("signup-confirm"))
    assert response.status_code == 302 and response["Location"] == reverse("signup")


# --- Enterprise registration -------------------------------------------------------------------

def registration_data(licence, **overrides):
    data = {"name": "新疆丝路测试有限公司", "uscc": make_uscc(), "region": region("650100").pk, "ownership": "private",
            "size": "small", "address": "", "contact_name": "李华", "contact_phone": "13955556666",
            "business_licence": licence, "real_name": "李华", "id_number": older_id("19621103"),
            "mobile": "13955556666", "email": "", "password1": PASSWORD, "password2": PASSWORD}
    data.update(overrides)
    return data


def test_R1_3_a_failed_registration_keeps_the_licence_and_shows_every_error(client, deliver, pdf_file):
    data = registration_data(pdf_file("licence-6mb.pdf"), uscc="91650100MA0000001X", mobile="139555",
                             password2="other")
    response = client.post(reverse("enterprise-register"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert {"uscc", "mobile", "password2"} <= set(form.errors) and "business_licence" not in form.errors
    html = response.content.decode()
    assert "licence-6mb.pdf" in html and 'data-testid="licence-kept"' in html
    token = form.data["business_licence_token"]
    assert token and f'value="{token}"' in html
    assert PendingUpload.objects.count() == 1
    # The second submit carries the token, not the file.
    fixed = registration_data(None, business_licence_token=token)
    fixed.pop("business_licence")
    response = deliver(client.post, reverse("enterprise-register"), fixed)
    assert response.status_code == 302 and response["Location"] == reverse("signup-confirm")
    response = client.post(reverse("signup-confirm"), {"code": last_code("13955556666")})
    organization = Organization.objects.get(kind="enterprise")
    assert response["Location"] == reverse("enterprise-console", args=[organization.pk])
    assert organization.business_licence.name.endswith(".pdf")
    assert organization.business_licence.read().startswith(b"%PDF")
    assert not PendingUpload.objects.exists()
    hr = User.objects.get(mobile="13955556666")
    assert hr.has_perm("portal.manage_organization", organization) and hr.has_role(Role.ENTERPRISE_HR)


def test_a_kept_licence_belongs_to_the_session_that_sent_it(client, pdf_file):
    from django.test import Client

    response = client.post(reverse("enterprise-register"), registration_data(pdf_file(), mobile="1"))
    token = response.context["form"].data["business_licence_token"]
    other = Client()
    data = registration_data(None, business_licence_token=token)
    data.pop("business_licence")
    response = other.post(reverse("enterprise-register"), data)
    assert response.status_code == 200
    assert "business_licence" in response.context["form"].errors


def test_a_bad_licence_is_not_kept(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("licence.png", b"MZ" + b"\x00" * 200, content_type="image/png")
    response = client.post(reverse("enterprise-register"), registration_data(fake))
    assert "Only PDF, JPEG or PNG" in response.content.decode()
    assert not PendingUpload.objects.exists()


def test_pending_uploads_are_removed_after_a_day(client, pdf_file):
    import datetime as dt

    from django.utils import timezone

    from portal.pending_uploads import pending_uploads_purge

    client.post(reverse("enterprise-register"), registration_data(pdf_file(), mobile="1"))
    row = PendingUpload.objects.get()
    storage, name = row.file.storage, row.file.name
    assert pending_uploads_purge() == 0
    assert pending_uploads_purge(now=timezone.now() + dt.timedelta(days=1, minutes=1)) == 1
    assert not storage.exists(name)


def test_a_logged_in_user_registers_an_enterprise_without_a_code(client, png_file):
    user = UserFactory()
    client.force_login(user)
    data = {k: v for k, v in registration_data(png_file()).items()
            if k not in ("real_name", "id_number", "mobile", "email", "password1", "password2")}
    response = client.post(reverse("enterprise-register"), data)
    organization = Organization.objects.get(kind="enterprise")
    assert response.status_code == 302 and response["Location"] == reverse("enterprise-console",
                                                                           args=[organization.pk])


def test_id_number_with_spaces_and_full_width_digits_registers(client, deliver):
    number = older_id("19550707")
    typed = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    typed = f"{typed[:6]} {typed[6:14]} {typed[14:]}"
    deliver(client.post, reverse("signup"), signup_data(id_number=typed, mobile="１３７ ６６６６ ７７７７"))
    client.post(reverse("signup-confirm"), {"code": last_code("13766667777")})
    assert User.objects.get(mobile="13766667777").id_number == number


def test_signup_still_accepts_a_new_applicant_by_factory_number(client, deliver):
    deliver(client.post, reverse("signup"), signup_data(id_number=make_id_number()))
    assert len(last_code("13766667777")) == 6


def test_the_code_reaches_a_visitor_in_the_language_they_read_the_site_in(client, deliver, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    deliver(client.post, reverse("signup"), signup_data(), HTTP_ACCEPT_LANGUAGE="en")
    [english] = sms_to("13766667777")
    assert "Your code to open an account" in english
    from django.test import Client

    deliver(Client().post, reverse("signup"), signup_data(mobile="13766668888"), HTTP_ACCEPT_LANGUAGE="zh-CN")
    [chinese] = sms_to("13766668888")
    assert "验证码" in chinese and "Your code" not in chinese


@pytest.mark.parametrize("name, goes_to", [
    ("signup", "home"), ("signup-confirm", "home"), ("password-reset", "password_change"),
])
def test_the_getting_in_pages_send_a_logged_in_person_on(client, name, goes_to):
    client.force_login(UserFactory())
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"] == reverse(goes_to)


@pytest.mark.parametrize("name", ["signup", "password-reset", "login"])
def test_the_getting_in_pages_are_open_to_visitors(client, name):
    assert client.get(reverse(name)).status_code == 200


def test_the_code_page_of_a_reset_needs_a_request_first(client):
    response = client.get(reverse("password-reset-code"))
    assert response.status_code == 302 and response["Location"] == reverse("password-reset")
