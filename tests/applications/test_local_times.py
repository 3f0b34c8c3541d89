"""Issue 12 §2: the moment conditions were frozen is shown in Beijing time, also for notes stored in UTC
(a submission at 05:59 Beijing was shown as the day before, ``…T21:59``)."""

from __future__ import annotations

from django.template.loader import render_to_string

from portal.templatetags.portal_tags import local_time

CONDITIONS = [{"rule": "R3.1", "met": True, "message": "ok", "message_en": "Degree: met", "message_zh": "学历：符合"}]


def frozen_note(frozen_at: str) -> str:
    application = {"frozen_conditions": {"conditions": CONDITIONS, "frozen_at": frozen_at}}
    return render_to_string("applications/_frozen.html", {"application": application, "LANGUAGE_CODE": "en"})


def test_a_note_frozen_at_5_59_beijing_and_stored_in_utc_shows_beijing_time():
    html = frozen_note("2026-03-04T21:59:30.123456+00:00")
    assert "2026-03-05 05:59" in html
    assert "T21:59" not in html and "2026-03-04" not in html


def test_a_note_stored_with_the_beijing_offset_shows_the_same_moment():
    assert "2026-03-05 05:59" in frozen_note("2026-03-05T05:59:30+08:00")


def test_local_time_leaves_text_that_is_not_a_moment_alone():
    assert local_time("not a date") == "not a date"
    assert local_time("") == ""
    assert local_time(None) is None
