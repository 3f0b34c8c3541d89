"""Resident ID numbers (GB 11643) as real people carry them.

The district code of an ID number is the one in force when the number was issued (from 1984), so it
may be younger than the holder or since abolished: any code GB/T 2260 ever had is accepted, whatever
the birth year (python-stdnum's own ``ric.validate`` refuses them, its issue 442).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import ric

from portal.personal_data import district_known, fold_typed, normalize_id_number, normalize_mobile

#: District codes whose holders' birth years stdnum refuses: created after 1950, or abolished.
DISTRICTS = {
    "650102": "天山区 (since 1983)",
    "650109": "米东区 (since 2007)",
    "650402": "高昌区 (since 2015)",
    "652101": "吐鲁番市 (1984–2015, abolished)",
    "652201": "哈密市 (until 2016, abolished)",
    "659001": "石河子市 (since 1986)",
    "412723": "商水县 (until 2000, abolished)",
    "110103": "崇文区 (until 2010, abolished)",
}
YEARS = range(1950, 2006)


def id_number(district: str, birth: str, order: str = "123") -> str:
    body = f"{district}{birth}{order}"
    return body + ric.calc_check_digit(body + "0")


def ending_in_x(district: str = "650102", birth: str = "19560301") -> str:
    return next(n for n in (id_number(district, birth, f"{i:03d}") for i in range(1000)) if n.endswith("X"))


@pytest.mark.parametrize("district", DISTRICTS)
def test_every_genuine_district_is_accepted_whatever_the_birth_year(district):
    """The table: each district code with every birth year 1950–2005 (and days across the year)."""
    refused = []
    for year in YEARS:
        for birth in (f"{year}0101", f"{year}0615", f"{year}1231"):
            number = id_number(district, birth, f"{year % 1000:03d}")
            try:
                assert normalize_id_number(number) == number
            except ValidationError as error:
                refused.append((number, error.messages))
    assert not refused, f"{DISTRICTS[district]}: {refused}"


def test_stdnum_alone_refuses_what_the_portal_accepts():
    """The reason for ``district_known``: stdnum ties the code to the birth year."""
    older = id_number("650102", "19560301")
    assert not ric.is_valid(older)
    assert normalize_id_number(older) == older


def test_abolished_code_that_real_people_carry_412723():
    for birth in ("19530412", "19681130", "19790101", "19991231"):
        number = id_number("412723", birth)
        assert normalize_id_number(number) == number
    assert district_known("412723")


@pytest.mark.parametrize("typed", [
    lambda n: n.lower(),                                      # trailing x
    lambda n: n[:-1] + "x",
    lambda n: f"{n[:6]} {n[6:14]} {n[14:]}",                   # spaces between the groups
    lambda n: f"  {n}\t",
    lambda n: f"{n[:6]}-{n[6:14]}-{n[14:]}",                   # hyphens
    lambda n: n.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")),  # full-width
    lambda n: n.translate(str.maketrans("0123456789X", "０１２３４５６７８９ｘ")),  # full-width, lower x
    lambda n: f"{n[:6]}\u3000{n[6:]}".lower(),                # ideographic space
], ids=["lower-x", "x", "spaces", "padding", "hyphens", "full-width", "full-width-lower-x", "ideographic-space"])
def test_what_people_type_is_normalised(typed):
    number = ending_in_x()
    assert normalize_id_number(typed(number)) == number


@pytest.mark.parametrize("district", ["659999", "999999", "000000", "651099", "712345"])
def test_codes_that_never_existed_are_refused(district):
    with pytest.raises(ValidationError) as error:
        normalize_id_number(id_number(district, "19700101"))
    assert error.value.code == "id_district"
    assert "GB/T 2260" in error.value.messages[0]


@pytest.mark.parametrize("birth", ["19500230", "19701301", "19700132", "19700000", "20010229"])
def test_impossible_dates_are_refused(birth):
    with pytest.raises(ValidationError) as error:
        normalize_id_number(id_number("650102", birth))
    assert error.value.code == "id_birth_date"
    assert "not a real date" in error.value.messages[0]


def test_future_and_implausibly_old_dates_are_refused():
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    with pytest.raises(ValidationError, match="in the future"):
        normalize_id_number(id_number("650102", tomorrow.strftime("%Y%m%d")))
    with pytest.raises(ValidationError, match="before 1890"):
        normalize_id_number(id_number("650102", "18800101"))


def test_leap_day_of_a_leap_year_is_a_real_date():
    number = id_number("650102", "19560229")
    assert normalize_id_number(number) == number


def test_wrong_check_character_is_refused():
    number = id_number("650102", "19560301")
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(ValidationError) as error:
        normalize_id_number(wrong)
    assert error.value.code == "id_checksum"
    x_instead = ending_in_x()[:-1] + "1"
    with pytest.raises(ValidationError, match="check digit"):
        normalize_id_number(x_instead)


@pytest.mark.parametrize("bad", ["", "65010219560301123", "6501021956030112345", "65010219560301123Y",
                                 "X50102195603011234", "abcdefghijklmnopqr"])
def test_malformed_numbers_are_refused_with_a_clear_message(bad):
    with pytest.raises(ValidationError) as error:
        normalize_id_number(bad)
    assert error.value.code == "id_invalid"


def test_first_generation_15_digit_number_gets_its_own_message():
    with pytest.raises(ValidationError) as error:
        normalize_id_number("650102560301123")
    assert error.value.code == "id_first_generation"


def test_fold_typed_and_mobile_normalisation():
    assert fold_typed("ａｂｃ－１２３\u3000４") == "ABC1234"
    for typed in ("１３９００００００１１", "139 0000 0011", "139-0000-0011", "+86 139 0000 0011", "008613900000011"):
        assert normalize_mobile(typed) == "13900000011"
    with pytest.raises(ValidationError):
        normalize_mobile("1390000001")


def test_the_admin_takes_an_id_number_as_people_type_it(client):
    """The back office uses the same normaliser: an older person's number, full-width, lower-case x."""
    from django.urls import reverse

    from portal.models import User
    from tests.factories import UserFactory

    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    number = ending_in_x("650102", "19530708")
    typed = number.translate(str.maketrans("0123456789X", "０１２３４５６７８９ｘ"))
    response = client.post(reverse("admin:portal_user_add"), {
        "mobile": "13700007777", "real_name": "吐尔逊", "new_id_number": typed, "password1": "Admin#Pass2026",
        "password2": "Admin#Pass2026", "usable_password": "true", "_save": "Save"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(mobile="13700007777").id_number == number
    response = client.post(reverse("admin:portal_user_add"), {
        "mobile": "13700007778", "real_name": "吐尔逊", "new_id_number": id_number("659999", "19530708"),
        "password1": "Admin#Pass2026", "password2": "Admin#Pass2026", "usable_password": "true"})
    assert response.status_code == 200 and "GB/T 2260" in response.content.decode()
    assert not User.objects.filter(mobile="13700007778").exists()


@pytest.mark.parametrize("prefix", ["810000", "820000", "830000"], ids=["hong-kong", "macao", "taiwan"])
def test_residence_permits_of_hong_kong_macao_and_taiwan_residents_are_accepted(prefix):
    """港澳台居民居住证 (since 2018) carry 810000/820000/830000 and the GB 11643 check character;
    830000 is in no edition of GB/T 2260, and Taiwan residents could not sign up at all."""
    number = ending_in_x(prefix, "19580716")
    assert normalize_id_number(number.lower()) == number
    assert normalize_id_number(id_number(prefix, "19900101")) == id_number(prefix, "19900101")


def test_foreigners_permanent_residence_id_cards_of_2023_are_accepted():
    """The 2023 edition: ``9``, the province of issue (65 Xinjiang, 11 Beijing), a three-digit
    nationality code (398 Kazakhstan, 417 Kyrgyzstan), the birth date, order and check character."""
    for head in ("965398", "965417", "911840"):
        number = id_number(head, "19720304")
        assert normalize_id_number(f"{number[:6]} {number[6:14]} {number[14:]}") == number


@pytest.mark.parametrize("head", ["900398", "916398", "999398", "800000", "840000"])
def test_permanent_residence_and_permit_lookalikes_are_still_refused(head):
    with pytest.raises(ValidationError) as error:
        normalize_id_number(id_number(head, "19720304"))
    assert error.value.code == "id_district"


def test_signup_with_a_taiwan_residence_permit_and_log_in_with_it(client, deliver):
    """A Taiwan resident signs up with the permit's number (lower-case x, a mobile typed ``(+86)…``),
    confirms the code and logs in later with the number."""
    from django.urls import reverse

    from portal.models import User
    from tests.factories import last_code

    number = ending_in_x("830000", "19560101")
    response = deliver(client.post, reverse("signup"), {
        "real_name": "林美玲", "id_number": number.lower(), "mobile": "(+86) 139 0000 7001", "email": "",
        "password1": "Taiwan#Pass2026", "password2": "Taiwan#Pass2026"})
    assert response.status_code == 302, response.content.decode()[:3000]
    response = client.post(reverse("signup-confirm"), {"code": last_code("13900007001")})
    assert response.status_code == 302
    user = User.objects.get(mobile="13900007001")
    assert user.id_number == number and User.objects.get_by_login(number.lower()) == user
    client.logout()
    response = client.post(reverse("login"), {"username": number.lower(), "password": "Taiwan#Pass2026"})
    assert response.status_code == 302


@pytest.mark.parametrize("typed", ["(+86)13900000011", "（+86）139 0000 0011", "86 139 0000 0011",
                                   "+86 (139) 0000-0011", "[+86] 13900000011"])
def test_mobile_numbers_typed_with_brackets_or_86_are_understood(typed):
    assert normalize_mobile(typed) == "13900000011"


@pytest.mark.parametrize("bad", ["86 139 0000 001", "8613900000011 1", "(+1) 13900000011", "861 3900000011 00"])
def test_mobile_lookalikes_are_still_refused(bad):
    with pytest.raises(ValidationError):
        normalize_mobile(bad)
