"""Issue 15: an anonymous check by the verify API is answered from the
certificate's public record in Redis: one round trip (the limit, the record,
the name, the event) and no SQL, with the same answer, revocation on the very
next request, the limit on, and the event reaching the holder's list."""

from __future__ import annotations

import pytest
from django.test import Client

from certificates import public_records, services, verification_log
from certificates.models import Certificate, VerificationEvent
from certificates.selectors import verifications_for_certificate
from tests.factories import bureau_officer
from tests.integration_helpers import local_redis

API = "/api/v1/certificates/verify/"
NAME = "张三丰"


@pytest.fixture
def redis_path(settings, own_address):
    """The production set-up: Redis, the event buffer on; this test's address and records cleared."""
    from portal.redis_pool import redis_client

    settings.REDIS_URL = url = local_redis()
    settings.CERTIFICATE_VERIFICATION_BUFFER = True
    settings.CERTIFICATE_VERIFY_RATE = "1000/minute"
    client = redis_client(url)
    client.delete(verification_log.KEY, verification_log.LOCK)
    stale = list(client.scan_iter(public_records.PREFIX + "*"))
    if stale:
        client.delete(*stale)
    public_records._ANSWERS.clear()
    yield client
    client.delete(verification_log.KEY)


def check(client, number, name=NAME, **extra):
    return client.post(API, {"number": number, "name": name}, content_type="application/json", **extra)


def test_verify_api_answered_from_redis_with_no_sql_and_the_same_answer(redis_path, issue, own_address,
                                                                       django_assert_num_queries):
    certificate = issue()
    client = Client(REMOTE_ADDR=own_address)
    first = check(client, certificate.number)  # not yet in Redis: the database path, which stores the record
    with django_assert_num_queries(0):
        again = check(client, certificate.number)
        by_get = client.get(API, {"number": certificate.number, "name": NAME})
        wrong = check(client, certificate.number, "李四")
    assert first.status_code == again.status_code == by_get.status_code == 200
    assert again.content == first.content == by_get.content and again.json()["status"] == "valid"
    assert again.json()["signature_valid"] is True and again.json()["holder_name"] != NAME
    for header in ("Content-Type", "Cache-Control", "X-Robots-Tag", "Referrer-Policy", "Allow", "Vary"):
        assert again[header] == first[header], (header, dict(first.headers), dict(again.headers))
    assert wrong.json() == {"status": "not_found"}
    # The record holds neither the ID number nor the full name.
    raw = redis_path.get(public_records.key(certificate.number)).decode()
    assert NAME not in raw and certificate.holder.id_number not in raw


def test_verify_api_from_redis_answers_in_the_verifiers_language(redis_path, issue, own_address):
    certificate = issue()
    client = Client(REMOTE_ADDR=own_address)
    check(client, certificate.number)
    chinese = check(client, certificate.number, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    uyghur = check(client, certificate.number, HTTP_ACCEPT_LANGUAGE="ug").json()
    assert chinese["level_display"] != uyghur["level_display"]


def test_R6_3_verify_api_from_redis_revocation_visible_on_the_very_next_request(
        redis_path, issue, own_address, run_on_commit, django_assert_num_queries):
    certificate = issue()
    client = Client(REMOTE_ADDR=own_address)
    check(client, certificate.number)
    with django_assert_num_queries(0):
        assert check(client, certificate.number).json()["status"] == "valid"
    run_on_commit(services.certificate_revoke, actor=bureau_officer(), certificate_id=certificate.pk,
                  reason="材料造假，经查属实", reason_category="fraud")
    with django_assert_num_queries(0):
        data = check(client, certificate.number).json()
    assert data["status"] == "revoked" and data["revocation_category"] == "fraud"


def test_verify_api_a_check_that_read_the_row_before_a_revocation_cannot_put_it_back(redis_path, issue,
                                                                                     run_on_commit):
    certificate = issue()
    before = (Certificate.objects.select_related("granting_body_region")
              .only(*services.PUBLIC_FIELDS, "holder_name").get(pk=certificate.pk))
    run_on_commit(services.certificate_revoke, actor=bureau_officer(), certificate_id=certificate.pk,
                  reason="材料造假，经查属实", reason_category="fraud")
    public_records.store(before, signature_valid=True)  # a slow check's stale row arrives last
    assert public_records.public_answer(redis_path.get(public_records.key(certificate.number)))["status"] == "revoked"


def test_R5_3_verify_api_from_redis_keeps_the_rate_limit(redis_path, issue, settings, own_address):
    settings.CERTIFICATE_VERIFY_RATE = "3/minute"
    certificate = issue()
    client = Client(REMOTE_ADDR=own_address)
    codes = [check(client, certificate.number).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]  # the database path and the Redis path share one counter
    assert check(client, certificate.number).get("Retry-After")


def test_verify_api_from_redis_the_holder_sees_who_verified(redis_path, issue, own_address,
                                                           django_assert_num_queries):
    certificate = issue()
    client = Client(REMOTE_ADDR=own_address)
    check(client, certificate.number)
    with django_assert_num_queries(0):
        check(client, certificate.number)
        check(client, certificate.number, "李四")  # a wrong name is no verification
    from certificates.tasks import verification_events_flush

    assert verification_events_flush() == 2  # the beat task, every 10 s
    events = list(verifications_for_certificate(certificate=certificate))
    assert [(e.channel, e.result) for e in events] == [("api", "valid"), ("api", "valid")]
    assert VerificationEvent.objects.filter(certificate=certificate, verifier_organization__isnull=False).count() == 0


def test_verify_api_a_logged_in_verifier_takes_the_database_path(redis_path, issue, own_address):
    from tests.factories import UserFactory

    certificate = issue()
    client = Client(REMOTE_ADDR=own_address)
    check(client, certificate.number)  # the record is in Redis now
    client.force_login(UserFactory())
    assert check(client, certificate.number).json()["status"] == "valid"
    assert redis_path.llen(verification_log.KEY) == 2


def test_verify_api_invalid_input_still_answers_as_drf_does(redis_path, issue, own_address):
    certificate = issue()
    client = Client(REMOTE_ADDR=own_address)
    check(client, certificate.number)
    assert check(client, certificate.number, "").status_code == 400
    assert check(client, certificate.number[:-1] + "0").json() in ({"status": "not_found", "hint": "check_number"},
                                                                    {"status": "not_found"})
    assert client.post(API, "[1]", content_type="application/json").status_code == 400
    assert client.post(API, {"number": certificate.number, "name": NAME}).status_code == 415
    # Another renderer asked for: DRF negotiates it as before.
    html = client.get(API, {"number": certificate.number, "name": NAME}, HTTP_ACCEPT="text/html")
    assert html.status_code == 200 and html["Content-Type"].startswith("text/html")


def test_verify_api_from_redis_loads_its_script_when_redis_does_not_know_it(redis_path, issue, own_address,
                                                                           monkeypatch, django_assert_num_queries):
    """The check runs by EVALSHA; a Redis that lost its scripts (restart, SCRIPT FLUSH) is sent the script
    once and the same request is answered."""
    import hashlib
    import uuid

    certificate = issue()
    client = Client(REMOTE_ADDR=own_address)
    check(client, certificate.number)
    script = public_records.CHECK_LUA + f"-- {uuid.uuid4()}\n"  # a script this Redis has never seen
    monkeypatch.setattr(public_records, "CHECK_LUA", script)
    monkeypatch.setattr(public_records, "CHECK_SHA", hashlib.sha1(script.encode()).hexdigest().encode())  # noqa: S324
    assert redis_path.script_exists(public_records.CHECK_SHA.decode()) == [False]
    with django_assert_num_queries(0):
        assert check(client, certificate.number).json()["status"] == "valid"
    assert redis_path.script_exists(public_records.CHECK_SHA.decode()) == [True]


def test_verify_api_from_redis_a_closed_connection_is_opened_again(redis_path, issue, own_address,
                                                                  django_assert_num_queries):
    certificate = issue()
    client = Client(REMOTE_ADDR=own_address)
    check(client, certificate.number)
    public_records._line().disconnect()  # Redis restarted, or the socket was dropped
    with django_assert_num_queries(0):
        assert check(client, certificate.number).json()["status"] == "valid"
    public_records._line()._sock.close()  # closed under it: this check fails over to the database path
    assert check(client, certificate.number).json()["status"] == "valid"
    with django_assert_num_queries(0):  # and the next one has a new connection
        assert check(client, certificate.number).json()["status"] == "valid"
