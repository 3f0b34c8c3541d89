"""Issue 15: the user of a request is loaded in one pre-built query with its roles and unread count
(``portal.request_user``, ``MobileOrIdNumberBackend.get_user``), without the encrypted ID number;
every check on it stays: the session's auth hash, an inactive account, a deleted one."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.backends import MobileOrIdNumberBackend
from portal.models import Notification, Role, User
from portal.notifications import notification_send_each
from tests.factories import UserFactory, make_id_number

pytestmark = pytest.mark.django_db


def _notify(user, n: int) -> None:
    notification_send_each(messages=[(user, "s", "b", f"/x/{i}/") for i in range(n)], email_now=False)


def test_request_user_read_with_roles_and_unread_in_one_query():
    user = UserFactory(roles=[Role.APPLICANT, Role.EXPERT])
    _notify(user, 3)
    Notification.objects.filter(pk=Notification.objects.filter(recipient=user).first().pk).update(
        read_at="2026-01-01T00:00:00Z")
    UserFactory(roles=[Role.APPLICANT])  # someone else's roles are not read
    with CaptureQueriesContext(connection) as queries:
        loaded = MobileOrIdNumberBackend().get_user(user.pk)
        assert loaded.pk == user.pk and loaded.real_name == user.real_name and loaded.mobile == user.mobile
        assert loaded.role_names() == {Role.APPLICANT, Role.EXPERT}
        assert loaded.unread_notifications() == 2
        assert loaded.has_role(Role.EXPERT) and not loaded.has_role(Role.BUREAU_OFFICER)
    assert len(queries) == 1


def test_request_user_without_roles_or_notifications():
    user = UserFactory(roles=[])
    loaded = MobileOrIdNumberBackend().get_user(user.pk)
    with CaptureQueriesContext(connection) as queries:
        assert loaded.role_names() == set()
        assert loaded.unread_notifications() == 0
    assert len(queries) == 0


def test_request_user_fields_match_the_orm():
    """Every column but the encrypted ID number, converted as the ORM converts it (dates, JSON,
    booleans)."""
    user = UserFactory(roles=[Role.APPLICANT], language="ug", muted=["sms:reminder"], name_ug="ئالىم")
    loaded = MobileOrIdNumberBackend().get_user(user.pk)
    orm = User.objects.get(pk=user.pk)
    for field in User._meta.concrete_fields:
        if field.attname != "id_number_encrypted":
            assert getattr(loaded, field.attname) == getattr(orm, field.attname), field.attname
    assert loaded.muted == ["sms:reminder"] and loaded.date_joined.tzinfo is not None
    assert loaded.get_session_auth_hash() == orm.get_session_auth_hash()
    assert loaded._state.adding is False and loaded._state.db == "default"


def test_request_user_carries_no_encrypted_id_number():
    number = make_id_number()
    user = UserFactory(id_number=number)
    with CaptureQueriesContext(connection) as queries:
        loaded = MobileOrIdNumberBackend().get_user(user.pk)
    assert "id_number_encrypted" not in queries.captured_queries[0]["sql"]
    assert "id_number_encrypted" in loaded.get_deferred_fields()
    assert loaded.id_number_masked == user.id_number_masked
    assert loaded.id_number == number  # read when a service needs it


def test_saving_the_request_user_keeps_its_id_number():
    number = make_id_number()
    user = UserFactory(id_number=number)
    loaded = MobileOrIdNumberBackend().get_user(user.pk)
    loaded.language = "en"
    loaded.save()
    user.refresh_from_db()
    assert user.language == "en" and user.id_number == number


def test_request_user_inactive_or_missing_is_none():
    user = UserFactory()
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert MobileOrIdNumberBackend().get_user(user.pk) is None
    assert MobileOrIdNumberBackend().get_user(user.pk + 1000) is None


def test_session_of_a_deactivated_account_ends(client):
    user = UserFactory(roles=[Role.APPLICANT])
    client.force_login(user)
    assert client.get(reverse("notifications")).status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = client.get(reverse("notifications"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_session_ends_when_the_password_changes_elsewhere(client):
    """The auth hash in the session is checked against the row this query loaded."""
    user = UserFactory(roles=[Role.APPLICANT])
    client.force_login(user)
    assert client.get(reverse("notifications")).status_code == 200
    other = User.objects.get(pk=user.pk)
    other.set_password("An0ther-Passw0rd")
    other.save()
    response = client.get(reverse("notifications"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert SESSION_KEY not in client.session


@pytest.mark.urls("tests.portal.base_page_urls")
@pytest.mark.parametrize("roles", [[Role.APPLICANT], [Role.COMMITTEE_SECRETARY, Role.EXPERT], []])
def test_logged_in_base_page_reads_one_query(client, roles):
    """What every logged-in page pays before its own work (base.html with an empty block): the
    session from the cache, then one query for the user, its roles and its unread count."""
    user = UserFactory(roles=roles)
    _notify(user, 2)
    client.force_login(user)
    url = reverse("test-base-only")
    client.get(url)  # the menus rendered once per process
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert user.real_name in html and 'text-bg-warning">2<' in html
    assert len(queries) == 1, [q["sql"] for q in queries.captured_queries]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the function is PostgreSQL's")
def test_request_user_roles_and_unread_come_from_the_function_postgresql():
    """On PostgreSQL the roles and the count are read by ``portal_roles_and_unread`` (its plans kept by
    the database, not a join planned on every request): the same answers as the ORM's, for a user
    with several roles, read and unread notifications, and for one with neither."""
    from portal.request_user import roles_and_unread

    user = UserFactory(roles=[Role.APPLICANT, Role.EXPERT, Role.COMMITTEE_SECRETARY])
    _notify(user, 4)
    Notification.objects.filter(pk=Notification.objects.filter(recipient=user).first().pk).update(
        read_at="2026-01-01T00:00:00Z")
    bare = UserFactory(roles=[])
    _notify(UserFactory(roles=[Role.EXPERT]), 2)  # someone else's
    for person in (user, bare):
        with CaptureQueriesContext(connection) as queries:
            loaded = MobileOrIdNumberBackend().get_user(person.pk)
        assert "portal_roles_and_unread" in queries.captured_queries[0]["sql"]
        assert "auth_group" not in queries.captured_queries[0]["sql"]
        orm = (set(person.groups.values_list("name", flat=True)),
               Notification.objects.filter(recipient=person, read_at__isnull=True).count())
        assert (loaded.role_names(), loaded.unread_notifications()) == orm
        assert roles_and_unread(person.pk) == orm
    assert orm == (set(), 0) and roles_and_unread(user.pk) == ({Role.APPLICANT, Role.EXPERT,
                                                                Role.COMMITTEE_SECRETARY}, 3)
    assert roles_and_unread(bare.pk + 1000) == (set(), 0)
