"""The review pages in Chromium: no console error (so no CSP violation: no
inline script or style), the scoring form autosaves as the expert types and
fills the comment template, and every role's page renders.

Screenshots: ``tests/artifacts/review-<name>.png``.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from review import services
from review.models import Score
from tests.e2e.conftest import login, shot
from tests.factories import bureau_officer
from tests.review.conftest import (
    add_expert,
    bureau_of,
    file_committee,
    make_application,
    make_call,
    secretary_of,
    submit_drawn_scores,
    voting_members,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def officer():
    return bureau_officer("650100")


def assert_clean(watch) -> None:
    """Every problem the browser saw, except the favicon fetch cut short by the next navigation."""
    watch.failed_requests[:] = [r for r in watch.failed_requests if not ("favicon" in r and "ABORTED" in r)]
    watch.assert_clean()


def test_R5_2_the_scoring_form_autosaves_and_fills_the_comment_template(page, watch, officer):
    committee = file_committee(officer, members=3)
    call = make_call(committee)
    for _ in range(3):
        add_expert(committee)
    application = make_application(call)
    services.assignment_draw(actor=secretary_of(committee), call_id=call.pk, seed=1)
    assignment = application.review_assignments.first()
    login(page, assignment.expert_user.mobile)
    page.goto(f"/review/expert/assignments/{assignment.pk}/")
    form = page.locator("form[data-autosave-url]")
    form.locator("input[data-criterion=ability]").fill("25")
    form.locator("input[data-criterion=achievements]").fill("24")
    expect(page.locator("[data-autosave-status]")).to_contain_text("✓")
    score = Score.objects.get(assignment=assignment)
    assert score.values == {"ability": "25", "achievements": "24"} and score.status == "draft"
    watch.allow_http_error(400, r"/autosave/$")
    form.locator("input[data-criterion=market_recognition]").fill("99")  # out of range: refused, shown
    expect(page.locator("[data-autosave-status]")).to_contain_text("R5.2")
    form.locator("input[data-criterion=market_recognition]").fill("15")
    form.locator("input[data-criterion=contribution]").fill("16")
    assert page.locator("[data-total]").inner_text() == "80.00"
    form.locator("select[name=verdict]").select_option("recommend")
    assert "同意推荐" in form.locator("textarea[name=comment]").input_value()
    form.locator("textarea[name=comment]").fill("同意推荐，业绩突出。")
    shot(page, "review-expert-scoring")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        form.locator("button[value=submit]").click()
    assert page.locator("[data-testid=locked]").is_visible()
    score.refresh_from_db()
    assert score.status == "submitted" and score.comment == "同意推荐，业绩突出。"


def test_every_review_page_renders_clean_for_its_role(page, watch, officer):
    committee = file_committee(officer, members=3)
    secretary = secretary_of(committee)
    call = make_call(committee, ceiling="1")
    for _ in range(3):
        add_expert(committee)
    application = make_application(call)
    passed = make_application(call, status="passed")
    services.assignment_draw(actor=secretary, call_id=call.pk, seed=2)
    submit_drawn_scores(application)
    starts = timezone.now() + dt.timedelta(days=2)
    session = services.defence_session_create(actor=secretary, call_id=call.pk, name="远程答辩", mode="remote",
                                              starts_at=starts, meeting_link="https://meeting.example.cn/1")
    services.defence_slot_add(actor=secretary, session_id=session.pk, application_id=application.pk,
                              starts_at=starts, ends_at=starts + dt.timedelta(minutes=20))
    meeting = services.meeting_create(actor=secretary, call_id=call.pk, title="评审会", scheduled_at=starts)
    members = voting_members(committee)
    services.meeting_attendance_record(actor=secretary, meeting_id=meeting.pk, member_ids=[m.pk for m in members])
    services.meeting_open(actor=secretary, meeting_id=meeting.pk)
    period = services.result_publicise(actor=secretary, call_id=call.pk)
    recognition_call = make_call(None, bureau=bureau_of(), pathways=("recognition",))
    recognised = make_application(recognition_call, status="ready", pathway="recognition")
    visits = {
        officer: ["/review/bureau/committees/", "/review/bureau/committees/new/",
                  f"/review/bureau/committees/{committee.pk}/", "/review/bureau/filings/",
                  f"/review/bureau/filings/{period.pk}/", "/review/bureau/recognition/",
                  f"/review/bureau/recognition/{recognised.pk}/"],
        secretary: ["/review/secretary/", f"/review/committees/{committee.pk}/experts/", f"/review/calls/{call.pk}/",
                    f"/review/calls/{call.pk}/applications/{application.pk}/", f"/review/calls/{call.pk}/defences/",
                    f"/review/calls/{call.pk}/meetings/new/", f"/review/meetings/{meeting.pk}/",
                    f"/review/publicity/{period.pk}/"],
        members[0]: [f"/review/meetings/{meeting.pk}/vote/"],
        application.review_assignments.first().expert_user: ["/review/expert/"],
        application.applicant: ["/review/me/"],
    }
    for user, urls in visits.items():
        page.context.clear_cookies()
        login(page, user.mobile)
        for url in urls:
            response = page.goto(url)
            assert response.status == 200, url
            name = url.strip("/").replace("/", "-")
            shot(page, f"review-{name}")
            assert_clean(watch)
    page.context.clear_cookies()
    page.goto("/publicity/")
    assert passed.applicant.real_name not in page.inner_text("main")
    shot(page, "review-publicity")
    entry = period.entries.first()
    page.goto(f"/publicity/{entry.pk}/object/")
    page.locator("textarea[name=reason]").fill("业绩材料存疑，请核查。")
    page.locator("input[name=contact]").fill("13900003333")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator("[data-testid=objection-received]").is_visible()
    assert entry.objections.count() == 1


#: The words of a cell that wrap inside themselves (not between two Chinese characters or after a
#: hyphen): each word's characters measured with a Range, line by line.
BROKEN_WORDS_JS = r"""
(selector) => {
  const broken = [];
  const cjk = ch => /[\u3000-\u9fff\uff00-\uffef]/.test(ch);
  for (const cell of document.querySelectorAll(selector)) {
    const text = cell.textContent, node = cell.firstChild;
    if (!node || node.nodeType !== Node.TEXT_NODE) continue;
    const re = /\S+/g; let m;
    while ((m = re.exec(text))) {
      let previous = null;
      for (let i = m.index; i < m.index + m[0].length; i++) {
        const range = document.createRange(); range.setStart(node, i); range.setEnd(node, i + 1);
        const box = [...range.getClientRects()].find(r => r.width > 0); if (!box) continue;
        if (previous !== null && Math.abs(box.top - previous) > 4 && !(cjk(text[i - 1]) && cjk(text[i]))
            && text[i - 1] !== "-") broken.push(m[0]);
        previous = box.top;
      }
    }
  }
  return broken;
}
"""


def test_publicity_names_and_titles_do_not_break_inside_a_word_in_uyghur(page, watch, live_server, officer):
    """At 1280 px the Uyghur publicity table was squeezed until the title ئىنژېنېر wrapped as ئىنژېنې / ر
    and a masked name one character a line (access.css: ``overflow-wrap: anywhere`` on every cell); now
    those cells keep their words whole and the table scrolls sideways when it must."""
    from portal.models import Organization
    from review.models import PublicityPeriod

    committee = file_committee(officer, members=3)
    secretary = secretary_of(committee)
    call = make_call(committee)
    for n in range(3):
        application = make_application(call, status="passed")
        application.applicant.real_name = "努尔艾力·吐尔逊"
        application.applicant.save()
        Organization.objects.filter(pk=application.employer_id).update(
            name=f"新疆天山智能装备制造有限责任公司乌鲁木齐第{n}分公司")
    services.result_publicise(actor=secretary, call_id=call.pk)
    PublicityPeriod.objects.filter(call=call).update(
        title="2026年度乌鲁木齐市工程系列职称评审（民营企业专场）评审结果公示名单（第一批）")
    page.context.add_cookies([{"name": "django_language", "value": "ug", "url": live_server.url}])
    page.goto("/publicity/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    cells = "[data-testid=publicity] td.masked, [data-testid=publicity] td.keep-words"
    assert page.locator(cells).count() == 9
    assert page.evaluate(BROKEN_WORDS_JS, cells) == []
    shot(page, "review-publicity-ug")
    assert_clean(watch)
