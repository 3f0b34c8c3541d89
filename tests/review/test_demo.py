"""Issue 12 §7: ``manage.py demo_data`` (what ``make run`` runs) prints a login for
every role and puts each where there is something to do; the README lists
every one of them; a second run changes nothing."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from applications.models import Application
from portal.models import User
from review import services
from review.demo import CHAIR, EXPERT_DRAFT, EXPERT_TO_SCORE, NOT_PASSED, OBJECTED, TO_SCORE
from review.models import Assignment, Meeting, Objection, PublicityEntry, Score, VoteMarker

pytestmark = pytest.mark.django_db
SECRETARY = "13900001010"


def _state() -> dict:
    return {"applications": dict(Application.objects.values_list("pk", "status")),
            "meetings": list(Meeting.objects.order_by("pk").values_list("pk", "status")),
            "assignments": Assignment.objects.count(), "scores": list(Score.objects.values_list("pk", "status")),
            "votes": VoteMarker.objects.count(), "objections": Objection.objects.count()}


def _logins(output: str) -> dict[str, str]:
    """Every ``label  mobile  /  password`` line the command printed."""
    return {m.group(2): m.group(1).strip() for m in re.finditer(r"^\s+(.+?)\s+(1\d{10})\s+/\s+\S+$", output, re.M)}


def _page(user_mobile: str, url: str) -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(User.objects.get(mobile=user_mobile))
    response = client.get(url)
    assert response.status_code == 200, (user_mobile, url, response.status_code)
    return response.content.decode()


def test_demo_data_puts_every_review_role_where_there_is_something_to_do():
    out = StringIO()
    call_command("demo_data", stdout=out)
    first = _state()
    again = StringIO()
    call_command("demo_data", stdout=again)
    assert _state() == first  # idempotent
    logins = _logins(out.getvalue())
    assert _logins(again.getvalue()) == logins
    for mobile in (SECRETARY, CHAIR[0], EXPERT_DRAFT[0], EXPERT_TO_SCORE[0], OBJECTED[0], NOT_PASSED[0],
                   TO_SCORE[0]):
        assert mobile in logins, mobile
    # The README lists every login make run prints.
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    assert {m for m in logins if m not in readme} == set()

    # The secretary: a call in evaluation, a ballot to close, an objection to answer, a defence to schedule.
    home = _page(SECRETARY, "/")
    assert 'data-testid="secretary-todo"' in home
    call = Application.objects.get(applicant__mobile=TO_SCORE[0]).call
    assert call.applications.filter(status="in_evaluation").count() >= 3
    assert f"/review/calls/{call.pk}/" in home
    open_meeting = Meeting.objects.get(call=call, status="open")
    assert f"/review/meetings/{open_meeting.pk}/" in home and "ballot open" in home
    assert open_meeting.present_total * 3 >= open_meeting.members_total * 2  # the quorum is present
    assert 0 < VoteMarker.objects.filter(candidate__meeting=open_meeting).count() < (
        open_meeting.present_total * open_meeting.candidates.count())  # the ballot is still going on
    console = _page(SECRETARY, f"/review/meetings/{open_meeting.pk}/")
    assert 'data-testid="close-ballot"' in console
    entry = PublicityEntry.objects.get(application__applicant__mobile=OBJECTED[0])
    assert entry.period.status == "open" and entry.objections.filter(answered_at__isnull=True).exists()
    assert f"/review/publicity/{entry.period_id}/" in home
    manage = _page(SECRETARY, f"/review/publicity/{entry.period_id}/")
    assert 'name="answer"' in manage
    defences = _page(SECRETARY, f"/review/calls/{call.pk}/defences/")
    assert defences.count('data-testid="session"') >= 2 and "needs a defence" in defences
    planning = _page(SECRETARY, f"/review/calls/{call.pk}/meetings/new/")
    assert 'data-testid="not-ready-row"' in planning
    dashboard = _page(SECRETARY, f"/review/calls/{call.pk}/")
    assert int(re.search(r'data-testid="missing">(\d+)<', dashboard).group(1)) >= 2

    # Two experts with applications to score, one with a draft; the first also has a vote to cast.
    for mobile, drafts in ((EXPERT_DRAFT[0], 1), (EXPERT_TO_SCORE[0], 0)):
        user = User.objects.get(mobile=mobile)
        mine = Assignment.objects.filter(expert_user=user, status="active")
        pending = mine.exclude(score__status="submitted")
        assert pending.count() >= 2 and mine.filter(score__status="draft").count() == drafts
        home = _page(mobile, "/")
        assert 'data-testid="expert-todo"' in home and "/review/expert/" in home
        listing = _page(mobile, "/review/expert/")
        assert f"/review/expert/assignments/{pending.first().pk}/" in listing
    assert f"/review/meetings/{open_meeting.pk}/vote/" in _page(EXPERT_DRAFT[0], "/")
    ballot = _page(EXPERT_DRAFT[0], f"/review/meetings/{open_meeting.pk}/vote/")
    assert 'value="yes"' in ballot  # not voted yet
    chair_ballot = _page(CHAIR[0], f"/review/meetings/{open_meeting.pk}/vote/")
    assert 'data-testid="voted"' in chair_ballot and 'value="yes"' in chair_ballot  # one done, one to go

    # The applicants: a result in publicity, a failed one who may ask for reconsideration, one awaiting a slot.
    assert "Result publicity" in _page(OBJECTED[0], "/review/me/")
    assert 'name="reason"' in _page(NOT_PASSED[0], "/review/me/")
    waiting = Application.objects.get(applicant__mobile=TO_SCORE[0])
    assert waiting.status == "in_evaluation" and not waiting.defence_slots.exists()

    # The bureau sees the period waiting to be filed; the public sees the list with masked names.
    filings = _page("13900000001", "/review/bureau/filings/")
    with translation.override("en"):  # the page's language: the period's title as that reader reads it
        assert escape(entry.period.title_display) in filings
    public = Client().get("/publicity/").content.decode()
    assert entry.masked_name in public and entry.application.applicant.real_name not in public

    # And the scene is consistent with the rules: the call's ceiling lets one more pass (60 % of 5 is 3).
    ceiling = services.call_ceiling(call=call, meeting=open_meeting)
    assert (ceiling.candidates, ceiling.allowed, ceiling.passed_elsewhere, ceiling.left) == (5, 3, 2, 1)


def test_every_printed_demo_login_lands_on_a_page_with_something_to_do():
    out = StringIO()
    call_command("demo_data", stdout=out)
    logins = _logins(out.getvalue())
    # Where each role's work is, and what shows there is something to do.
    work = {
        "13900000001": ("/", "/bureau/enterprises/"),  # the approval queue
        "13900000010": ("/", "/bureau/enterprises/"),
        "13900000002": ("/", "/enterprises/"),
        "13900000003": ("/applications/", "/applications/"),  # a draft to sign and submit
        "13900000004": ("/", "/enterprises/"),
        SECRETARY: ("/", "/review/calls/"),
        CHAIR[0]: ("/", "/review/meetings/"),
        EXPERT_DRAFT[0]: ("/", "/review/expert/"),
        EXPERT_TO_SCORE[0]: ("/", "/review/expert/"),
        "13900000060": ("/supervision/alerts/", "/supervision/"),
    }
    for mobile, (page, link) in work.items():
        assert mobile in logins, mobile
        assert link in _page(mobile, page), (logins[mobile], page, link)
    for mobile in logins:  # every printed login works with the printed password, through the login form
        client = Client()
        response = client.post("/accounts/login/", {"username": mobile, "password": "Demo#2026pass"})
        assert response.status_code == 302 and "/accounts/login/" not in response["Location"], logins[mobile]
