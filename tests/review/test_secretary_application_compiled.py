"""The secretary's application page (issue 15): its reads are compiled once per process
(``portal.compiled_sql``), their rows what the ORM's ``.values()`` read, and a warm page compiles
nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from review.models import Assignment, DefenceSlot, MeetingCandidate, Reconsideration, Score
from tests.review.test_secretary_pages_reads import scored_application

pytestmark = pytest.mark.django_db


def test_the_secretarys_application_page_reads_as_the_orm_did_and_compiles_nothing_once_warm(
        client, committee, secretary, call, monkeypatch):
    """Issue 15: the page's reads are compiled once per process (``portal.compiled_sql``): their rows
    are what the ORM's ``.values()`` read (decimals, datetimes, labels), and a warm page asks the ORM
    to compile nothing."""
    from django.db.models import F
    from django.db.models.sql.compiler import SQLCompiler

    from review import selectors

    _experts, application = scored_application(committee, call, secretary, total=Decimal("88.25"),
                                               comment="材料<扎实> & 完整", slots=2)
    read = selectors.application_review_for_secretary(application_id=application.pk)
    orm = {
        "assignments": Assignment.objects.filter(application=application).order_by("pk").values(
            "pk", "status", "end_reason", "score__pk", "score__total", "score__status", "score__verdict",
            "score__comment", expert_name=F("expert_user__real_name")),
        "slots": DefenceSlot.objects.filter(application=application).values(
            "starts_at", "attendance", "score", session_name=F("session__name")),
        "candidacies": MeetingCandidate.objects.filter(application=application).values(
            "outcome", "yes_votes", "no_votes", "abstentions", meeting_title=F("meeting__title"),
            meeting_status=F("meeting__status")),
        "reconsiderations": Reconsideration.objects.filter(application=application).values(
            "pk", "status", "requested_at", "reason", "outcome"),
    }
    for key, rows in orm.items():
        assert [{k: v for k, v in row.items() if not k.endswith("_label")} for row in read[key]] == list(rows), key
    assert read["assignments"][0]["score__total"] == Decimal("88.25")
    assert read["assignments"][0]["score_status_label"] == Score.Status.SUBMITTED.label
    assert read["assignments"][2]["score_status_label"] == "" and read["assignments"][2]["score__pk"] is None
    heading = selectors.application_for_secretary(user=secretary, call_id=call.pk, pk=application.pk)
    assert (heading["pk"], heading["call_id"], heading["call_name"], heading["applicant"], heading["status"]) == (
        application.pk, call.pk, call.name, application.applicant.real_name, application.status)
    client.force_login(secretary)
    url = reverse("review-call-application", args=[call.pk, application.pk])
    client.get(url)
    compiled = []
    real = SQLCompiler.as_sql
    monkeypatch.setattr(SQLCompiler, "as_sql", lambda self, *a, **k: compiled.append(self.query) or real(self, *a, **k))
    body = client.get(url).content.decode()
    assert "材料&lt;扎实&gt; &amp; 完整" in body and "88.25" in body
    assert compiled == []
