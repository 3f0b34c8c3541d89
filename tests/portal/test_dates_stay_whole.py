"""A date, a time or a count put in ``<bdi>`` by the ``|bdi`` filter stays on one line: Chromium broke
"employed since 2009-04-01" after "2009-" on a 390 px phone. Other values (names, titles) wrap as before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template


@pytest.mark.parametrize("value", ["2009-04-01", "2026-12-03 14:05", "6 / 10", "2025: 96.0", 12, dt.date(2026, 1, 5)])
def test_a_date_time_or_count_in_bdi_does_not_wrap(value):
    html = Template("{% load bidi %}{{ value|bdi }}").render(Context({"value": value}))
    assert html.startswith('<bdi class="text-nowrap">') and html.endswith("</bdi>")


def test_a_dated_value_through_the_date_filter_does_not_wrap():
    html = Template('{% load bidi %}{{ d|date:"Y-m-d"|bdi }}').render(Context({"d": dt.date(2009, 4, 1)}))
    assert html == '<bdi class="text-nowrap">2009-04-01</bdi>'


@pytest.mark.parametrize("value", ["买买提·艾力", "XJ-2026-00001", "<2026>", "ئىنژېنېر"])
def test_other_values_in_bdi_wrap_as_before(value):
    html = Template("{% load bidi %}{{ value|bdi }}").render(Context({"value": value}))
    assert html.startswith("<bdi>")
