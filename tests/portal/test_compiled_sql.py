"""``portal.compiled_sql.CompiledValues`` (issue 15): a ``.values()`` query compiled once per
connection runs the ORM's own SQL with each call's parameters and returns what ``.values()`` returns.
Run on SQLite (the default) and on PostgreSQL (``DATABASE_URL``): each backend's SQL is its own."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F

from portal.compiled_sql import CompiledValues, InList
from portal.models import CommitteeMember, Role, User
from review.models import Score
from tests.factories import UserFactory, bureau_officer
from tests.review.conftest import file_committee, make_application, make_call, score_submitted

pytestmark = pytest.mark.django_db


def users_query(user_id, name, active=True):
    return (User.objects.filter(pk__gte=user_id, is_active=active).exclude(real_name=name)
            .order_by("pk").values("pk", "real_name", "date_joined", "is_active", "muted", "language",
                                   roles=F("groups__name"))[:5])


USERS = CompiledValues(lambda user_id, name: users_query(user_id, name), user_id=int, name=str)


@pytest.fixture
def people():
    users = [UserFactory(roles=[Role.APPLICANT], muted=["sms:reminder"], language="ug",
                         date_joined=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)) for _ in range(4)]
    users[1].is_active = False
    users[1].save(update_fields=["is_active"])
    return users


def test_the_sql_is_the_orms_own_with_the_calls_parameters(people):
    for user_id, name in ((people[0].pk, people[2].real_name), (people[3].pk, "<&·>")):
        assert USERS.statement(user_id=user_id, name=name) == \
            users_query(user_id, name).query.get_compiler(connection=connection).as_sql()
    assert USERS.sql() == USERS.plan().sql
    # The backend's own quoting: the plan is per connection.
    assert connection.ops.quote_name("real_name") in USERS.sql()


def test_rows_are_those_of_values_converted_as_the_orm_converts_them(people):
    for user_id, name in ((people[0].pk, people[2].real_name), (people[1].pk, ""), (10**12, "x")):
        rows = USERS(user_id=user_id, name=name)
        assert rows == list(users_query(user_id, name))
    row = USERS(user_id=people[0].pk, name="")[0]
    assert row["muted"] == ["sms:reminder"] and row["is_active"] is True and row["roles"] == Role.APPLICANT
    assert row["date_joined"] == dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


def test_decimals_and_json_converted_as_the_orm_does():
    query = CompiledValues(lambda status: Score.objects.filter(status=status).values("total", "values"),
                           status=str)
    call = make_call(file_committee(bureau_officer("650100")))
    score_submitted(make_application(call), total="81.25")
    assert query(status=Score.Status.SUBMITTED) == list(Score.objects.filter(status="submitted")
                                                        .values("total", "values"))
    assert query(status="submitted")[0]["total"] == Decimal("81.25")


def test_compiled_once_per_connection_and_each_call_one_logged_query(people, django_assert_num_queries):
    built = []

    def build(user_id):
        built.append(user_id)
        return User.objects.filter(pk=user_id).values("real_name")

    query = CompiledValues(build, user_id=int)
    with django_assert_num_queries(3):
        names = [query(user_id=u.pk) for u in people[:3]]
    assert names == [[{"real_name": u.real_name}] for u in people[:3]]
    assert len(built) == 1 and built[0] not in {u.pk for u in people}  # built with a sentinel


def test_an_in_list_is_padded_with_its_last_value():
    query = CompiledValues(lambda ids: User.objects.filter(pk__in=ids).order_by("pk").values("pk"),
                           ids=InList(int, 4))
    users = [UserFactory() for _ in range(5)]
    for chosen in (users[:1], users[1:3], users[:4]):
        assert query(ids=[u.pk for u in chosen]) == [{"pk": u.pk} for u in chosen]
    with pytest.raises(ValueError, match="1 to 4"):
        query(ids=[])
    with pytest.raises(ValueError, match="1 to 4"):
        query(ids=[u.pk for u in users])


def test_text_choices_pass_as_their_text():
    query = CompiledValues(lambda role: CommitteeMember.objects.filter(role=role).values("pk"), role=str)
    assert query(role=CommitteeMember.Role.SECRETARY) == []
    params = query.statement(role=CommitteeMember.Role.SECRETARY)[1]
    assert params == ("secretary",) and type(params[0]) is str


@pytest.mark.parametrize("values", [{"user_id": None, "name": "x"}, {"user_id": True, "name": "x"},
                                    {"user_id": "1", "name": "x"}, {"user_id": 1, "name": 2},
                                    {"user_id": 1}, {"user_id": 1, "name": "x", "other": 3}])
def test_values_of_another_type_or_missing_are_refused(values):
    with pytest.raises(TypeError):
        USERS(**values)


@pytest.mark.parametrize("build", [
    lambda name: User.objects.filter(real_name__contains=name).values("pk"),  # transformed: "%name%"
    lambda name: User.objects.values("pk"),  # not used
])
def test_a_parameter_the_orm_does_not_pass_as_given_is_refused(build):
    with pytest.raises(ValueError, match="name"):
        CompiledValues(build, name=str).sql()


def test_only_values_querysets():
    with pytest.raises(TypeError, match="values"):
        CompiledValues(lambda user_id: User.objects.filter(pk=user_id), user_id=int).sql()
    with pytest.raises(TypeError, match="values"):
        CompiledValues(lambda user_id: User.objects.filter(pk=user_id).values_list("pk"), user_id=int).sql()


def test_fits_bigint_is_the_range_of_a_64_bit_id():
    from portal.compiled_sql import fits_bigint

    assert fits_bigint(0, 1, 2**63 - 1, -(2**63))
    assert not fits_bigint(2**63) and not fits_bigint(1, 10**20) and not fits_bigint(-(2**63) - 1)
    assert fits_bigint()
