"""Issue 15: what every logged-in page pays. The roles and the unread count of the navigation are
read in one query (``User.role_names``); the count is never stale: a notification created or marked
read shows at once, also when written earlier in the same request."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.models import Notification, Role
from portal.notifications import notification_mark_read, notification_send_each, notification_settle
from tests.factories import UserFactory


def _badge(html: str) -> str | None:
    nav = html.split('data-testid="nav-notifications"')[1].split("</a>")[0]
    return nav.split("text-bg-warning\">")[1].split("<")[0] if "text-bg-warning" in nav else None


def _notify(user, n: int = 1) -> None:
    notification_send_each(messages=[(user, "s", "b", f"/x/{i}/") for i in range(n)], email_now=False)


@pytest.mark.django_db
def test_logged_in_page_fixed_queries_stay_flat(client):
    """The user with its roles and unread count in one query, then the page's own (the session comes
    from the cache): the same number of queries whatever the number of roles and notifications."""
    few = UserFactory(roles=[Role.APPLICANT])
    many = UserFactory(roles=[Role.APPLICANT, Role.EXPERT, Role.COMMITTEE_SECRETARY])
    _notify(few, 1)
    _notify(many, 5)
    counts = []
    for user in (few, many):
        client.force_login(user)
        client.get(reverse("notifications"))  # warm the cached menus
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("notifications"))
        assert response.status_code == 200
        counts.append(len(queries))
        sql = [q["sql"] for q in queries.captured_queries]
        assert not any("django_session" in s for s in sql)  # the session: read from the cache
        # (on PostgreSQL the roles and the count through ``portal_roles_and_unread``)
        roles = [s for s in sql if "auth_group" in s or "portal_roles_and_unread" in s]
        assert len(roles) == 1  # the user and its roles: one query …
        assert sum("portal_notification" in s and s not in roles and "COUNT" in s.upper()
                   and "read_at" in s for s in sql) == 0  # … that also counts the unread
    assert counts[0] == counts[1] <= 3


@pytest.mark.django_db
def test_unread_count_shows_new_notification_at_once(client):
    user = UserFactory(roles=[Role.APPLICANT])
    client.force_login(user)
    assert _badge(client.get(reverse("notifications")).content.decode()) is None
    _notify(user, 2)
    assert _badge(client.get(reverse("notifications")).content.decode()) == "2"
    notification_mark_read(user=user, notification_ids=[Notification.objects.filter(recipient=user).first().pk])
    assert _badge(client.get(reverse("notifications")).content.decode()) == "1"
    notification_settle("/x/0/", "/x/1/")
    assert _badge(client.get(reverse("notifications")).content.decode()) is None


@pytest.mark.django_db
def test_unread_count_read_with_roles_not_stale_within_request():
    """A count read with the roles is dropped when a notification is written afterwards in the same
    process (e.g. a view that settles notifications after its permission check)."""
    user = UserFactory(roles=[Role.APPLICANT])
    _notify(user, 3)
    assert user.role_names() == {Role.APPLICANT}
    with CaptureQueriesContext(connection) as queries:
        assert user.unread_notifications() == 3
    assert len(queries) == 0  # read with the roles
    notification_mark_read(user=user)
    assert user.unread_notifications() == 0
    _notify(user, 1)
    assert user.unread_notifications() == 1


@pytest.mark.django_db
def test_roles_of_user_without_groups_and_without_notifications():
    user = UserFactory(roles=[])
    assert user.role_names() == set()
    assert user.unread_notifications() == 0


@pytest.mark.django_db
def test_session_survives_an_emptied_cache(client):
    """Sessions are written to the database too: a cache emptied (or a Redis restarted) logs nobody out."""
    from django.core.cache import cache

    user = UserFactory(roles=[Role.APPLICANT])
    client.force_login(user)
    assert client.get(reverse("notifications")).status_code == 200
    cache.clear()
    response = client.get(reverse("notifications"))
    assert response.status_code == 200 and user.real_name in response.content.decode()
