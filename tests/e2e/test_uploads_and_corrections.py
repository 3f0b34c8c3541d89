"""In a real browser: the upload check before sending (size, type by content,
what to do) and a return for correction from the officer's list of fields,
achievements and files to the applicant's answers and the comparison.

Screenshots go to ``tests/artifacts/uploads-*.png`` and ``corrections-*.png``.
"""

from __future__ import annotations

import pytest
from django.utils import translation

from applications import application_services as svc
from applications.models import Attachment, Correction
from portal.models import PolicySettings
from tests.applications.conftest import pdf, world  # noqa: F401 - the fixture
from tests.e2e.conftest import login, shot
from tests.uploads_helpers import scanned_pdf

pytestmark = pytest.mark.browser


def _zh(text: str) -> str:
    with translation.override("zh-hans"):
        return str(translation.gettext(text))



def _materials_page(page, scene):
    """A new draft's materials page, open for its applicant, with every POST the page sends recorded:
    the draft, the list of POSTs and the upload form."""
    application = scene.create()
    login(page, scene.applicant.mobile)
    page.goto(f"/applications/{application.pk}/edit/materials/")
    posts = []
    page.on("request", lambda request: request.method == "POST" and posts.append(request.url))
    return application, posts, page.locator("[data-testid=upload-form]")


def test_the_browser_checks_size_and_type_before_sending_and_says_what_to_do(page, world, tmp_path):  # noqa: F811
    policy = PolicySettings.load()
    policy.max_file_mb = 1
    policy.save()
    application, posts, form = _materials_page(page, world)
    file_input = form.locator("input[type=file]")
    feedback = form.locator(".invalid-feedback, .form-text[role=status]")

    big = tmp_path / "扫描件.pdf"
    big.write_bytes(scanned_pdf(1536 * 1024))
    file_input.set_input_files(str(big))
    form.locator(".invalid-feedback").wait_for()
    message = feedback.first.inner_text()
    assert "扫描件.pdf" in message and "1.5 MB" in message and "1.0 MB" in message and "压缩" in message
    shot(page, "uploads-too-large")
    form.locator("button[type=submit]").click()
    page.wait_for_timeout(300)
    assert not posts and not Attachment.objects.exists()  # nothing was sent
    posts.clear()

    word = tmp_path / "工作总结.pdf"
    word.write_bytes(b"PK\x03\x04" + b"\x00" * 4000)  # a .docx renamed
    file_input.set_input_files(str(word))
    page.wait_for_function("() => document.querySelector('[data-testid=upload-form] .invalid-feedback')"
                           ".textContent.includes('工作总结.pdf')")
    assert "Word" in form.locator(".invalid-feedback").inner_text()
    shot(page, "uploads-bad-type")

    good = tmp_path / "工作总结（盖章）.pdf"
    good.write_bytes(scanned_pdf(200 * 1024))
    file_input.set_input_files(str(good))
    form.locator(".form-text[role=status]").wait_for()
    assert "工作总结（盖章）.pdf" in form.locator(".form-text[role=status]").inner_text()
    assert not form.locator(".is-invalid").count()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert Attachment.objects.get(application=application).original_name == "工作总结（盖章）.pdf"


def test_a_return_picked_from_lists_answered_and_compared_in_the_browser(page, world):  # noqa: F811
    application = world.create()
    patent = svc.achievement_add(actor=world.applicant, application_id=application.pk, kind="patent",
                                 title="一种高效节能换热装置", role="lead", number="ZL1")
    svc.attachment_add(actor=world.applicant, application_id=application.pk, material="evidence",
                       upload=pdf("专利证书.pdf"), achievement_id=patent.pk)
    work = svc.attachment_add(actor=world.applicant, application_id=application.pk, material="work_summary",
                              upload=pdf("工作总结.pdf"))
    world.submit(application)

    # The officer (here the employer's HR) picks a file by name and an achievement by title.
    login(page, world.hr.mobile)
    page.goto(f"/applications/{application.pk}/review/")
    page.locator("[data-testid=return-details] summary").click()
    form = page.locator("[data-testid=return-form]")
    rows = form.locator("[data-correction-row]")
    assert rows.nth(0).is_visible() and not rows.nth(1).is_visible()
    rows.nth(0).locator("select").select_option(f"attachment:{work.pk}")
    rows.nth(0).locator("textarea").fill("工作总结需加盖单位公章，\n请上传盖章后的扫描件。")
    form.locator("[data-add-correction]").click()
    rows.nth(1).locator("select").select_option(f"achievement:{patent.pk}")
    rows.nth(1).locator("textarea").fill("专利号有误")
    shot(page, "corrections-return-form")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    targets = set(Correction.objects.filter(application=application).values_list("target", flat=True))
    assert targets == {f"attachment:{work.pk}", f"achievement:{patent.pk}"}

    # The applicant answers one in words and corrects the other.
    login(page, world.applicant.mobile)
    page.goto(f"/applications/{application.pk}/edit/submit/")
    file_correction = Correction.objects.get(application=application, target=f"attachment:{work.pk}")
    item = page.locator(f"#correction-{file_correction.pk}")
    item.locator("textarea[name=answer]").fill("原件已盖章，扫描件第2页可见公章。")
    with page.expect_navigation():
        item.locator("button[type=submit]").click()
    assert page.locator(f"#correction-{file_correction.pk}").get_attribute("data-done") == "1"
    page.goto(f"/applications/{application.pk}/edit/achievements/")
    page.locator("[data-testid=achievement-edit] summary").click()
    edit = page.locator("[data-testid=achievement-edit] form")
    edit.locator(f"input[name=a{patent.pk}-number]").fill("ZL2")
    with page.expect_navigation():
        edit.locator("button[type=submit]").click()
    page.goto(f"/applications/{application.pk}/edit/submit/")
    assert page.locator("[data-testid=correction][data-done='1']").count() == 2
    shot(page, "corrections-applicant-answers")
    with page.expect_navigation():
        page.locator("[data-testid=resubmit]").click()

    # The officer sees the comparison: the achievement by title, the number before → after, the answer.
    login(page, world.hr.mobile)
    page.goto(f"/applications/{application.pk}/review/")
    changes = page.locator("[data-testid=changes]")
    text = changes.inner_text()
    assert "一种高效节能换热装置" in text and "ZL1" in text and "ZL2" in text
    assert "原件已盖章" in text and _zh("Applicant's answer:") in text
    assert "achievement:" not in text and "attachment:" not in text
    shot(page, "corrections-officer-comparison")


def test_an_iphone_heic_photo_gets_the_advice_to_switch_to_jpeg_before_sending(page, world, tmp_path):  # noqa: F811
    """An iPhone's photo (HEIC) was answered in the browser with the general "not a PDF, JPEG or PNG"
    message; the server's own advice (set the camera to Most compatible) now comes before sending."""
    application, posts, form = _materials_page(page, world)
    photo = tmp_path / "IMG_0042.HEIC"
    photo.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 3000)
    form.locator("input[type=file]").set_input_files(str(photo))
    form.locator(".invalid-feedback").wait_for()
    message = form.locator(".invalid-feedback").inner_text()
    assert message == _zh("HEIC photos are not accepted. Set the phone's camera to “Most compatible” (JPEG), or "
                          "save the photo as JPEG, and choose it again.")
    assert "JPEG" in message and "兼容" in message
    form.locator("button[type=submit]").click()
    page.wait_for_timeout(300)
    assert not posts and not Attachment.objects.exists()
