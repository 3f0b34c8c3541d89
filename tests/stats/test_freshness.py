"""The figures follow the data: a page or API read after the source tables
changed brings the cube up to date (at once where Celery is eager, else
queued, one refresh at a time)."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from stats import services
from stats.models import StatsRefresh
from tests.factories import bureau_officer
from tests.stats.conftest import make_applications, orm_counts


def test_a_read_refreshes_only_when_the_source_version_changed(django_capture_on_commit_callbacks):
    with mock.patch.object(services, "source_version", return_value="v1"):
        services.stats_refresh()
        with django_capture_on_commit_callbacks(execute=True):
            assert services.stats_freshen() is False
        assert StatsRefresh.objects.count() == 1
    with mock.patch.object(services, "source_version", return_value="v2"):
        with django_capture_on_commit_callbacks(execute=True):
            services.stats_freshen()  # queued on commit; eager Celery runs it then
        assert StatsRefresh.objects.count() == 2
        assert StatsRefresh.objects.latest().source_version == "v2"
        with django_capture_on_commit_callbacks(execute=True):
            assert services.stats_freshen() is False  # up to date: nothing to wait for


def test_with_workers_a_changed_source_queues_one_refresh_and_says_so(django_capture_on_commit_callbacks):
    services.stats_refresh()
    with mock.patch.object(services, "source_version", return_value="changed"), \
            mock.patch("stats.tasks.refresh_stats.delay") as delay, \
            django_capture_on_commit_callbacks(execute=True):
        assert services.stats_freshen() is True
        assert services.stats_freshen() is True  # a second reader does not queue a second refresh
    assert delay.call_count == 1
    cache.delete(services._QUEUED_KEY)


@pytest.mark.django_db(transaction=True)
def test_the_page_shows_applications_submitted_after_the_last_refresh(client):
    make_applications(6)
    services.stats_refresh()
    make_applications(4, start=6)
    if connection.vendor == "postgresql":  # table statistics reach the shared counters when flushed
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_force_next_flush()")
            cursor.execute("SELECT 1")
    client.force_login(bureau_officer("650000"))
    response = client.get(reverse("stats-index"))
    assert response.status_code == 200
    headline = response.context["headline"]
    assert headline["applications"] == orm_counts()["applications"]
    assert StatsRefresh.objects.count() == 2
