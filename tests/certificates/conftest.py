"""Fixtures of the certificates tests: a grant to issue, and issuing helpers."""

from __future__ import annotations

import datetime as dt
import secrets

import pytest

from applications.models import Specialty, TitleSeries
from certificates import services
from tests.factories import UserFactory, region


@pytest.fixture(autouse=True)
def _generous_rate_limits(settings):
    """Rate limits count in the cache, which outlives a test (and may be the
    shared Redis, which is never flushed here); tests of the limits set them
    low and use an address of their own."""
    settings.CERTIFICATE_VERIFY_RATE = "100000/minute"
    settings.CERTIFICATE_VERIFY_PAGE_LIMIT = (100000, 60)


@pytest.fixture
def own_address():
    """A client address no other test used."""
    return "10.{}.{}.{}".format(*secrets.token_bytes(3))


def grant_kwargs(**overrides) -> dict:
    series = overrides.pop("series", None) or TitleSeries.objects.get(code="engineering")
    data = {
        "grant_key": f"application:{UserFactory._meta.model.objects.count() + 1000}-{dt.datetime.now().timestamp()}",
        "holder": overrides.pop("holder", None) or UserFactory(real_name="张三丰"),
        "series": series,
        "specialty": Specialty.objects.get(series=series, code="electrical") if series.code == "engineering" else None,
        "level": "intermediate",
        "title_name": "工程师",
        "method": "review",
        "granting_body_name": "乌鲁木齐市工程技术系列中级职称评审委员会",
        "granting_body_region": region("650100"),
        "filing_number": "新人社职备〔2025〕12号",
        "approval_number": "乌人社职〔2026〕3号",
        "date_granted": dt.date(2026, 1, 5),
        "actor": None,
    }
    data.update(overrides)
    return data


@pytest.fixture
def issue(django_capture_on_commit_callbacks):
    """Issue a certificate (and, with ``render=True``, run the PDF task)."""

    def make(*, render: bool = False, **overrides):
        kwargs = grant_kwargs(**overrides)
        if not render:
            return services.certificate_issue(**kwargs)
        with django_capture_on_commit_callbacks(execute=True):
            certificate = services.certificate_issue(**kwargs)
        certificate.refresh_from_db()
        return certificate

    return make


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run a callable and the on-commit callbacks it scheduled (tasks)."""

    def call(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return call
