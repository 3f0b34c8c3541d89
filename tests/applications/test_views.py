"""The pages of the applications app: each role that may, and ones that may
not; query counts of the lists; bad input never gives a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications import application_services as svc
from applications.models import Application, Attachment, Correction, EducationRecord, TitleName, UnitObjection
from tests.applications.conftest import acceptance_body, make_call, make_committee, pdf, png
from tests.factories import EnterpriseFactory, UserFactory, bureau_officer, hr_admin_of


def title_en(application: Application) -> str:
    """The application's title as an English page names it (the catalogue's English name)."""
    name = TitleName.objects.get(series_id=application.series_id, level=application.level).name_en
    assert name
    return name


def login(client, user):
    client.force_login(user)
    return client


def bulk(world, n: int, *, status: str = "employer_review", applicant=None, **fields) -> list[Application]:
    """``n`` applications in ``status`` created directly (one person, one year each)."""
    base = world.create(applicant=applicant or world.another_applicant())
    rows = []
    for i in range(n):
        values = {f.attname: getattr(base, f.attname) for f in Application._meta.concrete_fields
                  if f.attname not in ("id",)}
        values.update(status=status, year=1900 + i + len(rows), submitted_at=timezone.now(),
                      publicity_ends_on=timezone.localdate() + dt.timedelta(days=5), **fields)
        rows.append(Application(**values))
    Application.objects.filter(pk=base.pk).delete()
    return Application.objects.bulk_create(rows)


# --- Dashboard and profile ---------------------------------------------------------

def test_dashboard_shows_my_applications_with_stages_timeline_and_countdown(client, world):
    application = world.submitted()
    draft = world.create(call=make_call(committee=make_committee(region_code=None), year=2031))
    response = login(client, world.applicant).get(reverse("applications-dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert title_en(application) in html and "Employer review" in html  # the title in the page's language
    assert 'aria-current="step"' in html
    assert "Submitted with the integrity pledge" in html  # timeline from the audit events
    assert 'data-deadline="' in html and "Call closes" in html  # the draft's countdown
    assert reverse("application-edit", args=[draft.pk, "basics"]) in html


def test_dashboard_queries_do_not_grow_with_applications(client, world, django_assert_max_num_queries):
    login(client, world.applicant)
    bulk(world, 3, applicant=world.applicant, status="draft")
    with django_assert_max_num_queries(5) as few:  # user, roles; applications, events, open calls
        client.get(reverse("applications-dashboard"))
    bulk(world, 30, applicant=world.applicant, status="draft")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("applications-dashboard")).status_code == 200


def test_dashboard_needs_login(client):
    response = client.get(reverse("applications-dashboard"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_R5_1_profile_rows_added_and_removed(client, world):
    user = UserFactory()
    login(client, user)
    response = client.post(reverse("profile-add", args=["education"]), {
        "education-level": "master", "education-school": "新疆大学", "education-major": "化工",
        "education-graduated_on": "2019-07-01", "education-full_time": "on"})
    assert response.status_code == 302
    record = EducationRecord.objects.get(user=user)
    for kind, data in (
        ("work", {"work-employer_name": "某公司", "work-started_on": "2019-08-01"}),
        ("titles", {"titles-series": world.call.series_id, "titles-level": "junior",
                    "titles-granted_on": "2020-09-01"}),
        ("skills", {"skills-level": "technician", "skills-occupation": "电工", "skills-obtained_on": "2018-01-01"}),
        ("continuing-education", {"continuing-education-year": "2025", "continuing-education-hours": "96"}),
    ):
        assert client.post(reverse("profile-add", args=[kind]), data).status_code == 302, kind
    assert user.titles_held.get().title_name == "助理工程师"  # from the catalogue
    page = client.get(reverse("applicant-profile")).content.decode()
    assert "新疆大学" in page and "电工" in page and "Assistant Engineer" in page  # the title held, in English
    assert client.post(reverse("profile-remove", args=["education", record.pk])).status_code == 302
    assert not EducationRecord.objects.filter(user=user).exists()


def test_R5_1_what_people_typed_on_their_profile_keeps_its_own_direction_on_a_uyghur_page(client, world):
    """A title's certificate number and granting body (XJ201700003 乌鲁木齐市人力资源和社会保障局) ran
    together with the date into one left-to-right run on a Uyghur page, its words reordered and split."""
    from applications.models import TitleHeld, WorkRecord

    TitleHeld.objects.filter(user=world.applicant).update(certificate_number="XJ201700003",
                                                          granting_body="乌鲁木齐市人力资源和社会保障局")
    WorkRecord.objects.create(user=world.applicant, employer_name="新疆天山智能装备有限公司", position="工程师",
                              started_on=dt.date(2016, 3, 1))
    world.applicant.language = "ug"
    world.applicant.save(update_fields=["language"])
    client.force_login(world.applicant)
    html = client.get(reverse("applicant-profile"), HTTP_ACCEPT_LANGUAGE="ug").content.decode()
    for typed in ("XJ201700003", "乌鲁木齐市人力资源和社会保障局", "新疆天山智能装备有限公司", "工程师", "新疆大学"):
        assert f"<bdi>{typed}</bdi>" in html, typed
    # "2025: 96.0" has no letter to take a direction from: it read "96.0 :2025" right to left.
    hours = world.applicant.continuing_education.get()
    assert f'<bdi dir="ltr">{hours.year}: {hours.hours}</bdi>' in html


def test_R5_1_profile_bad_input_is_a_400_not_a_500(client, world):
    login(client, UserFactory())
    response = client.post(reverse("profile-add", args=["education"]), {"education-level": "phd!",
                                                                        "education-graduated_on": "never"})
    assert response.status_code == 400
    future = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    response = client.post(reverse("profile-add", args=["skills"]), {
        "skills-level": "technician", "skills-occupation": "电工", "skills-obtained_on": future})
    assert response.status_code == 400 and "future" in response.content.decode()
    assert client.post(reverse("profile-add", args=["salary"]), {}).status_code == 404


def test_R5_1_another_persons_profile_row_cannot_be_removed(client, world):
    record = world.applicant.education_records.get()
    login(client, UserFactory())
    assert client.post(reverse("profile-remove", args=["education", record.pk])).status_code == 404
    assert EducationRecord.objects.filter(pk=record.pk).exists()


# --- New application and the multi-step form ----------------------------------------------

def test_new_application_lists_open_calls_and_starts_a_draft(client, world):
    closed = make_call(committee=world.committee, opens_at=timezone.now() - dt.timedelta(days=9),
                       closes_at=timezone.now() - dt.timedelta(days=1))
    login(client, world.applicant)
    page = client.get(reverse("application-new")).content.decode()
    assert world.call.name in page and closed.name not in page
    start = reverse("application-start", args=[world.call.pk])
    assert client.get(start).status_code == 200
    response = client.post(start, {"specialty": world.call.series.specialties.first().pk, "level": "intermediate",
                                   "pathway": "regular", "channel": "employer"})
    application = Application.objects.get(applicant=world.applicant)
    assert response["Location"] == reverse("application-edit", args=[application.pk, "basics"])
    response = client.get(reverse("application-start", args=[closed.pk]))
    assert response.status_code == 302


def test_start_refused_with_the_rule_in_the_form(client, world):
    login(client, UserFactory())  # no employment
    response = client.post(reverse("application-start", args=[world.call.pk]), {
        "specialty": world.call.series.specialties.first().pk, "level": "intermediate", "pathway": "regular",
        "channel": "employer"})
    assert response.status_code == 200
    assert "R1.1" in response.content.decode() and "[R1.1]" not in response.content.decode()
    assert not Application.objects.exists()


def test_multistep_form_to_submission(client, world):
    application = world.create()
    login(client, world.applicant)
    url = lambda step: reverse("application-edit", args=[application.pk, step])  # noqa: E731
    page = client.get(url("basics")).content.decode()
    assert 'data-autosave-url="/api/v1/applications/' in page and "applications.js" in page
    response = client.post(url("basics"), {"specialty": application.specialty_id, "level": "intermediate",
                                           "pathway": "regular", "summary": "从事机械设计十年", "next": "1"})
    assert response["Location"] == url("achievements")
    response = client.post(url("achievements"), {"form": "achievement", "kind": "patent", "title": "一种换热器",
                                                 "role": "lead", "number": "ZL2023"})
    assert response.status_code == 302
    achievement = application.achievements.get()
    client.post(url("achievements"), {"form": "evidence", "achievement": achievement.pk, "file": png()})
    assert achievement.evidence.count() == 1
    response = client.post(url("materials"), {"material": "work_summary", "file": pdf()})
    assert response.status_code == 302
    page = client.get(url("submit")).content.decode()
    assert "Eligible" in page and "R6.3" in page
    response = client.post(url("submit"), {})
    assert response.status_code == 400  # the pledge is not ticked
    response = client.post(url("submit"), {"pledge_accepted": "on"})
    assert response["Location"] == reverse("application-detail", args=[application.pk])
    application.refresh_from_db()
    assert application.status == "employer_review" and application.summary == "从事机械设计十年"
    assert client.get(url("basics"))["Location"] == reverse("application-detail", args=[application.pk])


def test_bad_file_is_refused_with_a_message_and_the_draft_keeps_the_rest(client, world):
    application = world.create()
    svc.application_update_draft(actor=world.applicant, application_id=application.pk, data={"summary": "保留"})
    login(client, world.applicant)
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("cv.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    response = client.post(reverse("application-edit", args=[application.pk, "materials"]),
                           {"material": "work_summary", "file": fake})
    assert response.status_code == 400
    assert "PDF, JPEG or PNG" in response.content.decode()
    application.refresh_from_db()
    assert application.summary == "保留" and not application.attachments.exists()


def test_edit_steps_are_the_applicants_only(client, world, other_enterprise_hr):
    application = world.create()
    url = reverse("application-edit", args=[application.pk, "basics"])
    assert client.get(url).status_code == 302  # anonymous: log in
    for user in (world.another_applicant(), world.hr, other_enterprise_hr, world.officer):
        assert login(client, user).get(url).status_code == 404
    assert login(client, world.applicant).get(reverse("application-edit", args=[application.pk, "nope"])
                                               ).status_code == 404


def test_returned_application_shows_open_corrections_and_locks_other_fields(client, world):
    application = world.submitted()
    svc.application_decide(actor=world.hr, application_id=application.pk, action="return",
                           corrections=[{"target": "summary", "message": "补充业绩"}])
    login(client, world.applicant)
    page = client.get(reverse("application-edit", args=[application.pk, "basics"])).content.decode()
    assert "补充业绩" in page
    assert 'name="specialty"' in page and "disabled" in page
    response = client.post(reverse("application-resubmit", args=[application.pk]))
    assert response.status_code == 302  # refused: the correction is not answered yet
    application.refresh_from_db()
    assert application.status == "returned"
    svc.application_update_draft(actor=world.applicant, application_id=application.pk, data={"summary": "新业绩"})
    response = client.post(reverse("application-resubmit", args=[application.pk]))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "employer_review"


# --- Detail, PDF, files ----------------------------------------------------------------------

def test_detail_shows_frozen_conditions_corrections_and_timeline(client, world):
    application = world.submitted()
    svc.application_decide(actor=world.hr, application_id=application.pk, action="return",
                           corrections=[{"target": "summary", "message": "补充业绩"}])
    page = login(client, world.applicant).get(reverse("application-detail", args=[application.pk])).content.decode()
    assert 'data-testid="frozen-conditions"' in page and "R3.5" in page
    assert "补充业绩" in page and "Returned for correction by the employer" in page
    assert "Corrections due" in page


def test_detail_permissions(client, world, other_enterprise_hr):
    application = world.submitted()
    url = reverse("application-detail", args=[application.pk])
    assert login(client, world.hr).get(url)["Location"] == reverse("application-review", args=[application.pk])
    for user in (world.another_applicant(), other_enterprise_hr, bureau_officer("653100")):
        assert login(client, user).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_application_form_pdf(client, world):
    application = world.submitted()
    for user in (world.applicant, world.hr, world.officer):
        response = login(client, user).get(reverse("application-pdf", args=[application.pk]))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
    assert login(client, world.another_applicant()).get(reverse("application-pdf", args=[application.pk])
                                                        ).status_code == 404


def test_attachment_download_for_applicant_and_reviewers_only(client, world, other_enterprise_hr):
    application = world.submitted()
    attachment = Attachment.objects.get(application=application)
    url = reverse("application-file", args=[application.pk, attachment.pk])
    for user in (world.applicant, world.hr, world.officer):
        response = login(client, user).get(url)
        assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    for user in (other_enterprise_hr, world.another_applicant(), bureau_officer("653100")):
        assert login(client, user).get(url).status_code == 404


def test_withdraw_from_the_detail_page(client, world):
    application = world.submitted()
    login(client, world.applicant)
    client.post(reverse("application-withdraw", args=[application.pk]), {"reason": "另有安排"})
    application.refresh_from_db()
    assert application.status == "withdrawn"
    other = world.submitted(applicant=world.another_applicant())
    assert client.post(reverse("application-withdraw", args=[other.pk])).status_code == 404


# --- The review page ----------------------------------------------------------------------

def test_sponsor_hr_reviews_and_approves(client, world):
    application = world.submitted()
    login(client, world.hr)
    page = client.get(reverse("application-review", args=[application.pk])).content.decode()
    assert application.applicant.real_name in page and application.applicant.id_number_masked in page
    assert 'data-action="employer_approve"' in page and 'data-testid="return-form"' in page
    client.post(reverse("application-review", args=[application.pk]), {"action": "employer_approve"})
    application.refresh_from_db()
    assert application.status == "unit_publicity"


def test_review_return_with_several_corrections_then_changes_are_shown(client, world):
    application = world.submitted()
    login(client, world.hr)
    response = client.post(reverse("application-review", args=[application.pk]), {
        "action": "return", "reason": "请补正", "c-TOTAL_FORMS": "3", "c-INITIAL_FORMS": "0",
        "c-0-target": "summary", "c-0-message": "补充近三年业绩",
        "c-1-target": "work_summary", "c-1-message": "需加盖公章",
        "c-2-target": "", "c-2-message": ""})
    assert response.status_code == 302
    assert Correction.objects.filter(application=application).count() == 2
    svc.application_update_draft(actor=world.applicant, application_id=application.pk, data={"summary": "新业绩"})
    stamp = Correction.objects.get(application=application, target="work_summary")
    svc.correction_answer(actor=world.applicant, application_id=application.pk, correction_id=stamp.pk,
                          answer="已盖章")
    svc.application_resubmit(actor=world.applicant, application_id=application.pk)
    page = client.get(reverse("application-review", args=[application.pk])).content.decode()
    assert 'data-testid="changes"' in page and "新业绩" in page


def test_review_return_without_corrections_is_refused(client, world):
    application = world.submitted()
    login(client, world.hr)
    response = client.post(reverse("application-review", args=[application.pk]), {
        "action": "return", "c-TOTAL_FORMS": "1", "c-INITIAL_FORMS": "0", "c-0-target": "", "c-0-message": ""})
    assert response.status_code == 400 and "List every correction at once" in response.content.decode()
    application.refresh_from_db()
    assert application.status == "employer_review"


def test_review_page_permissions(client, world, other_enterprise_hr):
    application = world.in_acceptance()
    url = reverse("application-review", args=[application.pk])
    _body, other_region_officer = acceptance_body(region_code="653100")
    for user in (other_enterprise_hr, world.another_applicant(), other_region_officer, bureau_officer("653100")):
        assert login(client, user).get(url).status_code == 404, user
    assert login(client, world.applicant).get(url)["Location"] == reverse("application-detail",
                                                                          args=[application.pk])
    page = login(client, world.officer).get(url).content.decode()
    assert 'data-action="accept"' in page
    client.post(url, {"action": "accept"})
    application.refresh_from_db()
    assert application.status == "qualification_audit"


def test_review_forged_action_is_refused(client, world):
    application = world.submitted()
    login(client, world.hr)
    for action in ("accept", "audit_approve", "grant", "x" * 39):
        client.post(reverse("application-review", args=[application.pk]), {"action": action})
    application.refresh_from_db()
    assert application.status == "employer_review"


def test_sponsor_answers_an_objection_on_the_review_page(client, world):
    application = world.approve(world.submitted())
    objection = svc.unit_objection_create(application_id=application.pk, reason="材料存疑请核实", contact="电话")
    login(client, world.hr)
    page = client.get(reverse("application-review", args=[application.pk])).content.decode()
    assert "材料存疑请核实" in page
    client.post(reverse("application-review", args=[application.pk]),
                {"objection": objection.pk, "answer": "经核实无误", "upheld": "0"})
    objection.refresh_from_db()
    assert objection.answered_at and objection.upheld is False


# --- Enterprise HR list -------------------------------------------------------------------------

def test_hr_list_filters_and_bulk_approve(client, world):
    first = world.submitted()
    second = world.submitted(applicant=world.another_applicant())
    draft = world.create(applicant=world.another_applicant())
    url = reverse("hr-applications", args=[world.enterprise.pk])
    login(client, world.hr)
    page = client.get(url).content.decode()
    assert first.applicant.real_name in page and second.applicant.real_name in page
    assert draft.applicant.real_name not in page  # drafts are the applicant's own
    filtered = client.get(url, {"name": first.applicant.real_name}).content.decode()
    assert second.applicant.real_name not in filtered
    assert client.get(url, {"status": "bogus", "level": "x", "after": "abc"}).status_code == 200
    response = client.post(url, {"ids": [first.pk, second.pk, "junk"]})
    assert response.status_code == 302
    assert set(Application.objects.filter(status="unit_publicity").values_list("pk", flat=True)) == {first.pk,
                                                                                                    second.pk}


def test_hr_list_permissions(client, world, other_enterprise_hr):
    world.submitted()
    url = reverse("hr-applications", args=[world.enterprise.pk])
    for user in (other_enterprise_hr, world.applicant, world.officer):
        assert login(client, user).get(url).status_code == 404
        assert login(client, user).post(url, {"ids": [1]}).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_hr_list_queries_are_flat_and_keyset_paginated(client, world, django_assert_max_num_queries):
    bulk(world, 10)
    login(client, world.hr)
    url = reverse("hr-applications", args=[world.enterprise.pk])
    with django_assert_max_num_queries(9) as ten:
        client.get(url)
    bulk(world, 100)
    with django_assert_max_num_queries(len(ten.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count('data-testid="row"') == 25 and 'data-testid="next-page"' in page
    newest = Application.objects.order_by("-id")[24].pk
    second = client.get(url, {"after": newest}).content.decode()
    assert second.count('data-testid="row"') == 25


# --- Acceptance and audit queues ------------------------------------------------------------------

def test_acceptance_queue_shows_only_the_bodys_region_and_series(client, world):
    application = world.in_acceptance()
    body, officer = acceptance_body()  # engineering in Urumqi, but created after: not this application's body
    _other, other_officer = acceptance_body(region_code="653100")
    page = login(client, world.officer).get(reverse("acceptance-queue")).content.decode()
    assert application.applicant.real_name in page
    page = login(client, other_officer).get(reverse("acceptance-queue")).content.decode()
    assert application.applicant.real_name not in page
    assert login(client, world.applicant).get(reverse("acceptance-queue")).status_code == 403
    client.logout()
    assert client.get(reverse("acceptance-queue")).status_code == 302


def test_audit_queue_is_the_bureau_of_the_region(client, world):
    application = world.in_audit()
    page = login(client, world.officer).get(reverse("audit-queue")).content.decode()
    assert application.applicant.real_name in page
    page = login(client, bureau_officer("653100")).get(reverse("audit-queue")).content.decode()
    assert application.applicant.real_name not in page
    _body, acceptance_officer = acceptance_body()
    assert login(client, acceptance_officer).get(reverse("audit-queue")).status_code == 403
    assert login(client, world.hr).get(reverse("audit-queue")).status_code == 403


@pytest.mark.parametrize("name, status", [("acceptance-queue", "acceptance"), ("audit-queue", "qualification_audit")])
def test_queues_stay_under_15_queries_whatever_the_rows(client, world, django_assert_max_num_queries, name, status):
    bulk(world, 10, status=status)
    login(client, world.officer)
    with django_assert_max_num_queries(3) as ten:
        assert client.get(reverse(name)).status_code == 200
    bulk(world, 100, status=status)
    with django_assert_max_num_queries(len(ten.captured_queries)):
        page = client.get(reverse(name)).content.decode()
    assert page.count('data-testid="row"') == 25


# --- Public unit publicity -----------------------------------------------------------------------

def test_R5_5_public_list_masks_names(client, world):
    application = world.approve(world.submitted())
    name = application.applicant.real_name
    page = client.get(reverse("unit-publicity")).content.decode()
    assert name not in page
    from portal.personal_data import mask_name

    assert mask_name(name) in page and application.applicant.id_number_masked not in page
    assert client.get(reverse("unit-publicity"), {"region": "653100"}).content.decode().count(mask_name(name)) == 0
    assert client.get(reverse("unit-publicity"), {"region": "<script>", "after": "-1"}).status_code == 200


def test_R5_5_public_list_queries_are_flat(client, world, django_assert_max_num_queries):
    bulk(world, 5, status="unit_publicity")
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("unit-publicity"))
    bulk(world, 60, status="unit_publicity")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("unit-publicity"))


def test_R5_5_objection_form_and_rate_limit(client, world, settings):
    settings.UNIT_OBJECTION_RATE = (1, 3600)
    application = world.approve(world.submitted())
    url = reverse("unit-objection", args=[application.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": "短", "contact": ""}).status_code == 400
    response = client.post(url, {"reason": "该同志业绩不实", "contact": "13800000000"})
    assert response.status_code == 429  # second attempt from this address within the hour
    assert UnitObjection.objects.count() == 0
    from django.core.cache import cache

    cache.clear()
    response = client.post(url, {"reason": "该同志业绩不实", "contact": "13800000000"})
    assert response.status_code == 302
    assert UnitObjection.objects.filter(application=application).count() == 1


def test_R5_5_objection_only_while_in_publicity(client, world):
    application = world.submitted()
    assert client.get(reverse("unit-objection", args=[application.pk])).status_code == 404


def test_pages_never_500_on_odd_ids(client, world):
    login(client, world.applicant)
    for url in ("/applications/999999/", "/applications/999999/review/", "/applications/999999/form.pdf",
                "/applications/999999/files/1/", "/applications/new/999999/", "/enterprises/999999/applications/",
                "/publicity/unit/999999/object/"):
        assert client.get(url).status_code in (302, 404), url


def test_hr_of_another_enterprise_in_the_same_region_sees_nothing(client, world):
    world.submitted()
    other = EnterpriseFactory(region=world.enterprise.region)
    hr = hr_admin_of(other)
    page = login(client, hr).get(reverse("hr-applications", args=[other.pk])).content.decode()
    assert world.applicant.real_name not in page


def test_R5_4_employer_reads_an_application_its_original_unit_reviews(client, world):
    """R1.7: the university reviews; the enterprise sees its employee's application, read-only."""
    from portal.models import Employment, Membership, Organization

    unit = Organization.objects.create(kind="institution", name="新疆某研究院", region=world.enterprise.region,
                                       status="active")
    unit_hr = UserFactory()
    Membership.objects.create(user=unit_hr, organization=unit, role=Membership.OrgRole.HR_ADMIN)
    Employment.objects.filter(user=world.applicant).update(original_unit=unit,
                                                           leave_start=timezone.localdate() - dt.timedelta(days=90))
    application = world.submitted(channel="original_unit")
    page = login(client, world.hr).get(reverse("application-review", args=[application.pk])).content.decode()
    assert title_en(application) in page and 'data-testid="actions"' not in page  # the title, in English
    assert login(client, world.hr).get(reverse("application-pdf", args=[application.pk])).status_code == 200
    page = login(client, unit_hr).get(reverse("application-review", args=[application.pk])).content.decode()
    assert 'data-action="employer_approve"' in page
    assert login(client, unit_hr).get(reverse("hr-applications", args=[unit.pk])).status_code == 200
    client.post(reverse("application-review", args=[application.pk]), {"action": "employer_approve"})
    application.refresh_from_db()
    assert application.status == "unit_publicity"


def test_review_queue_index_sends_each_officer_to_their_queue(client, world):
    assert login(client, world.officer).get(reverse("review-queue"))["Location"] == reverse("audit-queue")
    _body, officer = acceptance_body()
    assert login(client, officer).get(reverse("review-queue"))["Location"] == reverse("acceptance-queue")
    assert login(client, world.applicant).get(reverse("review-queue")).status_code == 403


def test_admin_pages_of_calls_and_applications(client, world):
    world.submitted()
    admin = UserFactory(is_staff=True, is_superuser=True)
    login(client, admin)
    for url in ("/admin/applications/application/", "/admin/applications/call/", "/admin/applications/reminder/",
                f"/admin/applications/application/{Application.objects.get().pk}/change/"):
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/applications/application/add/").status_code == 403


def test_odd_input_never_gives_a_500(client, world):
    application = world.submitted()
    draft = world.create(applicant=world.another_applicant())
    login(client, world.hr)
    review = reverse("application-review", args=[application.pk])
    for data in ({"action": "return", "c-TOTAL_FORMS": "x"}, {"action": "return", "due_on": "31/31/2031"},
                 {"action": ""}, {"objection": "abc", "answer": ""}, {"action": "return", "c-TOTAL_FORMS": "1",
                                                                       "c-INITIAL_FORMS": "0", "c-0-target": "<b>",
                                                                       "c-0-message": "x"}):
        assert client.post(review, data).status_code < 500, data
    assert client.post(reverse("hr-applications", args=[world.enterprise.pk]), {"ids": ["-1", "9" * 30]}
                       ).status_code == 302
    login(client, draft.applicant)
    for step, data in (("basics", {"specialty": "x", "level": "<script>", "summary": "x" * 30000}),
                       ("achievements", {"form": "achievement", "kind": "patent", "economic_benefit": "1e999"}),
                       ("achievements", {"form": "evidence", "achievement": "999999"}),
                       ("materials", {"material": "../../etc/passwd"}), ("submit", {"pledge_accepted": "maybe"})):
        assert client.post(reverse("application-edit", args=[draft.pk, step]), data).status_code < 500, step
    assert client.post(reverse("application-start", args=[world.call.pk]), {"sponsor": "x", "channel": "agency"}
                       ).status_code < 500
    api = "/api/v1/applications/"
    for path, body in ((f"{api}{draft.pk}/", [1, 2]), (f"{api}{draft.pk}/achievements/", {"economic_benefit": "NaN"}),
                       (f"{api}{application.pk}/decide/", {"action": "return", "corrections": "all"})):
        response = client.generic("PATCH" if path.endswith(f"{draft.pk}/") else "POST", path,
                                  data=__import__("json").dumps(body), content_type="application/json")
        assert response.status_code < 500, path


def _call_form(owner, **overrides):
    now = timezone.localtime()
    data = {"owner": owner, "name": "2027年度工程系列", "series": "", "levels": ["intermediate"], "year": "2027",
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + dt.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"), "methods": ["review"],
            "pass_rate_ceiling": "0.6"}
    data.update(overrides)
    return data


def test_R2_1_secretary_opens_a_call_in_scope_from_the_page(client, world):
    from applications.models import Call

    secretary = world.committee.members.get(role="secretary").user
    from django.contrib.auth.models import Group

    secretary.groups.add(Group.objects.get(name="committee_secretary"))
    login(client, secretary)
    url = reverse("call-open")
    assert client.get(url).status_code == 200
    owner = f"committee:{world.committee.pk}"
    response = client.post(url, _call_form(owner, series=world.committee.series_id))
    assert response.status_code == 302
    assert Call.objects.filter(name="2027年度工程系列", committee=world.committee).exists()
    narrow = make_committee(levels=["junior"])
    narrow.members.create(user=secretary, role="secretary")
    response = client.post(url, _call_form(f"committee:{narrow.pk}", series=narrow.series_id, name="越界批次"))
    page = response.content.decode()
    assert response.status_code == 400 and "R2.1" in page and "[R2.1]" not in page  # the rule named once
    assert not Call.objects.filter(name="越界批次").exists()


def test_call_open_page_permissions(client, world):
    assert client.get(reverse("call-open")).status_code == 302
    for user in (world.applicant, world.hr):
        assert login(client, user).get(reverse("call-open")).status_code == 403
    page = login(client, world.officer).get(reverse("call-open")).content.decode()
    assert "bureau:" in page and "committee:" not in page  # a bureau officer opens the bureau's calls only


def test_dashboard_reads_each_table_once_and_only_what_it_shows(client, world):
    """Issue 15: the applications (no region, no unused joins), their milestone events and the open
    calls (no specialties) in one narrow query each."""
    world.submitted()
    world.create(call=make_call(committee=make_committee(region_code=None), year=2031))
    login(client, world.applicant)
    with CaptureQueriesContext(connection) as context:
        assert client.get(reverse("applications-dashboard")).status_code == 200
    sql = [q["sql"] for q in context.captured_queries]
    assert [sum(f'FROM "{table}"' in q for q in sql) for table in
            ("applications_application", "portal_auditevent", "applications_call")] == [1, 1, 1]
    assert not [q for q in sql if '"portal_region"' in q or '"applications_call_specialties"' in q]
    events = next(q for q in sql if 'FROM "portal_auditevent"' in q)
    assert "'application.submit'" in events and "'application.edit'" not in events  # the milestones only
    assert '"portal_auditevent"."before"' not in events
