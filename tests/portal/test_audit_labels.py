"""Issue 12 §1: the audit trail speaks in words — every action the code records has a label, and
what an event recorded is shown by labels and display values, never by its codes or JSON keys."""

from __future__ import annotations

import ast
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from portal import audit_labels
from portal.audit import audit_chain_seal, audit_record
from portal.audit_views import event_changes
from portal.models import Role
from tests import crawler
from tests.factories import UserFactory

APPS = ("portal", "applications", "review", "certificates", "integrity", "stats", "supervision")


def _families() -> dict[str, list[str]]:
    """The actions recorded with a computed last part, by their prefix, with every value it takes."""
    from applications.profile import PROFILE_SECTIONS
    from applications.workflow import APPLICATION_WORKFLOW
    from integrity.workflow import CASE_WORKFLOW
    from portal.workflow import EMPLOYMENT_WORKFLOW, INVITATION_WORKFLOW, ORGANIZATION_WORKFLOW
    from review.models import CommitteeSanction
    from supervision.models import OversightAlert

    return {
        "application.{}": list(APPLICATION_WORKFLOW.transitions),
        "enterprise.{}": list(ORGANIZATION_WORKFLOW.transitions),
        "employment.{}": list(EMPLOYMENT_WORKFLOW.transitions),
        "invitation.{}": list(INVITATION_WORKFLOW.transitions),
        "integrity.case.{}": [a for a in CASE_WORKFLOW.transitions if a != "investigate"] + ["investigate"],
        "committee.sanction.{}": list(CommitteeSanction.Kind.values),
        "oversight.alert.{}": list(OversightAlert.Kind.values),
        "profile.{}_add": list(PROFILE_SECTIONS),
        "profile.{}_remove": list(PROFILE_SECTIONS),
    }


def recorded_actions() -> tuple[set[str], set[str]]:
    """The actions of every ``audit_record`` / ``audit_record_many`` call in the project's code: the
    literal ones, and the templates (``application.{}``) of the computed ones."""
    literal, computed = set(), set()

    def take(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            literal.add(node.value)
        elif isinstance(node, ast.JoinedStr):
            computed.add("".join(part.value if isinstance(part, ast.Constant) else "{}" for part in node.values))
        elif isinstance(node, ast.IfExp):
            take(node.body)
            take(node.orelse)

    for app in APPS:
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name == "audit_record":
                    for keyword in node.keywords:
                        if keyword.arg == "action":
                            take(keyword.value)
                elif name == "audit_record_many":
                    for inner in ast.walk(node):
                        if isinstance(inner, ast.Dict):
                            for key, value in zip(inner.keys, inner.values, strict=True):
                                if isinstance(key, ast.Constant) and key.value == "action":
                                    take(value)
    return literal, computed


def test_every_audit_action_the_code_records_has_a_label():
    literal, computed = recorded_actions()
    assert len(literal) > 80 and "certificate.issue" in literal and "meeting.close_ballot" in literal
    families = _families()
    unknown = computed - set(families)
    assert not unknown, f"actions computed in a way this test does not know: {unknown}"
    wanted = literal | {template.format(value) for template in computed for value in families[template]}
    labels = audit_labels.all_action_labels()
    assert sorted(wanted - set(labels)) == []


@pytest.mark.parametrize("language", ["zh-hans", "ug", "en"])
def test_every_audit_action_label_is_in_words_in_each_language(language):
    """No label is, or contains, a code; in Chinese and Uyghur no label is left in English."""
    pattern = crawler.code_pattern(audit_labels.all_action_labels())
    with translation.override(language):
        labels = audit_labels.all_action_labels()
        for code, label in labels.items():
            assert code not in label and not crawler.code_leaks(label, pattern), (code, label)
            if language != "en":
                assert not crawler.english_words(label), (code, label)


def test_an_unknown_audit_action_is_named_by_its_object_never_by_its_code():
    with translation.override("zh-hans"):
        label = audit_labels.action_label("application.some_new_step", "申报")
        assert "some_new_step" not in label and "申报" in label
        assert "unknown" not in audit_labels.action_label("unknown.thing")


def test_audit_details_are_named_and_shown_in_words():
    """A meeting's tally and ceiling, a score's values and verdict, a correction list and a grant key:
    labels and display values in zh-hans, no JSON key, code or English word."""
    event = SimpleNamespace(object_type="review.meeting", before={"status": "counted"}, after={
        "status": "closed",
        "ceiling": {"ceiling": "0.600", "call_candidates": 3, "allowed": 2, "passed_in_other_meetings": 0,
                    "candidates_here": 3, "may_pass_here": 2},
        "tally": [{"candidate": 1, "yes": 7, "no": 1, "abstain": 0, "outcome": "passed",
                   "excluded_by_ceiling": False}]})
    score = SimpleNamespace(object_type="applications.application", before={}, after={
        "assignment": 3, "values": {"ability": "26", "market_recognition": "16"}, "total": "84.00",
        "verdict": "not_recommend", "grant_key": "application:4",
        "rubric": [{"code": "ability", "name": "专业能力", "weight": 30, "max_score": 30},
                   {"code": "market_recognition", "name": "市场认可", "weight": 20, "max_score": 20}],
        "corrections": [{"target": "achievement:11", "message": "请核对", "item": "一种换热装置"}],
        "content_type": "application/pdf", "material": "work_summary", "flag": "True", "starts_at":
            "2026-12-01T01:55:00+00:00"})
    with translation.override("zh-hans"):
        text = "\n".join(f"{row['label']}: {row['before'] or ''} {row['after']}"
                         for e in (event, score) for row in event_changes(e, catalogue={}))
    assert crawler.english_words(text, ["专业能力", "市场认可", "一种换热装置"]) == []
    assert not crawler.code_leaks(text, crawler.code_pattern(["market_recognition", "not_recommend",
                                                              "work_summary", "excluded_by_ceiling"]))
    assert "专业能力: 26" in text and "2026-12-01 09:55" in text  # criteria by name; Beijing time


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.AUDITOR])
def test_audit_trail_shows_each_action_by_its_label(client, role):
    user = UserFactory(roles=[role], language="zh-hans")
    audit_record(actor=None, action="meeting.close_ballot", object_type="review.meeting", object_id="1",
                 before={"status": "open"}, after={"status": "counted", "present": 8,
                                                   "tally": [{"candidate": 1, "yes": 7, "no": 1, "abstain": 0}]})
    audit_chain_seal()  # the viewer lists chained events (sealed after commit where the chain is not inline)
    client.force_login(user)
    page = client.get(reverse("audit-list"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    text, _links = crawler.visible_text(page.content.decode())
    assert "投票已结束并计票" in text and "系统" in text
    assert "close_ballot" not in text and crawler.english_words(text) == []


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.SUPERVISOR, Role.AUDITOR)])
def test_audit_trail_is_closed_to_other_roles(client, role):
    client.force_login(UserFactory(roles=[role]))
    assert client.get(reverse("audit-list")).status_code in (302, 403)
