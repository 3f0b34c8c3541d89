"""Issue 15 and 14.8: the public verify API answers from one narrow query
with a cached signature verdict, buffers its events, accepts POST with a
JSON body, never logs a verification query, and believes X-Forwarded-For
only from our own proxies."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from types import SimpleNamespace

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certificates import services
from certificates.models import Certificate, VerificationEvent
from portal.middleware import client_address
from tests.factories import bureau_officer

API = "/api/v1/certificates/verify/"


def post(client, **body):
    return client.post(API, body, content_type="application/json")


def test_verify_api_post_with_a_json_body_answers_as_get(issue, client):
    certificate = issue()
    by_get = client.get(API, {"number": certificate.number, "name": "张三丰"})
    by_post = post(client, number=certificate.number, name="张三丰")
    assert by_post.status_code == by_get.status_code == 200
    assert by_post.json() == by_get.json() and by_post.json()["status"] == "valid"
    assert post(client, number=certificate.number, name="李四").json() == {"status": "not_found"}
    bad = client.post(API, "[1, 2]", content_type="application/json")
    assert bad.status_code == 400
    missing = post(client, number=certificate.number)
    assert missing.status_code == 400 and "name" in missing.json().get("fields", missing.json())
    form = client.post(API, {"number": certificate.number, "name": "张三丰"})  # not JSON
    assert form.status_code == 415


def test_verify_api_is_one_narrow_query_with_the_verdict_cached(issue, client):
    certificate = issue()
    post(client, number=certificate.number, name="张三丰")  # first check of this version
    with CaptureQueriesContext(connection) as context:
        response = post(client, number=certificate.number, name="张三丰")
    assert response.json()["signature_valid"] is True
    selects = [q["sql"] for q in context.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1
    assert '"certificates_certificate"' in selects[0] and '"portal_region"' in selects[0]
    for other in ('"applications_titleseries"', '"certificates_signingkey"', '"applications_specialty"'):
        assert other not in selects[0]
    assert '"jws"' not in selects[0] and '"record"' not in selects[0]  # only the public columns


def test_verify_api_a_changed_row_is_checked_again(issue, client):
    certificate = issue()
    assert post(client, number=certificate.number, name="张三丰").json()["signature_valid"] is True
    # The row altered behind the services' back: its version moves and the verdict is recomputed.
    Certificate.objects.filter(pk=certificate.pk).update(title_name="高级工程师", updated_at=timezone.now())
    assert post(client, number=certificate.number, name="张三丰").json()["signature_valid"] is False


def test_R6_3_verify_api_revocation_visible_on_the_very_next_request(issue, client):
    certificate = issue()
    assert post(client, number=certificate.number, name="张三丰").json()["status"] == "valid"
    services.certificate_revoke(actor=bureau_officer(), certificate_id=certificate.pk, reason="材料造假，经查属实",
                                reason_category="fraud")
    data = post(client, number=certificate.number, name="张三丰").json()
    assert data["status"] == "revoked" and data["revocation_category"] == "fraud"


def test_verify_api_dates_are_asia_shanghai_local_dates(issue, client):
    certificate = issue()
    # 2026-12-02 17:30 UTC is 2026-12-03 01:30 in Urumqi's official time (Asia/Shanghai).
    revoked_at = dt.datetime(2026, 12, 2, 17, 30, tzinfo=dt.UTC)
    Certificate.objects.filter(pk=certificate.pk).update(status="revoked", revoked_at=revoked_at,
                                                         revocation_category="other")
    data = post(client, number=certificate.number, name="张三丰").json()
    assert data["revoked_on"] == "2026-12-03"


def test_verify_api_events_buffered_in_redis_written_in_batches(issue, client, settings):
    from certificates import verification_log
    from portal.redis_pool import redis_client
    from tests.integration_helpers import local_redis

    settings.REDIS_URL = url = local_redis()
    settings.CERTIFICATE_VERIFICATION_BUFFER = True
    redis_client(url).delete(verification_log.KEY, verification_log.LOCK)
    certificate = issue()
    before = timezone.now()
    with CaptureQueriesContext(connection) as context:
        assert post(client, number=certificate.number, name="张三丰").status_code == 200
    assert not [q for q in context.captured_queries if "INSERT" in q["sql"].upper()]  # no write on the request
    assert not VerificationEvent.objects.filter(certificate=certificate).exists()
    assert verification_log.events_flush() == 1
    event = VerificationEvent.objects.get(certificate=certificate)
    assert event.channel == "api" and event.result == "valid"
    assert before - dt.timedelta(seconds=1) <= event.created_at <= timezone.now()  # the time of the check
    assert verification_log.events_flush() == 0  # nothing twice


# --- 14.8: nothing of a verification query in any log ------------------------------------------

def test_verify_query_never_logged_by_the_app_log_filter():
    from portal.logging import RedactPersonalDataFilter

    record = logging.LogRecord("django.server", logging.INFO, __file__, 1, '"%s" 200',
                               ("GET /api/v1/certificates/verify/?number=650100-2026-ENG-000001-K&name=%E5%BC%A0 "
                                "HTTP/1.1",), None)
    RedactPersonalDataFilter().filter(record)
    line = record.getMessage()
    assert "name=" not in line and "650100-2026" not in line and "/api/v1/certificates/verify/" in line


def test_verify_query_never_logged_by_gunicorn():
    from gunicorn.config import Config

    from portal.gunicorn_logging import RedactingLogger

    config = Config()
    config.set("accesslog", "-")
    namespace: dict = {}
    exec(open("gunicorn.conf.py").read(), namespace)  # noqa: S102, SIM115 - our own config file
    config.set("access_log_format", namespace["access_log_format"])
    assert namespace["logger_class"] == "portal.gunicorn_logging.RedactingLogger"
    logger = RedactingLogger(config)
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/api/v1/certificates/verify/?number=X-1&name=%E5%BC%A0",
               "PATH_INFO": "/api/v1/certificates/verify/", "QUERY_STRING": "number=X-1&name=%E5%BC%A0",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.0.0.1",
               "HTTP_REFERER": "https://portal.example/verify/?number=X-1&name=%E5%BC%A0"}
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    atoms = logger.atoms(response, SimpleNamespace(headers=[]), environ, dt.timedelta(milliseconds=3))
    line = namespace["access_log_format"] % atoms
    assert "name=" not in line and "X-1" not in line and "/api/v1/certificates/verify/" in line
    assert "%E5%BC%A0" not in atoms["r"] and atoms["q"] == "[REDACTED]"


# --- 14.8: X-Forwarded-For believed only from our proxies ---------------------------------------

def test_x_forwarded_for_ignored_without_configured_proxies():
    meta = {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}
    assert client_address(meta, num_proxies=0, trusted_proxies=()) == "203.0.113.9"


def test_x_forwarded_for_with_num_proxies_takes_the_hop_our_proxy_saw():
    meta = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 198.51.100.7"}  # first hop forged
    assert client_address(meta, num_proxies=1, trusted_proxies=()) == "198.51.100.7"
    assert client_address({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "junk"}, num_proxies=1,
                          trusted_proxies=()) == "10.0.0.2"


def test_x_forwarded_for_with_a_trusted_list_only_from_those_proxies():
    import ipaddress

    trusted = (ipaddress.ip_network("10.0.0.0/8"),)
    via_proxy = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 198.51.100.7, 10.1.1.1"}
    assert client_address(via_proxy, num_proxies=0, trusted_proxies=trusted) == "198.51.100.7"
    direct = {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert client_address(direct, num_proxies=0, trusted_proxies=trusted) == "203.0.113.9"


def test_R5_3_a_new_x_forwarded_for_does_not_escape_the_rate_limit(issue, settings, own_address):
    settings.CERTIFICATE_VERIFY_RATE = "3/minute"
    certificate = issue()
    client = Client(REMOTE_ADDR=own_address)
    codes = [client.post(API, {"number": certificate.number, "name": "张三丰"}, content_type="application/json",
                         HTTP_X_FORWARDED_FOR=f"192.0.2.{i}").status_code for i in range(4)]
    assert codes == [200, 200, 200, 429]


def test_R5_3_behind_our_proxy_each_client_has_its_own_limit(issue, settings, own_address):
    settings.CERTIFICATE_VERIFY_RATE = "2/minute"
    settings.TRUSTED_PROXIES = [own_address]
    certificate = issue()
    proxy = Client(REMOTE_ADDR=own_address)
    body = {"number": certificate.number, "name": "张三丰"}
    one, two = ("172.{}.{}.{}".format(*secrets.token_bytes(3)) for _ in range(2))
    first = [proxy.post(API, body, content_type="application/json", HTTP_X_FORWARDED_FOR=one)
             .status_code for _ in range(3)]
    other = proxy.post(API, body, content_type="application/json", HTTP_X_FORWARDED_FOR=two)
    assert first == [200, 200, 429] and other.status_code == 200


def test_audit_events_record_the_client_address_behind_our_proxy(settings, client):
    from portal.middleware import current_client_ip

    settings.NUM_PROXIES = 1
    seen = {}

    def view(request):
        seen["ip"] = current_client_ip()
        from django.http import HttpResponse

        return HttpResponse("ok")

    from portal.middleware import ClientAddressMiddleware, RequestContextMiddleware

    chain = ClientAddressMiddleware(RequestContextMiddleware(view))
    from django.test import RequestFactory

    chain(RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7"))
    assert seen["ip"] == "198.51.100.7"
    assert reverse("certificate-verify") == "/verify/"
