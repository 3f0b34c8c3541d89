"""Recognition (R4.4–R4.7), result publicity and objections (R5.6, R6.10),
filing (R2.4) with certificates, and reconsideration."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import Application
from certificates.models import Certificate, IssueBatchItem
from portal.errors import Conflict, InvalidInput, NotFound, RuleViolation
from portal.models import AuditEvent, Notification, PolicySettings
from review import services
from review.models import ResultFiling
from review.tasks import close_due_publicity
from tests.factories import UserFactory, bureau_officer
from tests.review.conftest import bureau_of, file_committee, make_application, make_call, secretary_of

NOW = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def on_day(monkeypatch):
    """Pretend today is ``day`` (the services read ``timezone.localdate``)."""

    def set_day(day: dt.date):
        monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day)

    return set_day


def passed(call, n=1, **kwargs):
    return [make_application(call, status="passed", **kwargs) for _ in range(n)]


# --- Recognition -------------------------------------------------------------------------

@pytest.mark.parametrize(("pathway", "rule"), [("recognition", "R4.4"), ("postdoc", "R4.5"),
                                               ("skills_crossover", "R4.6"), ("qualification", "R4.7")])
def test_R4_4_recognition_pathways_are_decided_by_the_bureau_with_an_assessment(officer, pathway, rule):
    call = make_call(None, bureau=bureau_of(), pathways=(pathway,))
    application = make_application(call, status="ready", pathway=pathway)
    with pytest.raises(InvalidInput) as error:
        services.recognition_decide(actor=officer, application_id=application.pk, decision="granted", assessment="好")
    assert error.value.rule == rule
    record = services.recognition_decide(actor=officer, application_id=application.pk, decision="granted",
                                         assessment="学历、资历与业绩经考核符合认定条件。")
    application.refresh_from_db()
    assert application.status == "passed" and record.decided_by == officer
    assert AuditEvent.objects.filter(action="recognition.decide", object_id=str(application.pk)).exists()
    with pytest.raises(RuleViolation):  # decided already: no longer in evaluation... or conflict
        services.recognition_decide(actor=officer, application_id=application.pk, decision="refused",
                                    assessment="再次考核不符合条件。")


def test_R4_4_only_the_bureau_of_the_region_recognises(officer):
    call = make_call(None, bureau=bureau_of(), pathways=("recognition",))
    application = make_application(call, status="ready", pathway="recognition")
    with pytest.raises(NotFound):
        services.recognition_decide(actor=bureau_officer("650200"), application_id=application.pk,
                                    decision="granted", assessment="学历资历符合认定条件。")
    with pytest.raises(NotFound):
        services.recognition_decide(actor=UserFactory(), application_id=application.pk, decision="granted",
                                    assessment="学历资历符合认定条件。")


def test_R4_3_green_channel_is_not_recognised_but_goes_to_a_committee(officer, committee):
    call = make_call(committee, pathways=("green_channel",))
    application = make_application(call, status="ready", pathway="green_channel")
    with pytest.raises(RuleViolation) as error:
        services.recognition_decide(actor=officer, application_id=application.pk, decision="granted",
                                    assessment="特殊人才，直接认定。")
    assert error.value.rule == "R4.3"


# --- Publicity (R5.6) ------------------------------------------------------------------

def test_R5_6_publicity_of_five_working_days_spanning_national_day(committee, secretary, call, on_day):
    on_day(dt.date(2026, 9, 30))
    apps = passed(call, 2)
    period = services.result_publicise(actor=secretary, call_id=call.pk)
    # Working days after 30 September: 8, 9, 10 (adjusted Saturday), 12, 13 October.
    assert period.ends_on == dt.date(2026, 10, 13) and period.working_days == 5
    assert {a.status for a in Application.objects.filter(pk__in=[a.pk for a in apps])} == {"result_publicity"}
    entry = period.entries.first()
    assert "*" in entry.masked_name and entry.employer_name
    on_day(dt.date(2026, 10, 13))
    assert close_due_publicity() == 0
    services.objection_create(entry_id=entry.pk, reason="业绩材料存疑，请核查。", contact="13900001111")
    on_day(dt.date(2026, 10, 14))
    with pytest.raises(RuleViolation) as error:
        services.objection_create(entry_id=entry.pk, reason="过期的异议内容", contact="x")
    assert error.value.rule == "R5.6"
    assert close_due_publicity() == 1 and close_due_publicity() == 0
    period.refresh_from_db()
    assert period.status == "closed"


def test_R5_6_the_number_of_working_days_is_configurable(committee, secretary, call, on_day):
    on_day(dt.date(2026, 12, 1))  # Tuesday
    policy = PolicySettings.load()
    policy.result_publicity_working_days = 7
    policy.save()
    passed(call)
    period = services.result_publicise(actor=secretary, call_id=call.pk)
    assert period.ends_on == dt.date(2026, 12, 10)


def test_R5_6_result_objection_contact_is_stored_encrypted(committee, secretary, call, on_day):
    from django.db import connection

    from review.models import Objection

    on_day(dt.date(2026, 12, 1))
    passed(call)
    period = services.result_publicise(actor=secretary, call_id=call.pk)
    objection = services.objection_create(entry_id=period.entries.first().pk, reason="业绩材料存疑，请核查。",
                                          contact="13900001111")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM review_objection WHERE id = %s", [objection.pk])
        assert "13900001111" not in repr(cursor.fetchall())
    objection = Objection.objects.get(pk=objection.pk)
    assert objection.contact == "13900001111" and objection.contact_masked == "139****1111"


def test_R6_10_an_upheld_objection_withdraws_the_result(committee, secretary, call, on_day):
    on_day(dt.date(2026, 12, 1))
    kept, withdrawn = passed(call, 2)
    period = services.result_publicise(actor=secretary, call_id=call.pk)
    entries = {e.application_id: e for e in period.entries.all()}
    objection = services.objection_create(entry_id=entries[withdrawn.pk].pk, reason="论文抄袭，有证据。",
                                          contact="someone@example.com")
    dismissed = services.objection_create(entry_id=entries[kept.pk].pk, reason="我觉得他不行。", contact="匿名")
    with pytest.raises(NotFound):
        services.objection_answer(actor=UserFactory(), objection_id=objection.pk, answer="x", upheld=True)
    services.objection_answer(actor=secretary, objection_id=objection.pk, answer="经核查属实，撤销评审结果。",
                              upheld=True)
    services.objection_answer(actor=secretary, objection_id=dismissed.pk, answer="经核查不属实。", upheld=False)
    with pytest.raises(Conflict):
        services.objection_answer(actor=secretary, objection_id=dismissed.pk, answer="again", upheld=True)
    withdrawn.refresh_from_db()
    kept.refresh_from_db()
    assert withdrawn.status == "failed" and kept.status == "result_publicity"
    assert withdrawn.publicity_entry.status == "withdrawn"


# --- Filing (R2.4, R6.10) -------------------------------------------------------------------

def publicised(committee, secretary, call, on_day, n=2):
    on_day(dt.date(2026, 11, 2))
    apps = passed(call, n)
    period = services.result_publicise(actor=secretary, call_id=call.pk)
    return period, apps


def test_R5_6_filing_is_refused_before_the_publicity_closes(committee, secretary, call, officer, on_day):
    period, apps = publicised(committee, secretary, call, on_day)
    with pytest.raises(RuleViolation) as error:
        services.result_file(actor=officer, period_id=period.pk, approval_number="乌人社职〔2026〕3号")
    assert error.value.rule == "R5.6"
    assert not ResultFiling.objects.exists()
    assert {a.status for a in Application.objects.filter(pk__in=[a.pk for a in apps])} == {"result_publicity"}


def test_R6_10_filing_is_refused_while_an_objection_is_unanswered(committee, secretary, call, officer, on_day):
    period, _apps = publicised(committee, secretary, call, on_day)
    services.objection_create(entry_id=period.entries.first().pk, reason="需要核查的问题。", contact="x")
    on_day(dt.date(2026, 11, 20))
    close_due_publicity()
    with pytest.raises(RuleViolation) as error:
        services.result_file(actor=officer, period_id=period.pk, approval_number="乌人社职〔2026〕3号")
    assert error.value.rule == "R6.10"


def test_filing_grants_and_issues_certificates(committee, secretary, call, officer, on_day,
                                               django_capture_on_commit_callbacks):
    period, apps = publicised(committee, secretary, call, on_day)
    on_day(dt.date(2026, 11, 20))
    close_due_publicity()
    with pytest.raises(NotFound):
        services.result_file(actor=bureau_officer("650200"), period_id=period.pk, approval_number="x")
    with pytest.raises(NotFound):
        services.result_file(actor=secretary, period_id=period.pk, approval_number="x")
    with django_capture_on_commit_callbacks(execute=True):
        filing = services.result_file(actor=officer, period_id=period.pk, approval_number="乌人社职〔2026〕3号")
    assert not filing.after_the_fact and filing.items.count() == 2
    assert {a.status for a in Application.objects.filter(pk__in=[a.pk for a in apps])} == {"granted"}
    assert filing.certificate_batch is not None and filing.certificate_batch.total == 2
    states = set(IssueBatchItem.objects.filter(batch=filing.certificate_batch).values_list("state", flat=True))
    assert states == {"issued"}
    certificate = Certificate.objects.get(grant_key=f"application:{apps[0].pk}")
    assert certificate.holder == apps[0].applicant and certificate.filing_number == committee.filing_number
    with pytest.raises(Conflict):
        services.result_file(actor=officer, period_id=period.pk, approval_number="again")


def test_R2_4_filing_settles_every_officers_results_await_filing(committee, secretary, call, officer, on_day):
    colleague = bureau_officer("650100")
    period, _apps = publicised(committee, secretary, call, on_day)
    on_day(dt.date(2026, 11, 20))
    close_due_publicity()
    waiting = Notification.objects.filter(url=f"/review/bureau/filings/{period.pk}/", read_at__isnull=True)
    assert set(waiting.values_list("recipient_id", flat=True)) >= {officer.pk, colleague.pk}
    services.result_file(actor=officer, period_id=period.pk, approval_number="乌人社职〔2026〕3号")
    assert not waiting.exists()


def test_R6_10_answering_the_last_objection_settles_the_objection_notifications(committee, secretary, call,
                                                                                on_day):
    on_day(dt.date(2026, 12, 1))
    passed(call, 2)
    period = services.result_publicise(actor=secretary, call_id=call.pk)
    first, second = [services.objection_create(entry_id=e.pk, reason="需要核查的问题。", contact="x")
                     for e in period.entries.order_by("pk")]
    waiting = Notification.objects.filter(url=f"/review/publicity/{period.pk}/", read_at__isnull=True)
    assert waiting.filter(recipient=secretary).exists()
    services.objection_answer(actor=secretary, objection_id=first.pk, answer="经核查不属实。", upheld=False)
    assert waiting.exists()  # one is still unanswered
    services.objection_answer(actor=secretary, objection_id=second.pk, answer="经核查不属实。", upheld=False)
    assert not waiting.exists()


def test_R2_4_self_review_results_are_filed_after_the_fact(officer, on_day):
    from tests.factories import EnterpriseFactory

    enterprise = EnterpriseFactory()
    committee = file_committee(officer, kind="enterprise", organizer=enterprise, member_units=[enterprise])
    call = make_call(committee)
    secretary = secretary_of(committee)
    period, _apps = publicised(committee, secretary, call, on_day, n=1)
    on_day(dt.date(2026, 11, 20))
    close_due_publicity()
    filing = services.result_file(actor=officer, period_id=period.pk, approval_number="事后备案〔2026〕1号")
    assert filing.after_the_fact


# --- Reconsideration --------------------------------------------------------------------------

def test_reconsideration_within_the_configured_period(committee, secretary, call, on_day):
    from review.models import ResultRecord

    on_day(dt.date(2026, 11, 2))
    application = make_application(call, status="failed")
    ResultRecord.objects.create(application=application, outcome="failed", source="meeting",
                                decided_on=dt.date(2026, 11, 2))
    with pytest.raises(NotFound):
        services.reconsideration_request(actor=UserFactory(), application_id=application.pk,
                                         reason="评审未考虑我的专利成果。")
    request = services.reconsideration_request(actor=application.applicant, application_id=application.pk,
                                               reason="评审未考虑我的专利成果。")
    with pytest.raises(Conflict):
        services.reconsideration_request(actor=application.applicant, application_id=application.pk,
                                         reason="评审未考虑我的专利成果。")
    decided = services.reconsideration_decide(actor=secretary, reconsideration_id=request.pk, upheld=False,
                                              outcome="经复查，评审程序合规，维持原结果。")
    assert decided.status == "dismissed"
    on_day(dt.date(2026, 12, 3))  # 31 days later
    with pytest.raises(RuleViolation):
        services.reconsideration_request(actor=application.applicant, application_id=application.pk,
                                         reason="评审未考虑我的专利成果。")


def test_R5_6_R6_10_the_filing_page_says_what_still_stands_in_the_way_instead_of_a_form(
        client, committee, secretary, call, officer, on_day):
    """The bureau officer reads why the results cannot be filed yet, in words, rather than filling in a
    form that can only be refused; once nothing stands in the way the form is there."""
    period, _apps = publicised(committee, secretary, call, on_day)
    objection = services.objection_create(entry_id=period.entries.first().pk, reason="需要核查的问题。", contact="x")
    url = reverse("review-filing-detail", args=[period.pk])
    client.force_login(officer)

    def read():
        return client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    html = read()
    assert 'data-testid="filing-waiting"' in html and 'data-testid="file-results"' not in html
    assert period.ends_on.isoformat() in html
    assert "R5.6" in html and "R6.10" in html
    on_day(dt.date(2026, 11, 20))
    close_due_publicity()
    html = read()
    assert "R5.6" not in html and "R6.10" in html and 'data-testid="file-results"' not in html
    services.objection_answer(actor=secretary, objection_id=objection.pk, answer="经核查不属实。", upheld=False)
    html = read()
    assert 'data-testid="filing-waiting"' not in html and 'data-testid="file-results"' in html
    assert not ResultFiling.objects.exists()
