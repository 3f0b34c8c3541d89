"""Returns for correction with a real comparison (issue 12 §3): the officer
picks what a correction concerns from the application's own fields,
achievements (by title) and files (by name); the applicant answers each one,
by a change or in words; on resubmission everyone sees every changed field
before → after, files removed, added or replaced by name with size and type,
achievements by title. No code ever reaches a page or a notification."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from applications import application_services as svc
from applications import corrections
from applications.models import Correction, CorrectionRound, Specialty
from portal.errors import NotFound, RuleViolation
from portal.models import AuditEvent, Notification
from tests.applications.conftest import pdf, png
from tests.factories import EnterpriseFactory, hr_admin_of

#: Codes that must never be visible: targets (``summary:``, ``achievement:11``, ``attachment:7``) and
#: every snake_case code (``work_summary``, ``employer_review``).
CODES = re.compile(r"\b(summary:|achievement:\d+|attachment:\d+|slot:\S+|[a-z]+_[a-z_]+)\b")
#: On a Chinese page not even the one-word codes may show.
WORD_CODES = re.compile(r"\b(summary|specialty|justification|achievements?|evidence|patent|other|lead|"
                        r"returned|draft)\b", re.I)


def visible_text(html: str) -> str:
    """What a person reads: the page without tags, attributes, scripts or styles."""
    html = re.sub(r"(?s)<(script|style|template)\b.*?</\1>", " ", html)
    html = re.sub(r"(?s)<select\b.*?</select>", " ", html)  # option values are codes; their labels are checked apart
    return re.sub(r"\s+", " ", re.sub(r"(?s)<[^>]+>", " ", html))


@pytest.fixture
def returned(world):
    """A submitted application with a patent (and its evidence) and a work summary,
    returned by the employer with four corrections."""
    application = world.create()
    svc.application_update_draft(actor=world.applicant, application_id=application.pk,
                                 data={"summary": "从事机械设计十年，主持换热装置研发。"})
    patent = svc.achievement_add(actor=world.applicant, application_id=application.pk, kind="patent",
                                 title="一种高效节能换热装置", role="lead", number="ZL202310123456.7")
    svc.attachment_add(actor=world.applicant, application_id=application.pk, material="evidence",
                       upload=pdf("专利证书.pdf"), achievement_id=patent.pk)
    summary_file = svc.attachment_add(actor=world.applicant, application_id=application.pk,
                                      material="work_summary", upload=pdf("工作总结.pdf"))
    world.submit(application)
    svc.application_decide(actor=world.hr, application_id=application.pk, action="return", reason="请补正后再报",
                           corrections=[
                               {"target": "summary", "message": "补充近三年主要业绩\n及本人作用"},
                               {"target": f"achievement:{patent.pk}", "message": "专利号有误"},
                               {"target": f"attachment:{summary_file.pk}", "message": "工作总结需加盖单位公章"},
                               {"target": "specialty", "message": "请核对专业"},
                           ])
    application.refresh_from_db()
    application.patent, application.summary_file = patent, summary_file
    return application


def correct(world, application):
    """The applicant answers all four: three by changes, one in words."""
    svc.application_update_draft(actor=world.applicant, application_id=application.pk,
                                 data={"summary": "从事机械设计十年，主持换热装置研发，近三年完成三项技术攻关。"})
    svc.achievement_update(actor=world.applicant, application_id=application.pk,
                           achievement_id=application.patent.pk, kind="patent", title="一种高效节能换热装置",
                           role="lead", number="ZL202310123456.8")
    svc.attachment_remove(actor=world.applicant, application_id=application.pk,
                          attachment_id=application.summary_file.pk)
    svc.attachment_add(actor=world.applicant, application_id=application.pk, material="work_summary",
                       upload=png("工作总结（盖章）.png"))
    specialty = Correction.objects.get(application=application, target="specialty")
    svc.correction_answer(actor=world.applicant, application_id=application.pk, correction_id=specialty.pk,
                          answer="专业无误：本人从事机械设计")
    return svc.application_resubmit(actor=world.applicant, application_id=application.pk)


# --- The comparison itself -----------------------------------------------------------------

def test_text_diff_keeps_context_and_marks_what_was_deleted_and_inserted():
    before = "甲" * 100 + "旧的说法" + "乙" * 100
    after = "甲" * 100 + "新的表述" + "乙" * 100
    pieces = corrections.text_pieces(before, after)
    assert [(p.op, p.text) for p in pieces] == [
        ("gap", "…"), ("equal", "甲" * 30), ("delete", "旧"), ("insert", "新"), ("equal", "的"),
        ("delete", "说法"), ("insert", "表述"), ("equal", "乙" * 30), ("gap", "…")]
    assert corrections.text_pieces("短文", "短文本") == [
        corrections.TextPiece("equal", "短文"), corrections.TextPiece("insert", "本")]


def test_content_changes_name_fields_achievements_by_title_and_files_by_name():
    before = {"fields": {"specialty": 1, "summary": "旧", "justification": ""},
              "achievements": {"5": {"kind": "patent", "title": "换热装置", "role": "lead", "number": "ZL1",
                                     "achieved_on": "", "economic_benefit": "", "description": ""},
                               "6": {"kind": "project", "title": "旧项目", "role": "", "number": "",
                                     "achieved_on": "", "economic_benefit": "", "description": ""}},
              "files": {"10": {"material": "work_summary", "achievement": None, "name": "a.pdf", "size": 2048,
                               "type": "application/pdf"},
                        "11": {"material": "evidence", "achievement": 5, "name": "证书.pdf", "size": 10,
                               "type": "application/pdf"},
                        "12": {"material": "other", "achievement": None, "name": "多余.pdf", "size": 10,
                               "type": "application/pdf"}}}
    after = {"fields": {"specialty": 2, "summary": "新", "justification": ""},
             "achievements": {"5": {**before["achievements"]["5"], "number": "ZL2"},
                              "7": {"kind": "standard", "title": "行业标准", "role": "major", "number": "JB/T 1",
                                    "achieved_on": "2025-01-01", "economic_benefit": "", "description": ""}},
             "files": {"13": {"material": "work_summary", "achievement": None, "name": "b.png", "size": 3 * 1024 * 1024,
                              "type": "image/png"},
                       "11": before["files"]["11"],
                       "14": {"material": "evidence", "achievement": 7, "name": "标准.pdf", "size": 10,
                              "type": "application/pdf"}}}
    changes = corrections.content_changes(before, after, specialty_names={1: "机械工程", 2: "电气工程"})
    by_label = {c.label: c for c in changes}
    assert list(by_label) == ["Specialty", "Professional summary", "Achievement: 换热装置", "Achievement: 旧项目",
                              "Achievement: 行业标准", "Material: Work summary", "Material: Other material"]
    assert (by_label["Specialty"].values[0].before, by_label["Specialty"].values[0].after) == ("机械工程", "电气工程")
    patent = by_label["Achievement: 换热装置"]
    assert patent.action == "changed" and [(v.label, v.before, v.after) for v in patent.values] == [
        ("Number (patent or standard)", "ZL1", "ZL2")]
    assert by_label["Achievement: 旧项目"].action == "removed"
    added = by_label["Achievement: 行业标准"]
    assert added.action == "added" and ("Kind", "", "Standard") in [(v.label, v.before, v.after) for v in added.values]
    assert added.files[0].action == "added" and added.files[0].after.name == "标准.pdf"
    replaced = by_label["Material: Work summary"].files
    assert [f.action for f in replaced] == ["replaced"]
    assert (replaced[0].before.name, replaced[0].after.name) == ("a.pdf", "b.png")
    assert replaced[0].before.description == "2.0\xa0KB, PDF" and replaced[0].after.description == "3.0\xa0MB, PNG"
    assert by_label["Material: Work summary"].targets == {"work_summary", "attachments", "attachment:10"}
    assert by_label["Material: Other material"].files[0].action == "removed"


# --- The return form: pick from a list, a note of several lines -------------------------------

def test_return_form_lists_fields_achievements_by_title_and_files_by_name(client, world):
    application = world.create()
    patent = svc.achievement_add(actor=world.applicant, application_id=application.pk, kind="patent",
                                 title="一种高效节能换热装置", role="lead", number="ZL1")
    evidence = svc.attachment_add(actor=world.applicant, application_id=application.pk, material="evidence",
                                  upload=pdf("专利证书.pdf"), achievement_id=patent.pk)
    work = svc.attachment_add(actor=world.applicant, application_id=application.pk, material="work_summary",
                              upload=pdf("工作总结.pdf"))
    world.submit(application)
    client.force_login(world.hr)
    page = client.get(reverse("application-review", args=[application.pk])).content.decode()
    form = page[page.index('data-testid="return-form"'):]
    assert '<optgroup label="Achievements">' in form and '<optgroup label="Materials and their files">' in form
    assert f'<option value="achievement:{patent.pk}">一种高效节能换热装置 · Patent</option>' in form
    assert f'value="attachment:{work.pk}">— 工作总结.pdf · ' in form
    assert f'value="attachment:{evidence.pk}">专利证书.pdf · ' in form and "evidence of 一种高效节能换热装置" in form
    assert '<textarea name="c-0-message"' in form and 'rows="3"' in form
    response = client.post(reverse("application-review", args=[application.pk]), {
        "action": "return", "c-TOTAL_FORMS": "2", "c-INITIAL_FORMS": "0",
        "c-0-target": f"attachment:{work.pk}", "c-0-message": "请上传盖章版\n（原件扫描）",
        "c-1-target": f"achievement:{patent.pk}", "c-1-message": "专利号有误"})
    assert response.status_code == 302
    by_target = {c.target: c for c in Correction.objects.filter(application=application)}
    assert by_target[f"attachment:{work.pk}"].message == "请上传盖章版\n（原件扫描）"
    assert by_target[f"attachment:{work.pk}"].item_title == "工作总结.pdf"
    assert by_target[f"achievement:{patent.pk}"].item_title == "一种高效节能换热装置"
    assert CorrectionRound.objects.get(application=application).content_before["files"][str(work.pk)]["name"] \
        == "工作总结.pdf"


def test_a_return_naming_one_file_unlocks_that_file_and_its_material_only(world):
    application = world.create()
    patent = svc.achievement_add(actor=world.applicant, application_id=application.pk, kind="project", title="项目")
    other = svc.attachment_add(actor=world.applicant, application_id=application.pk, material="evidence",
                               upload=pdf("证明.pdf"), achievement_id=patent.pk)
    work = svc.attachment_add(actor=world.applicant, application_id=application.pk, material="work_summary",
                              upload=pdf("工作总结.pdf"))
    world.submit(application)
    svc.application_decide(actor=world.hr, application_id=application.pk, action="return",
                           corrections=[{"target": f"attachment:{work.pk}", "message": "盖章"}])
    with pytest.raises(RuleViolation):
        svc.attachment_add(actor=world.applicant, application_id=application.pk, material="evidence",
                           upload=pdf(), achievement_id=patent.pk)
    with pytest.raises(RuleViolation):
        svc.attachment_remove(actor=world.applicant, application_id=application.pk, attachment_id=other.pk)
    with pytest.raises(RuleViolation):
        svc.attachment_add(actor=world.applicant, application_id=application.pk, material="other", upload=pdf())
    svc.attachment_remove(actor=world.applicant, application_id=application.pk, attachment_id=work.pk)
    svc.attachment_add(actor=world.applicant, application_id=application.pk, material="work_summary",
                       upload=pdf("盖章版.pdf"))


# --- Answering and resubmitting ---------------------------------------------------------------------

def test_resubmission_waits_until_every_correction_is_answered_by_a_change_or_in_words(world, returned):
    application = returned
    with pytest.raises(RuleViolation) as error:
        svc.application_resubmit(actor=world.applicant, application_id=application.pk)
    message = str(error.value.message)
    for label in ("Professional summary", "Achievement: 一种高效节能换热装置", "File 工作总结.pdf (Work summary)",
                  "Specialty"):
        assert label in message
    assert not CODES.search(message)
    application.refresh_from_db()
    assert application.status == "returned"
    application = correct(world, application)
    assert application.status == "employer_review"
    correction_round = CorrectionRound.objects.get(application=application)
    assert correction_round.resubmitted_at is not None and correction_round.content_after["files"]
    assert not Correction.objects.filter(application=application, resolved_at__isnull=True).exists()
    event = AuditEvent.objects.filter(action="application.resubmit", object_id=str(application.pk)).get()
    assert event.after["answers"] == {"changed": 3, "answered": 1}
    assert AuditEvent.objects.filter(action="application.correction_answer", object_id=str(application.pk)).exists()


def test_the_comparison_is_kept_as_resubmitted(world, returned):
    application = correct(world, returned)
    view = corrections.round_view(CorrectionRound.objects.get(application=application))
    state = {c.label: (c.changed, c.answered) for c in view.corrections}
    assert state == {"Professional summary": (True, False), "Achievement: 一种高效节能换热装置": (True, False),
                     "File 工作总结.pdf (Work summary)": (True, False), "Specialty": (False, True)}
    files = next(c for c in view.changes if c.label == "Material: Work summary").files
    assert [(f.action, f.before.name, f.after.name, f.after.type) for f in files] == [
        ("replaced", "工作总结.pdf", "工作总结（盖章）.png", "image/png")]


def test_only_the_applicant_answers_and_only_while_returned(world, returned):
    correction = Correction.objects.filter(application=returned).first()
    for outsider in (world.hr, world.another_applicant(), world.officer):
        with pytest.raises(NotFound):
            svc.correction_answer(actor=outsider, application_id=returned.pk, correction_id=correction.pk,
                                  answer="x")
    correct(world, returned)
    with pytest.raises(RuleViolation):
        svc.correction_answer(actor=world.applicant, application_id=returned.pk, correction_id=correction.pk,
                              answer="late")


def test_the_return_notification_names_titles_and_files_never_codes(world, returned):
    notice = Notification.objects.get(recipient=world.applicant, subject__contains="returned")
    assert "Achievement: 一种高效节能换热装置: 专利号有误" in notice.body
    assert "File 工作总结.pdf (Work summary): 工作总结需加盖单位公章" in notice.body
    assert "Professional summary: 补充近三年主要业绩" in notice.body
    assert not CODES.search(notice.body)


# --- What people see -----------------------------------------------------------------------------------

def test_the_officer_sees_every_change_before_and_after_by_title_and_file_name(client, world, returned):
    correct(world, returned)
    client.force_login(world.hr)
    html = client.get(reverse("application-review", args=[returned.pk])).content.decode()
    changes = html[html.index('data-testid="changes"'):html.index('data-testid="actions"')]
    text = visible_text(changes)
    assert "4 of 4 answered" not in text  # resubmitted: the round says when, not a count
    assert "resubmitted" in text
    assert "Achievement: 一种高效节能换热装置" in text and "ZL202310123456.7 → ZL202310123456.8" in text.replace(
        " becomes ", " ")
    assert "<del><span class=\"visually-hidden\">deleted: </span>" in changes or "<ins>" in changes
    assert "近三年完成三项技术攻关" in text
    assert "replaced 工作总结.pdf" in text and "工作总结（盖章）.png" in text and "PNG" in text and "PDF" in text
    assert "Applicant's answer: 专业无误：本人从事机械设计" in text
    assert changes.count('data-done="1"') == 4
    assert not CODES.search(text), CODES.search(text)


def test_the_applicant_sees_the_same_list_marked_done_as_each_is_answered(client, world, returned):
    client.force_login(world.applicant)
    url = reverse("application-edit", args=[returned.pk, "submit"])
    page = client.get(url).content.decode()
    assert page.count('data-testid="correction" data-done="0"') == 4 and "0 of 4 answered" in visible_text(page)
    svc.application_update_draft(actor=world.applicant, application_id=returned.pk, data={"summary": "新的总结"})
    specialty = Correction.objects.get(application=returned, target="specialty")
    response = client.post(reverse("application-correction-answer", args=[returned.pk, specialty.pk]),
                           {"answer": "专业无误"})
    assert response.status_code == 302 and response["Location"].endswith(f"#correction-{specialty.pk}")
    page = client.get(url).content.decode()
    assert "2 of 4 answered" in visible_text(page) and page.count('data-done="1"') >= 2
    assert "新的总结" in visible_text(page)
    detail = client.get(reverse("application-detail", args=[returned.pk])).content.decode()
    assert "2 of 4 answered" in visible_text(detail)
    for html in (page, detail):
        assert not CODES.search(visible_text(html)), CODES.search(visible_text(html))


def test_pages_show_no_code_in_the_lists_of_targets(client, world, returned):
    correct(world, returned)  # back in employer review: the return form is offered again
    client.force_login(world.hr)
    html = client.get(reverse("application-review", args=[returned.pk])).content.decode()
    labels = " ".join(re.findall(r"<option[^>]*>([^<]*)</option>", html))
    labels += " ".join(re.findall(r'<optgroup label="([^"]*)"', html))
    assert labels and not CODES.search(labels)


def test_review_page_queries_stay_flat_with_more_corrections_files_and_returns(client, world,
                                                                              django_assert_max_num_queries):
    application = world.submitted()
    client.force_login(world.hr)
    url = reverse("application-review", args=[application.pk])

    def round_trip(n):
        svc.application_decide(actor=world.hr, application_id=application.pk, action="return",
                               corrections=[{"target": "summary", "message": f"补充{i}"} for i in range(n)]
                               + [{"target": "work_summary", "message": "盖章"}])
        svc.application_update_draft(actor=world.applicant, application_id=application.pk,
                                     data={"summary": f"第{n}次修改"})
        for i in range(n):
            svc.attachment_add(actor=world.applicant, application_id=application.pk, material="work_summary",
                               upload=pdf(f"补充{n}-{i}.pdf"))
        svc.application_resubmit(actor=world.applicant, application_id=application.pk)

    round_trip(1)
    with django_assert_max_num_queries(60) as one:
        client.get(url)
    round_trip(4)
    round_trip(3)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count('data-testid="correction-round"') == 3


def test_a_correction_asked_before_rounds_existed_shows_in_words_and_does_not_block(world):
    application = world.submitted()
    svc.application_decide(actor=world.hr, application_id=application.pk, action="return",
                           corrections=[{"target": "summary", "message": "补充"}])
    Correction.objects.filter(application=application).update(round=None)  # as before the migration
    CorrectionRound.objects.filter(application=application).delete()
    assert svc.application_resubmit(actor=world.applicant, application_id=application.pk).status == "employer_review"


# --- The API --------------------------------------------------------------------------------------------

def test_api_lists_returns_with_their_changes_for_applicant_and_reviewers(world, returned):
    correct(world, returned)
    api = APIClient()
    for user in (world.applicant, world.hr):
        api.force_authenticate(user)
        body = api.get(f"/api/v1/applications/{returned.pk}/corrections/").json()
        assert len(body) == 1 and body[0]["open"] is False and body[0]["stage_label"] == "Returned by the employer"
        assert {c["label"]: c["done"] for c in body[0]["corrections"]} == {
            "Professional summary": True, "Achievement: 一种高效节能换热装置": True,
            "File 工作总结.pdf (Work summary)": True, "Specialty": True}
        work = next(c for c in body[0]["changes"] if c["label"] == "Material: Work summary")
        assert work["files"][0]["action"] == "replaced" and work["files"][0]["after"]["name"] == "工作总结（盖章）.png"
    for outsider in (world.another_applicant(), hr_admin_of(EnterpriseFactory())):
        api.force_authenticate(outsider)
        assert api.get(f"/api/v1/applications/{returned.pk}/corrections/").status_code == 404


def test_api_correction_targets_are_for_reviewers_only(world, returned):
    api = APIClient()
    api.force_authenticate(world.hr)
    rows = api.get(f"/api/v1/applications/{returned.pk}/corrections/targets/").json()
    assert {"target": f"achievement:{returned.patent.pk}", "label": "一种高效节能换热装置 · Patent",
            "group": "Achievements"} in rows
    for user in (world.applicant, world.another_applicant(), hr_admin_of(EnterpriseFactory())):
        api.force_authenticate(user)
        assert api.get(f"/api/v1/applications/{returned.pk}/corrections/targets/").status_code == 404


def test_api_answer_is_the_applicants_only(world, returned):
    correction = Correction.objects.filter(application=returned).first()
    api = APIClient()
    url = f"/api/v1/applications/{returned.pk}/corrections/{correction.pk}/answer/"
    for outsider in (world.hr, world.another_applicant()):
        api.force_authenticate(outsider)
        assert api.post(url, {"answer": "x"}, format="json").status_code == 404
    api.force_authenticate(world.applicant)
    response = api.post(url, {"answer": "已修改"}, format="json")
    assert response.status_code == 200 and response.json()["answer"] == "已修改"
    assert api.post(url, {"answer": "x" * 4001}, format="json").status_code == 400


def test_specialty_change_is_shown_by_name(world):
    application = world.submitted()
    svc.application_decide(actor=world.hr, application_id=application.pk, action="return",
                           corrections=[{"target": "specialty", "message": "专业选错"}])
    other = Specialty.objects.filter(series=application.series, is_active=True).exclude(
        pk=application.specialty_id).order_by("pk").first()
    svc.application_update_draft(actor=world.applicant, application_id=application.pk, data={"specialty": other.pk})
    svc.application_resubmit(actor=world.applicant, application_id=application.pk)
    from applications import selectors

    full = selectors.application_get_for_user(user=world.hr, pk=application.pk)
    view = selectors.application_correction_rounds(application=full)[0]
    value = view.corrections[0].changes[0].values[0]
    assert (value.before, value.after) == (application.specialty.display_name, other.display_name)
