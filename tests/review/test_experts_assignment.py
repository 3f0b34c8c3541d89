"""The expert pool (R2.6) and assignment with recusal (R6.6)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from portal.errors import InvalidInput, NotFound, RuleViolation
from portal.models import AuditEvent, Employment, PolicySettings
from review import services
from review.models import Assignment, ExpertProfile
from tests.factories import EnterpriseFactory, UserFactory, make_id_number, make_mobile
from tests.review.conftest import add_expert, make_application, make_call, secretary_of


def sheet(rows, header=("姓名", "手机号", "身份证号", "职称级别", "职称", "专业", "工作单位", "聘期开始", "聘期结束")):
    book = Workbook()
    ws = book.active
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("experts.xlsx", buffer.getvalue(),
                              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


# --- Pool (R2.6) ---------------------------------------------------------------------

def test_R2_6_import_an_expert_pool_with_a_row_level_error_report(committee, secretary):
    existing = UserFactory(real_name="李工")
    today = dt.date.today()
    upload = sheet([
        ("李工", existing.mobile, "", "正高级", "正高级工程师", "electrical、电子信息", "新疆电力公司", today,
         today + dt.timedelta(days=700)),
        ("王工", make_mobile(), make_id_number(), "副高级", "", "电气工程", "", "2026-01-01", "2028-12-31"),
        ("赵工", "12345", "", "副高级", "", "electrical", "", today, today),           # bad mobile, term
        ("钱工", make_mobile(), "", "大师级", "", "种花", "", today, today + dt.timedelta(days=9999)),
        ("孙工", make_mobile(), "", "中级", "", "electrical", "", today, today + dt.timedelta(days=300)),
    ])
    report = services.expert_import_excel(actor=secretary, committee_id=committee.pk, upload=upload)
    assert report.created == 2 and report.accounts_created == 1
    by_row = {}
    for e in report.errors:
        by_row.setdefault(e.row, set()).add(e.column)
    assert by_row[4] >= {"mobile", "term_end"}
    assert by_row[5] >= {"level", "specialties", "term_end"}
    assert by_row[6] == {"id_number"}  # unknown mobile and no ID number to open an account
    li = ExpertProfile.objects.get(committee=committee, user=existing)
    assert li.level == "senior" and {s.code for s in li.specialties.all()} == {"electrical", "electronics"}
    assert li.employer_name == "新疆电力公司" and li.user.has_role("expert")
    again = services.expert_import_excel(actor=secretary, committee_id=committee.pk, upload=sheet([
        ("李工", existing.mobile, "", "副高级", "", "electrical", "", today, today + dt.timedelta(days=30))]))
    assert again.updated == 1 and again.created == 0
    li.refresh_from_db()
    assert li.level == "deputy_senior"


def test_R2_6_import_refuses_what_is_not_a_workbook_or_lacks_columns(committee, secretary):
    with pytest.raises(InvalidInput):
        services.expert_import_excel(actor=secretary, committee_id=committee.pk,
                                     upload=SimpleUploadedFile("x.xlsx", b"not a zip"))
    with pytest.raises(InvalidInput):
        services.expert_import_excel(actor=secretary, committee_id=committee.pk, upload=sheet([], header=("a",)))


def test_R2_6_only_the_committee_manages_its_pool(committee):
    other_secretary = UserFactory()
    with pytest.raises(NotFound):
        services.expert_import_excel(actor=other_secretary, committee_id=committee.pk, upload=sheet([]))
    with pytest.raises(NotFound):
        add_expert(committee, actor=other_secretary)


def test_R2_6_term_is_at_most_the_configured_years(committee):
    start = dt.date.today()
    with pytest.raises(RuleViolation) as error:
        add_expert(committee, term_start=start, term_end=start + dt.timedelta(days=365 * 3 + 5))
    assert error.value.rule == "R2.6"
    assert add_expert(committee, term_start=start, term_end=start.replace(year=start.year + 3))


def test_R2_6_experts_below_the_level_or_outside_their_term_are_never_drawn(committee, secretary, call):
    today = dt.date.today()
    below = add_expert(committee, level="intermediate")  # may review intermediate
    past = add_expert(committee, term_start=today - dt.timedelta(days=800), term_end=today - dt.timedelta(days=1))
    future = add_expert(committee, term_start=today + dt.timedelta(days=2), term_end=today + dt.timedelta(days=300))
    other_specialty = add_expert(committee, specialties=("mechanical",))
    good = [add_expert(committee) for _ in range(3)]
    senior_app = make_application(call, level="intermediate")
    services.assignment_draw(actor=secretary, call_id=call.pk, seed=3)
    drawn = set(senior_app.review_assignments.values_list("expert_id", flat=True))
    assert past.pk not in drawn and future.pk not in drawn and other_specialty.pk not in drawn
    assert len(drawn) == 3 and drawn <= {below.pk, *(g.pk for g in good)}
    # A deputy-senior application: the intermediate expert is below the level reviewed.
    call2 = make_call(committee, levels=("deputy_senior",))
    app2 = make_application(call2, level="deputy_senior")
    for _ in range(30):
        Assignment.objects.filter(application=app2).delete()
        services.assignment_draw(actor=secretary, call_id=call2.pk)
        assert below.pk not in set(app2.review_assignments.values_list("expert_id", flat=True))


# --- Assignment with recusal (R6.6) -----------------------------------------------------

def test_R6_6_draws_the_configured_number_balancing_load(committee, secretary, call, pool):
    apps = [make_application(call) for _ in range(6)]
    report = services.assignment_draw(actor=secretary, call_id=call.pk, seed=7)
    assert report.drawn == 18 and not report.short
    loads = [Assignment.objects.filter(expert=e, status="active").count() for e in pool]
    assert max(loads) - min(loads) <= 1
    assert all(a.review_assignments.filter(status="active").count() == 3 for a in apps)
    assert services.assignment_draw(actor=secretary, call_id=call.pk).drawn == 0  # idempotent
    policy = PolicySettings.load()
    policy.experts_per_application = 5
    policy.save()
    assert services.assignment_draw(actor=secretary, call_id=call.pk).drawn == 12
    events = list(AuditEvent.objects.filter(action="assignment.draw").order_by("seq"))
    assert len(events) == 2 and events[0].object_type == "applications.call"  # one event per batch
    assert {int(k) for k in events[1].after["experts"]} == {a.pk for a in apps}
    assert all(len(v) == 2 for v in events[1].after["experts"].values())


def test_R6_6_never_draws_the_applicants_colleague_over_many_draws(committee, secretary, call):
    employer = EnterpriseFactory()
    former_employer = EnterpriseFactory()
    applicant = UserFactory()
    Employment.objects.create(user=applicant, employer=employer, start_date=dt.date(2019, 1, 1),
                              status=Employment.Status.CONFIRMED)
    Employment.objects.create(user=applicant, employer=former_employer, start_date=dt.date(2010, 1, 1),
                              end_date=dt.date.today() - dt.timedelta(days=400), status=Employment.Status.ENDED)
    application = make_application(call, applicant=applicant, employer=employer)
    colleague = UserFactory()
    Employment.objects.create(user=colleague, employer=employer, start_date=dt.date(2020, 1, 1),
                              status=Employment.Status.CONFIRMED)
    left_two_years_ago = UserFactory()
    Employment.objects.create(user=left_two_years_ago, employer=former_employer, start_date=dt.date(2015, 1, 1),
                              end_date=dt.date.today() - dt.timedelta(days=730), status=Employment.Status.ENDED)
    left_long_ago = UserFactory()
    Employment.objects.create(user=left_long_ago, employer=employer, start_date=dt.date(2000, 1, 1),
                              end_date=dt.date(2010, 1, 1), status=Employment.Status.ENDED)
    banned = {add_expert(committee, user=colleague).pk, add_expert(committee, user=left_two_years_ago).pk,
              add_expert(committee, employer=employer).pk, add_expert(committee, user=applicant).pk}
    allowed = {add_expert(committee, user=left_long_ago).pk, *(add_expert(committee).pk for _ in range(4))}
    for _ in range(200):
        Assignment.objects.filter(application=application).delete()
        services.assignment_draw(actor=secretary, call_id=call.pk)
        drawn = set(application.review_assignments.values_list("expert_id", flat=True))
        assert len(drawn) == 3 and not drawn & banned and drawn <= allowed


def test_R6_6_declaring_a_conflict_redraws_and_hides_the_application(committee, secretary, call, pool):
    application = make_application(call)
    services.assignment_draw(actor=secretary, call_id=call.pk, seed=1)
    assignment = application.review_assignments.first()
    expert = assignment.expert_user
    with pytest.raises(InvalidInput):
        services.conflict_declare(actor=expert, assignment_id=assignment.pk, reason="")
    services.conflict_declare(actor=expert, assignment_id=assignment.pk, reason="申报人是我的亲属")
    assignment.refresh_from_db()
    assert assignment.status == "recused"
    active = application.review_assignments.filter(status="active")
    assert active.count() == 3 and not active.filter(expert_user=expert).exists()
    with pytest.raises(NotFound) as error:
        services.score_save(actor=expert, assignment_id=assignment.pk, values={"ability": 10})
    assert error.value.rule == "R6.6"
    # Never drawn again for it, however often the secretary draws.
    for _ in range(10):
        services.assignment_draw(actor=secretary, call_id=call.pk)
    assert application.review_assignments.filter(expert_user=expert).count() == 1


def test_R6_6_the_secretary_redraws_with_a_reason_that_is_audited(committee, secretary, call, pool):
    application = make_application(call)
    services.assignment_draw(actor=secretary, call_id=call.pk, seed=2)
    assignment = application.review_assignments.first()
    with pytest.raises(InvalidInput):
        services.assignment_redraw(actor=secretary, assignment_id=assignment.pk, reason=" ")
    services.assignment_redraw(actor=secretary, assignment_id=assignment.pk, reason="专家出差")
    assignment.refresh_from_db()
    assert assignment.status == "withdrawn" and assignment.end_reason == "专家出差"
    assert application.review_assignments.filter(status="active").count() == 3
    event = AuditEvent.objects.get(action="assignment.withdraw")
    assert event.reason == "专家出差" and event.actor_id == secretary.pk
    with pytest.raises(NotFound):
        services.assignment_redraw(actor=UserFactory(), assignment_id=assignment.pk, reason="x")


def test_R6_6_shortage_is_reported_not_filled_with_ineligible_experts(committee, secretary, call):
    add_expert(committee)
    application = make_application(call)
    report = services.assignment_draw(actor=secretary, call_id=call.pk)
    assert report.short == {application.pk: 2}


def test_R6_6_another_committees_secretary_cannot_draw(committee, call, officer):
    from tests.review.conftest import file_committee

    other = file_committee(officer)
    with pytest.raises(NotFound):
        services.assignment_draw(actor=secretary_of(other), call_id=call.pk)


def test_R4_4_recognition_pathways_are_never_drawn(committee, secretary, call, pool):
    application = make_application(call, pathway="recognition")
    services.assignment_draw(actor=secretary, call_id=call.pk)
    assert not application.review_assignments.exists()


def test_evaluation_start_accepts_ready_applications(committee, secretary, call):
    ready = [make_application(call, status="ready") for _ in range(3)]
    make_application(call, status="ready", pathway="recognition")
    assert services.evaluation_start(actor=secretary, call_id=call.pk) == 3
    assert {a.status for a in type(ready[0]).objects.filter(pk__in=[r.pk for r in ready])} == {"in_evaluation"}
