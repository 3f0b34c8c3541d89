"""Users: real names, ID numbers encrypted and masked, login by mobile or ID."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth import authenticate
from django.db import connection
from stdnum.cn import ric

from portal import personal_data, services
from portal.errors import InvalidInput, RuleViolation
from portal.logging import RedactPersonalDataFilter, redact
from portal.models import Role, User
from portal.validators import CharacterClassesValidator
from tests.factories import UserFactory, make_id_number


def test_id_number_is_stored_encrypted_and_shown_masked():
    number = make_id_number()
    user = services.user_register(mobile="13811112222", real_name="张三", password="Abcdefg1!", id_number=number)
    assert user.id_number == number
    assert user.id_number_masked == number[:6] + "********" + number[-4:]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM portal_user WHERE id = %s", [user.pk])
        row = " ".join(str(v) for v in cursor.fetchone())
    assert number not in row
    assert personal_data.lookup_hash(number) in row


def test_mask_formats():
    assert personal_data.mask_id_number("650102199001011234") == "650102********1234"
    assert personal_data.mask_mobile("13812345678") == "138****5678"
    assert personal_data.mask_name("张三丰") == "张*丰"
    assert personal_data.mask_name("张三") == "张*"


@pytest.mark.parametrize("bad, code", [
    ("650102199001011235", "check digit"),
    ("65010219900101123", "valid 18-character"),
    ("65010219901301123" + ric.calc_check_digit("65010219901301123" + "0"), "birth date"),
])
def test_bad_id_number_is_refused_with_a_clear_message(bad, code):
    with pytest.raises(InvalidInput) as error:
        services.user_register(mobile="13811112222", real_name="张三", password="Abcdefg1!", id_number=bad)
    assert code in str(error.value.message)
    assert error.value.field == "id_number"
    assert not User.objects.filter(mobile="13811112222").exists()


def test_duplicate_id_number_and_mobile_are_refused():
    number = make_id_number()
    services.user_register(mobile="13811112222", real_name="张三", password="Abcdefg1!", id_number=number)
    with pytest.raises(InvalidInput, match="ID number already exists"):
        services.user_register(mobile="13811113333", real_name="李四", password="Abcdefg1!", id_number=number)
    with pytest.raises(InvalidInput, match="mobile number already exists"):
        services.user_register(mobile="13811112222", real_name="李四", password="Abcdefg1!",
                               id_number=make_id_number())
    assert User.objects.filter(real_name="李四").count() == 0


def test_login_by_mobile_or_id_number(rf):
    request = rf.post("/accounts/login/")
    number = make_id_number()
    user = services.user_register(mobile="13811112222", real_name="张三", password="Abcdefg1!", id_number=number)
    assert authenticate(request, username="13811112222", password="Abcdefg1!") == user
    assert authenticate(request, username=number, password="Abcdefg1!") == user
    assert authenticate(request, username=number.lower(), password="Abcdefg1!") == user
    assert authenticate(request, username=number, password="wrong") is None


@pytest.mark.parametrize("password, ok", [
    ("abcdefgh", False), ("abcdefg1", False), ("Abcdefg1", True), ("abcdef1!", True), ("ABCDEF1!", True),
])
def test_SEC_password_mixes_three_character_classes(password, ok):
    validator = CharacterClassesValidator(min_classes=3)
    if ok:
        validator.validate(password)
    else:
        with pytest.raises(Exception, match="at least 3"):
            validator.validate(password)


def test_SEC_short_or_weak_password_is_refused_and_creates_nothing():
    with pytest.raises(InvalidInput) as error:
        services.user_register(mobile="13811112222", real_name="张三", password="Ab1!", id_number=make_id_number())
    assert error.value.field == "password"
    assert not User.objects.filter(mobile="13811112222").exists()


def test_SEC_admin_roles_are_separate():
    user = UserFactory()
    services.user_grant_role(user=user, role=Role.AUDITOR)
    for other in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.SUPERVISOR):
        with pytest.raises(RuleViolation):
            services.user_grant_role(user=user, role=other)
    assert set(user.groups.values_list("name", flat=True)) == {Role.AUDITOR}


def test_R6_2_a_supervisor_cannot_also_administer_the_system_that_keeps_the_trace():
    user = UserFactory()
    services.user_grant_role(user=user, role=Role.SUPERVISOR)
    for other in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR):
        with pytest.raises(RuleViolation):
            services.user_grant_role(user=user, role=other)
    services.user_grant_role(user=user, role=Role.BUREAU_OFFICER)  # an ordinary role is fine
    assert set(user.groups.values_list("name", flat=True)) == {Role.SUPERVISOR, Role.BUREAU_OFFICER}


def test_SEC_admin_form_refuses_two_admin_roles():
    from django.contrib.auth.models import Group

    from portal.admin import UserChangeForm

    user = UserFactory()
    groups = [Group.objects.get(name=Role.SYSTEM_ADMIN).pk, Group.objects.get(name=Role.AUDITOR).pk]
    form = UserChangeForm(instance=user, data={"mobile": user.mobile, "real_name": user.real_name,
                                               "password": user.password, "groups": groups,
                                               "date_joined": "2026-01-01 00:00:00", "is_active": "on"})
    assert not form.is_valid()
    assert "groups" in form.errors


def test_SEC_logs_never_carry_id_numbers_or_mobiles(caplog):
    number = make_id_number()
    assert "[ID-REDACTED]" in redact(f"user {number} failed")
    assert "[MOBILE-REDACTED]" in redact("call 13812345678 now")
    assert redact("hash " + "a" * 64) == "hash " + "a" * 64
    logger = logging.getLogger("portal.test")
    logger.addFilter(RedactPersonalDataFilter())
    with caplog.at_level(logging.INFO, logger="portal.test"):
        logger.info("login by %s from %s", number, "13812345678")
    assert number not in caplog.text and "13812345678" not in caplog.text
