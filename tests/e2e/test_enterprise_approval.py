"""R1.3 in a real browser: an enterprise registers, the bureau of its region approves it.

Screenshots of every step go to ``tests/artifacts/approval-*.png``.
"""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from PIL import Image

from portal.models import Notification, Organization, User
from tests.e2e.conftest import login, logout, shot
from tests.factories import (
    EnterpriseFactory,
    bureau_officer,
    hr_admin_of,
    last_code,
    make_id_number,
    make_mobile,
    make_uscc,
)

pytestmark = pytest.mark.browser

HR_PASSWORD = "Qiye#2026pass"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@pytest.fixture
def licence_png(tmp_path):
    """A business licence scan: a real PNG made with Pillow, in a temporary file."""
    path = tmp_path / "营业执照.png"
    image = Image.new("RGB", (600, 400), "white")
    for x in range(40, 560):
        for y in (60, 61, 200, 201, 340, 341):
            image.putpixel((x, y), (179, 38, 30))
    image.save(path, "PNG")
    return path


def registration_data(**overrides) -> dict[str, str]:
    data = {
        "name": "新疆天池新材料科技有限公司",
        "uscc": make_uscc(),
        "ownership": Organization.Ownership.PRIVATE,
        "size": Organization.Size.SMALL,
        "address": "乌鲁木齐市经济技术开发区维泰南路88号",
        "contact_name": "古丽娜尔",
        "contact_phone": make_mobile(),
        "real_name": "古丽娜尔",
        "id_number": make_id_number(),
        "mobile": make_mobile(),
        "email": "hr@tianchi.example.com",
        "password1": HR_PASSWORD,
        "password2": HR_PASSWORD,
    }
    data.update(overrides)
    return data


def fill_registration(page, data: dict[str, str], licence, region_code: str = "650100") -> None:
    """Fill every field of the visitor's registration form."""
    from portal.models import Region

    form = page.locator("[data-testid=enterprise-form]")
    for name in ("name", "uscc", "address", "contact_name", "contact_phone", "real_name", "id_number", "mobile",
                 "email", "password1", "password2"):
        form.locator(f"[name={name}]").fill(data[name])
    form.locator("select[name=region]").select_option(str(Region.objects.get(code=region_code).pk))
    form.locator("select[name=ownership]").select_option(data["ownership"])
    form.locator("select[name=size]").select_option(data["size"])
    form.locator("input[name=business_licence]").set_input_files(str(licence))


def submit_registration(page) -> None:
    with page.expect_navigation():
        page.locator("[data-testid=enterprise-form] button[type=submit]").click()


def confirm_mobile(page, mobile: str) -> None:
    """Step 2 of a visitor's registration: the code the file SMS backend received."""
    assert page.url.endswith("/accounts/signup/confirm/"), page.url
    page.locator("[data-testid=code-form] input[name=code]").fill(last_code(mobile))
    with page.expect_navigation():
        page.locator("[data-testid=code-form] button[type=submit]").click()


def status_of(page) -> str:
    """The status shown on the enterprise console (its CSS class, independent of the language)."""
    classes = page.locator("[data-testid=org-status]").get_attribute("class") or ""
    match = re.search(r"status-(pending|active|rejected|suspended)\b", classes)
    assert match, f"no status on the page: {classes!r}"
    return match.group(1)


def test_R1_3_visitor_registers_enterprise_and_bureau_of_region_approves(page, watch, licence_png):
    officer = bureau_officer("650100")
    data = registration_data()

    # 1. A visitor opens the home page and the registration form.
    page.goto("/")
    shot(page, "approval-01-home")
    with page.expect_navigation():
        page.locator("[data-testid=register-enterprise]").click()
    assert page.url.endswith("/enterprises/register/")

    # 2. Fills in every field, uploads the licence, submits, and confirms the mobile with the SMS code.
    fill_registration(page, data, licence_png)
    shot(page, "approval-02-registration-form")
    submit_registration(page)
    shot(page, "approval-02b-confirm-mobile")
    confirm_mobile(page, data["mobile"])

    # 3. Lands on the console of the new enterprise, pending approval.
    organization = Organization.objects.get(uscc=data["uscc"])
    assert page.url.endswith(f"/enterprises/{organization.pk}/")
    assert status_of(page) == "pending"
    assert organization.status == Organization.Status.PENDING
    assert organization.region.code == "650100"
    assert organization.name == data["name"] and organization.address == data["address"]
    assert organization.business_licence.name.endswith(".png")
    hr_admin = User.objects.get(mobile=data["mobile"])
    assert hr_admin.real_name == data["real_name"] and hr_admin.id_number == data["id_number"]
    assert hr_admin.has_perm("portal.manage_organization", organization)
    # The ID number shows masked only.
    assert data["id_number"] not in page.content()
    shot(page, "approval-03-console-pending")
    watch.assert_clean()

    # 4. Logs out; the bureau officer of Ürümqi logs in with the mobile number and sees one new notification.
    logout(page)
    login(page, officer.mobile)
    assert page.locator("[data-testid=nav-notifications] .badge").inner_text().strip() == "1"
    shot(page, "approval-04-officer-home")

    # 5. Opens the queue from the "work" menu: the enterprise is there.
    page.locator("[data-testid=nav-work]").click()
    with page.expect_navigation():
        page.locator("nav a[href$='/bureau/enterprises/']").click()
    row = page.locator("[data-testid=queue] tbody tr", has_text=data["name"])
    assert row.count() == 1
    shot(page, "approval-05-queue")

    # 6. Opens the enterprise, checks the licence, approves.
    with page.expect_navigation():
        row.locator(f"a[href$='/bureau/enterprises/{organization.pk}/']").click()
    assert data["name"] in page.locator("main h1").inner_text()
    licence = page.request.get(f"/enterprises/{organization.pk}/licence/")
    assert licence.ok and licence.body().startswith(b"\x89PNG")
    shot(page, "approval-06-enterprise-detail")
    with page.expect_navigation():
        page.locator("[data-testid=approve]").click()
    assert page.url.endswith("/bureau/enterprises/")
    assert page.locator("main .alert-success").count() == 1
    assert page.locator("[data-testid=queue] tbody tr", has_text=data["name"]).count() == 0
    shot(page, "approval-07-queue-after-approval")
    organization.refresh_from_db()
    assert organization.status == Organization.Status.ACTIVE
    assert organization.decided_by == officer
    watch.assert_clean()

    # 7. The HR admin logs back in: the enterprise is active and one notification is unread.
    logout(page)
    login(page, data["mobile"], HR_PASSWORD)
    badge = page.locator("[data-testid=nav-notifications] .badge")
    assert badge.inner_text().strip() == "1"
    assert Notification.objects.filter(recipient=hr_admin, read_at__isnull=True).count() == 1
    shot(page, "approval-08-hr-home-unread")
    page.goto(f"/enterprises/{organization.pk}/")
    assert status_of(page) == "active"
    shot(page, "approval-09-console-active")
    page.goto("/me/notifications/")
    assert page.locator(f"main a[href$='/enterprises/{organization.pk}/']").count() == 1
    shot(page, "approval-10-hr-notifications")
    watch.assert_clean()


def test_R1_3_bureau_of_another_region_does_not_see_the_enterprise(page, watch):
    pending = EnterpriseFactory(name="乌鲁木齐待审科技有限公司", status=Organization.Status.PENDING)
    hr_admin_of(pending)
    other = bureau_officer("652300")  # 昌吉回族自治州
    own = bureau_officer("650100")

    login(page, other.mobile)
    page.goto("/bureau/enterprises/")
    queue = page.locator("[data-testid=queue]")
    queue.wait_for()
    assert pending.name not in queue.inner_text()
    assert queue.locator(f"a[href$='/bureau/enterprises/{pending.pk}/']").count() == 0
    shot(page, "approval-other-region-queue")
    # Nor can it be opened by its address.
    watch.allow_http_error(404, rf"^/bureau/enterprises/{pending.pk}/$")
    watch.allow_http_error(404, r"^/favicon\.ico$")  # Django's bare 404 page names no icon
    response = page.goto(f"/bureau/enterprises/{pending.pk}/")
    assert response.status == 404
    assert page.locator("[data-testid=approve]").count() == 0

    # The bureau of the enterprise's own region does see it.
    page.goto("/")
    logout(page)
    login(page, own.mobile)
    page.goto("/bureau/enterprises/")
    assert page.locator("[data-testid=queue] tbody tr", has_text=pending.name).count() == 1
    pending.refresh_from_db()
    assert pending.status == Organization.Status.PENDING
    watch.assert_clean()


def wrong_check_char(code: str, alphabet: str) -> str:
    return code[:-1] + next(c for c in alphabet if c != code[-1])


@pytest.mark.parametrize(("field", "message"), [
    ("uscc", "The unified social credit code's check character is wrong; please check it."),
    ("id_number", "The ID number's check digit is wrong; please check it."),
], ids=["uscc", "id_number"])
def test_bad_check_character_is_shown_on_the_form_and_creates_nothing(page, watch, licence_png, field, message):
    data = registration_data()
    data[field] = wrong_check_char(data[field], USCC_ALPHABET if field == "uscc" else "0123456789X")
    users, organizations = User.objects.count(), Organization.objects.count()

    page.goto("/enterprises/register/")
    fill_registration(page, data, licence_png)
    submit_registration(page)

    assert page.url.endswith("/enterprises/register/")
    field_input = page.locator(f"[data-testid=enterprise-form] [name={field}]")
    assert "is-invalid" in (field_input.get_attribute("class") or "")
    with translation.override("zh-hans"):
        expected = translation.gettext(message)
    feedback = page.locator(f"[data-testid=enterprise-form] .invalid-feedback, "
                            f"[data-testid=enterprise-form] #error_1_id_{field}")
    assert expected in " ".join(feedback.all_inner_texts())
    shot(page, f"approval-bad-{field}")
    assert User.objects.count() == users
    assert Organization.objects.count() == organizations
    assert not Organization.objects.filter(name=data["name"]).exists()
    watch.assert_clean()
