"""``portal.views_helpers.link_prefix`` (issue 15): the start of a row's link, reversed once per
process for each script prefix and URLconf, the same as ``reverse`` less its tail."""

from __future__ import annotations

import pytest
from django.urls import reverse, set_script_prefix

from portal import views_helpers
from portal.views_helpers import link_prefix


@pytest.fixture(autouse=True)
def _fresh():
    views_helpers._forget_prefixes()
    yield
    set_script_prefix("/")
    views_helpers._forget_prefixes()


@pytest.mark.parametrize(("name", "args", "tail", "row_args"), [
    ("application-detail", (0,), "0/", [17]),
    ("application-start", (0,), "0/", [17]),
    ("application-edit", (0, "basics"), "0/edit/basics/", [17, "basics"]),
    ("review-expert-assignment", (0,), "0/", [17]),
    ("review-call-application", (5, 0), "0/", [5, 17]),
])
def test_a_prefix_and_the_rows_id_make_the_reversed_link(name, args, tail, row_args):
    assert link_prefix(name, args, tail) + tail.replace("0", "17", 1) == reverse(name, args=row_args)


def test_reversed_once_per_script_prefix(monkeypatch):
    calls = []
    monkeypatch.setattr(views_helpers, "reverse", lambda *a, **k: calls.append(a) or reverse(*a, **k))
    assert [link_prefix("application-detail") for _ in range(3)] == ["/applications/"] * 3
    set_script_prefix("/portal/")
    assert [link_prefix("application-detail") for _ in range(3)] == ["/portal/applications/"] * 3
    set_script_prefix("/")
    assert link_prefix("application-detail") == "/applications/"
    assert link_prefix("review-call-application", [5, 0]) == "/review/calls/5/applications/"
    assert link_prefix("review-call-application", [6, 0]) == "/review/calls/6/applications/"
    assert len(calls) == 4


def test_a_tail_the_link_does_not_end_with_is_refused():
    with pytest.raises(ValueError, match="does not end with"):
        link_prefix("application-edit", [0, "basics"])
