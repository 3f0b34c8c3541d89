"""Real people get in, in a real browser: an older professional signs up with an ID number stdnum alone
would refuse, confirms the mobile with the SMS code (the file SMS backend), forgets the password,
resets it by a code, logs in by ID number typed with a lower-case x, finds the employer by name, and
answers an invitation on the home page. An enterprise's registration keeps its licence across a failed
submit.

Screenshots (desktop 1280×800 and phone 390×844) go to ``tests/artifacts/door-*.png``.
"""

from __future__ import annotations

import pytest
from stdnum.cn import ric

from portal.models import Employment, Invitation, Organization, User
from tests.e2e.conftest import logout, shot
from tests.factories import EnterpriseFactory, hr_admin_of, last_code, make_uscc, sms_to

pytestmark = pytest.mark.browser

PASSWORD = "Tianshan#1958"
NEW_PASSWORD = "Bogda#Feng2026"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def older_id_ending_in_x() -> str:
    """Born 1958 in 天山区, whose code 650102 dates from 1983: refused by ``ric.validate`` alone."""
    for order in range(1000):
        body = f"65010219580412{order:03d}"
        number = body + ric.calc_check_digit(body + "0")
        if number.endswith("X"):
            assert not ric.is_valid(number)
            return number
    raise AssertionError("no number ending in X")


def both_sizes(page, name: str) -> None:
    """A full-page screenshot at desktop and at phone size; on the phone nothing may stick out sideways."""
    shot(page, f"door-{name}")
    page.set_viewport_size(PHONE)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    shot(page, f"door-{name}-phone")
    page.set_viewport_size(DESKTOP)
    assert overflow <= 0, f"{name}: the page is {overflow}px wider than a phone"


def submit(page, form_selector: str) -> None:
    with page.expect_navigation():
        page.locator(f"{form_selector} button[type=submit]").first.click()


def test_signup_reset_and_login_by_id_number(page, watch):
    number = older_id_ending_in_x()
    mobile = "13755550001"
    employer = EnterpriseFactory(name="新疆天山建设工程有限公司")
    hr = hr_admin_of(employer)

    # 1. Sign up: a first try with passwords that differ shows the error next to the field and keeps the rest.
    page.goto("/accounts/signup/")
    form = page.locator("[data-testid=signup-form]")
    form.locator("[name=real_name]").fill("买买提·吐尔逊")
    form.locator("[name=id_number]").fill(number.lower())
    form.locator("[name=mobile]").fill("137 5555 0001")
    form.locator("[name=password1]").fill(PASSWORD)
    form.locator("[name=password2]").fill(PASSWORD + "x")
    submit(page, "[data-testid=signup-form]")
    assert "is-invalid" in (form.locator("[name=password2]").get_attribute("class") or "")
    assert form.locator("[name=id_number]").input_value() == number.lower()
    assert form.locator("[name=real_name]").input_value() == "买买提·吐尔逊"
    assert form.locator("[name=password1]").input_value() == ""
    both_sizes(page, "01-signup-errors")
    form.locator("[name=password1]").fill(PASSWORD)
    form.locator("[name=password2]").fill(PASSWORD)
    submit(page, "[data-testid=signup-form]")

    # 2. The code page names the masked mobile only; the code arrives by SMS.
    assert page.url.endswith("/accounts/signup/confirm/")
    assert "137****0001" in page.inner_text("[data-testid=code-sent]")
    assert mobile not in page.content()
    both_sizes(page, "02-signup-code")
    page.locator("[data-testid=code-form] [name=code]").fill(last_code(mobile))
    submit(page, "[data-testid=code-form]")
    user = User.objects.get(mobile=mobile)
    assert user.id_number == number

    # 3. The home page says the next step; the employer is found by name.
    next_step = page.locator("[data-testid=next-step]")
    assert next_step.is_visible()
    both_sizes(page, "03-home-next-step")
    next_step.locator("input[name=q]").fill("天山建设")
    submit(page, "[data-testid=next-step]")
    results = page.locator("[data-testid=employer-results] a", has_text=employer.name)
    assert results.count() == 1
    with page.expect_navigation():
        results.click()
    assert employer.name in page.inner_text("[data-testid=employer-chosen]")
    page.locator("main form[method=post] [name=start_date]").fill("2010-03-01")
    both_sizes(page, "04-employer-search")
    with page.expect_navigation():
        page.locator("main form[method=post] button").click()
    assert Employment.objects.get(user=user).employer == employer
    watch.assert_clean()

    # 4. Logged out, the password forgotten: the login page links to the reset.
    logout(page)
    page.goto("/accounts/login/")
    with page.expect_navigation():
        page.locator("[data-testid=forgot-password]").click()
    page.locator("[data-testid=reset-form] [name=login]").fill(number.lower())
    both_sizes(page, "05-reset-request")
    submit(page, "[data-testid=reset-form]")
    assert page.url.endswith("/accounts/password/reset/code/")
    both_sizes(page, "06-reset-code")
    codes = [t for t in sms_to(mobile) if "reset" in t or "重置" in t]
    assert len(codes) == 1
    form = page.locator("[data-testid=reset-code-form]")
    form.locator("[name=code]").fill(last_code(mobile))
    form.locator("[name=new_password1]").fill(NEW_PASSWORD)
    form.locator("[name=new_password2]").fill(NEW_PASSWORD)
    submit(page, "[data-testid=reset-code-form]")
    assert page.url.endswith("/accounts/login/")
    assert page.locator("main .alert-success").count() == 1
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)

    # 5. Log in by the 18-character ID number, typed with a lower-case x.
    form = page.locator("[data-testid=login-form]")
    form.locator("[name=username]").fill(number.lower())
    form.locator("[name=password]").fill(NEW_PASSWORD)
    both_sizes(page, "07-login-by-id")
    submit(page, "[data-testid=login-form]")
    assert "/accounts/login/" not in page.url, page.inner_text("main")
    assert page.locator("[data-testid=nav-settings]").inner_text().strip() == "买买提·吐尔逊"
    watch.assert_clean()

    # 6. HR invites a colleague's mobile; the invitation is on the invitee's home page.
    from portal import services

    services.invitation_create(actor=hr, organization=employer, kind="hr_staff", mobile=mobile,
                               real_name="买买提·吐尔逊")
    page.goto("/")
    card = page.locator("[data-testid=home-invitation]")
    assert card.count() == 1 and employer.name in card.inner_text()
    both_sizes(page, "08-home-invitation")
    with page.expect_navigation():
        card.locator("[data-testid=decline-invitation]").click()
    assert Invitation.objects.get().status == "declined"
    assert page.locator("[data-testid=home-invitation]").count() == 0
    watch.assert_clean()


def test_settings_page_language_and_messages(page, watch):
    from tests.e2e.conftest import login
    from tests.factories import UserFactory

    user = UserFactory(language="")
    login(page, user.mobile)
    page.goto("/me/settings/")
    both_sizes(page, "09-settings")
    page.locator("select[name=language]").select_option("en")
    page.locator("input[name='sms:reminder']").uncheck()
    with page.expect_navigation():
        page.locator("[data-testid=settings-form] button[type=submit]").click()
    user.refresh_from_db()
    assert user.language == "en" and "sms:reminder" in user.muted
    assert page.locator("html").get_attribute("lang") == "en"
    watch.assert_clean()


def test_settings_page_lists_and_revokes_api_tokens(page, watch):
    from portal.account_services import api_token_issue
    from portal.models import ApiToken
    from tests.e2e.conftest import login
    from tests.factories import UserFactory

    user = UserFactory(language="")
    login(page, user.mobile)
    _first, first_key = api_token_issue(user=user, name="curl/8.5.0")
    api_token_issue(user=user, name="python-requests/2.32")
    page.goto("/me/settings/")
    tokens = page.locator("[data-testid=api-tokens]")
    assert tokens.locator("tbody tr").count() == 2
    assert first_key not in page.content() and first_key[:6] in tokens.inner_text()
    both_sizes(page, "09-settings-api-tokens")
    with page.expect_navigation():
        tokens.locator("tbody tr").filter(has_text="curl").locator("button").click()
    assert tokens.locator("tbody tr").count() == 1
    assert list(ApiToken.objects.filter(user=user).values_list("name", flat=True)) == ["python-requests/2.32"]
    watch.assert_clean()


def test_a_failed_registration_keeps_the_licence(page, watch, tmp_path):
    from PIL import Image

    from portal.models import Region

    licence = tmp_path / "营业执照.png"
    Image.new("RGB", (600, 400), "white").save(licence, "PNG")
    mobile = "13955550002"
    page.goto("/enterprises/register/")
    form = page.locator("[data-testid=enterprise-form]")
    fields = {"name": "新疆昆仑测试科技有限公司", "uscc": make_uscc(), "contact_name": "热依拉",
              "contact_phone": mobile, "real_name": "热依拉", "id_number": older_id_ending_in_x(),
              "mobile": mobile, "password1": PASSWORD, "password2": PASSWORD + "!"}
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(value)
    form.locator("select[name=region]").select_option(str(Region.objects.get(code="650100").pk))
    form.locator("select[name=ownership]").select_option("private")
    form.locator("select[name=size]").select_option("small")
    form.locator("input[name=business_licence]").set_input_files(str(licence))
    submit(page, "[data-testid=enterprise-form]")
    # Every field kept but the passwords; the licence is kept on the server and named on the page.
    assert page.locator("[data-testid=licence-kept]").is_visible()
    assert "营业执照.png" in page.inner_text("[data-testid=licence-kept]")
    assert form.locator("[name=name]").input_value() == fields["name"]
    assert form.locator("[name=password1]").input_value() == ""
    both_sizes(page, "10-registration-licence-kept")
    form.locator("[name=password1]").fill(PASSWORD)
    form.locator("[name=password2]").fill(PASSWORD)
    submit(page, "[data-testid=enterprise-form]")  # no file chosen this time
    page.locator("[data-testid=code-form] [name=code]").fill(last_code(mobile))
    submit(page, "[data-testid=code-form]")
    organization = Organization.objects.get(name=fields["name"])
    assert page.url.endswith(f"/enterprises/{organization.pk}/")
    assert organization.business_licence.read().startswith(b"\x89PNG")
    watch.assert_clean()
