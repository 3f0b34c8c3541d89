"""SMS and email: backends chosen in settings, delivery recorded per message (queued, sent, retried,
failed), idempotent sending through Celery, messages in the recipient's language that carry the
message itself, and topics a person can turn off (except codes and security notices)."""

from __future__ import annotations

import io
import json
import threading
import urllib.parse
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.test import override_settings

import portal.sms
from portal import delivery
from portal.models import MessageDelivery, Notification, Topic
from portal.notifications import notification_send
from portal.sms import SmsError, SmsMessage, get_connection, send_sms
from portal.sms.backends import console, filebased
from portal.sms.backends import http as http_backend
from tests.factories import UserFactory, sms_to

Status = MessageDelivery.Status

# --- A local fake of the HTTP gateway (Yunpian's single_send API) ------------------------------


class FakeGateway(BaseHTTPRequestHandler):
    """Answers with the scripted (status, body) pairs in order, then accepts everything; keeps the
    requests it received."""

    script: list = []
    received: list = []

    def do_POST(self):  # noqa: N802 - http.server's name
        length = int(self.headers.get("Content-Length", 0))
        form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        type(self).received.append({"path": self.path, "form": form,
                                    "content_type": self.headers.get("Content-Type", "")})
        status, body = type(self).script.pop(0) if type(self).script else (
            200, {"code": 0, "msg": "发送成功", "count": 1, "sid": 3310228982 + len(type(self).received)})
        if status == "hang":
            import time

            time.sleep(2)
            status, body = 200, {"code": 0, "sid": 1}
        payload = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        return None


@contextmanager
def fake_gateway(*script):
    """A gateway on 127.0.0.1, on a port of the range this machine gives the portal (8100–8199)."""
    FakeGateway.script, FakeGateway.received = list(script), []
    server = None
    for port in range(8170, 8200):
        try:
            server = ThreadingHTTPServer(("127.0.0.1", port), FakeGateway)
            break
        except OSError:
            continue
    assert server is not None, "no free port in 8170–8199"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v2/sms/single_send.json"
    finally:
        server.shutdown()
        server.server_close()


def gateway_settings(url):
    return override_settings(SMS_BACKEND="portal.sms.backends.http.SmsBackend", SMS_GATEWAY_URL=url,
                             SMS_GATEWAY_API_KEY="test-key-not-secret", SMS_SIGNATURE="【新疆职称】",
                             SMS_GATEWAY_TIMEOUT=1)


# --- Backends ------------------------------------------------------------------------------


def test_file_backend_is_the_default_and_writes_one_readable_file_per_message(settings):
    assert settings.SMS_BACKEND == "portal.sms.backends.filebased.SmsBackend"
    send_sms("13900000011", "【新疆职称】您的验证码是 123456。", reference="d1")
    send_sms("13900000012", "second")
    [message] = filebased.read_messages(to="13900000011")
    assert message["text"] == "【新疆职称】您的验证码是 123456。"
    assert message["reference"] == "d1"
    assert message["file"].endswith("-13900000011.txt")
    assert sms_to("13900000012") == ["second"]


def test_console_backend_prints_each_message():
    stream = io.StringIO()
    sent = get_connection("portal.sms.backends.console.SmsBackend", stream=stream).send_messages(
        [SmsMessage(to="13900000011", text="hello")])
    assert sent == 1
    assert "SMS to: 13900000011" in stream.getvalue() and "hello" in stream.getvalue()
    assert isinstance(get_connection("portal.sms.backends.console.SmsBackend"), console.SmsBackend)


def test_locmem_backend_keeps_messages_in_the_outbox():
    portal.sms.outbox.clear()
    send_sms("13900000011", "hi", connection=get_connection("portal.sms.backends.locmem.SmsBackend"))
    assert [(m.to, m.text) for m in portal.sms.outbox] == [("13900000011", "hi")]


def test_http_gateway_posts_the_form_and_keeps_the_gateway_reference():
    with fake_gateway() as url, gateway_settings(url):
        message = send_sms("13900000011", "您的验证码是 123456。", reference="d42")
    [request] = FakeGateway.received
    assert request["form"] == {"apikey": "test-key-not-secret", "mobile": "13900000011",
                               "text": "【新疆职称】您的验证码是 123456。", "uid": "d42"}
    assert request["content_type"].startswith("application/x-www-form-urlencoded")
    assert message.provider_ref.startswith("33102")


@pytest.mark.parametrize("answer, retry", [
    ((500, {"code": -1, "msg": "系统错误"}), True),
    ((503, b"<html>busy</html>"), True),
    ((429, {"code": 33, "msg": "发送频率过快"}), True),
    ((400, {"http_status_code": 400, "code": 33, "msg": "对同一个手机号发送频率过快"}), True),
    ((400, {"http_status_code": 400, "code": 2, "msg": "请求参数格式错误", "detail": "手机号格式不正确"}), False),
    ((401, {"http_status_code": 401, "code": -1, "msg": "非法的apikey"}), False),
    ((200, b"not json"), True),
], ids=["500", "503-html", "429", "too-often", "bad-number", "bad-key", "garbage"])
def test_http_gateway_says_whether_a_refusal_may_pass(answer, retry):
    with fake_gateway(answer) as url, gateway_settings(url):
        with pytest.raises(SmsError) as error:
            send_sms("13900000011", "text")
    assert error.value.retry is retry
    assert "13900000011" not in str(error.value) and "test-key" not in str(error.value)
    assert "139****0011" in str(error.value)


def test_http_gateway_timeout_and_unreachable_are_retried():
    with fake_gateway(("hang", None)) as url, gateway_settings(url):
        with pytest.raises(SmsError) as error:
            send_sms("13900000011", "text")
    assert error.value.retry and "timed out" in str(error.value)
    with gateway_settings("http://127.0.0.1:8199/nothing-listens-here"):
        with pytest.raises(SmsError) as error:
            send_sms("13900000011", "text")
    assert error.value.retry


def test_http_gateway_needs_its_key():
    with override_settings(SMS_GATEWAY_API_KEY=""), pytest.raises(ImproperlyConfigured):
        http_backend.SmsBackend()


# --- Delivery records: queued, sent, retried, failed -------------------------------------------


def queue_sms(**kwargs) -> MessageDelivery:
    return delivery.delivery_queue(channel="sms", topic=Topic.RESULT, address="13900000011",
                                   body="【新疆职称】结果", now=False, **kwargs)


def test_a_message_is_recorded_queued_then_sent_once():
    row = queue_sms()
    assert row.status == Status.QUEUED and row.body == "【新疆职称】结果"
    assert delivery.delivery_send(delivery_id=row.pk) == "sent"
    row.refresh_from_db()
    assert row.status == Status.SENT and row.attempts == 1 and row.sent_at is not None
    assert row.provider_ref.startswith("file:")
    # The task runs again (a redelivered Celery message): nothing is sent twice.
    assert delivery.delivery_send(delivery_id=row.pk) == "skipped"
    assert sms_to("13900000011") == ["【新疆职称】结果"]


def test_the_text_is_stored_encrypted():
    from django.db import connection

    row = queue_sms()
    with connection.cursor() as cursor:
        cursor.execute("SELECT body_encrypted FROM portal_messagedelivery WHERE id = %s", [row.pk])
        stored = cursor.fetchone()[0]
    assert "结果" not in stored


def test_a_failure_that_may_pass_is_retried_then_sent(settings):
    with fake_gateway((500, {"code": -1}), (503, b"busy")) as url, gateway_settings(url):
        row = queue_sms()
        assert delivery.delivery_send(delivery_id=row.pk) == "retry"
        row.refresh_from_db()
        assert row.status == Status.RETRIED and row.attempts == 1 and "HTTP 500" in row.last_error
        assert delivery.delivery_send(delivery_id=row.pk) == "retry"
        assert delivery.delivery_send(delivery_id=row.pk) == "sent"
    row.refresh_from_db()
    assert row.status == Status.SENT and row.attempts == 3 and row.last_error == ""
    assert len(FakeGateway.received) == 3


def test_a_refusal_fails_at_once_and_repeated_failures_give_up(settings):
    with fake_gateway((400, {"code": 2, "msg": "bad number"})) as url, gateway_settings(url):
        row = queue_sms()
        assert delivery.delivery_send(delivery_id=row.pk) == "failed"
    row.refresh_from_db()
    assert row.status == Status.FAILED and "code 2" in row.last_error
    settings.MESSAGE_MAX_ATTEMPTS = 2
    with fake_gateway((500, {}), (500, {}), (500, {})) as url, gateway_settings(url):
        row = queue_sms()
        assert [delivery.delivery_send(delivery_id=row.pk) for _ in range(3)] == ["retry", "failed", "skipped"]
    row.refresh_from_db()
    assert row.status == Status.FAILED and row.attempts == 2


def test_the_same_key_is_queued_once():
    first = queue_sms(key="code:1")
    again = queue_sms(key="code:1")
    assert first.pk == again.pk
    assert MessageDelivery.objects.filter(key="code:1").count() == 1


def test_sending_waits_for_commit_and_nothing_leaves_for_a_rollback(deliver):
    user = UserFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        notification_send(recipients=[user], subject="x", topic=Topic.RESULT)
        raise RuntimeError
    assert sms_to(user.mobile) == [] and not MessageDelivery.objects.exists()
    deliver(notification_send, recipients=[user], subject="结果已出", topic=Topic.RESULT)
    assert len(sms_to(user.mobile)) == 1
    assert MessageDelivery.objects.get().status == Status.SENT


def test_the_outbox_sends_what_is_queued_and_waits_out_a_retry(settings):
    import datetime as dt

    from django.utils import timezone

    queued = queue_sms()
    with fake_gateway((500, {})) as url, gateway_settings(url):
        retried = queue_sms()
        delivery.delivery_send(delivery_id=retried.pk)
    later = timezone.now() + dt.timedelta(seconds=61)
    assert delivery.deliveries_flush(now=later) == 1  # the queued one; the retried one waits its pause
    assert MessageDelivery.objects.get(pk=queued.pk).status == Status.SENT
    assert delivery.deliveries_flush(now=later + dt.timedelta(minutes=5)) == 1
    assert MessageDelivery.objects.get(pk=retried.pk).status == Status.SENT


def test_celery_task_sends_and_is_idempotent():
    from portal.tasks import send_message

    row = queue_sms()
    assert send_message.delay(row.pk).get() == "sent"
    assert send_message.delay(row.pk).get() == "skipped"


# --- Content, language and topics ------------------------------------------------------------


def test_sms_text_carries_the_message_and_the_link(settings):
    settings.SITE_URL = "https://zc.example.gov.cn"
    text = delivery.sms_text("您的申报已退回修改", "请在2026-01-20前修改后重新提交。", "/applications/7/")
    assert text == "【新疆职称】您的申报已退回修改：请在2026-01-20前修改后重新提交。 https://zc.example.gov.cn/applications/7/"
    long = delivery.sms_text("x" * 300, "", "/a/")
    assert long.endswith("… https://zc.example.gov.cn/a/") and len(long) < 240


def test_each_recipient_gets_the_message_in_their_own_language(deliver, settings):
    from django.utils.translation import gettext as _

    settings.LANGUAGE_CODE = "zh-hans"  # the site's default, for a person who chose none
    zh = UserFactory(language="zh-hans")
    en = UserFactory(language="en")
    default = UserFactory(language="")
    deliver(notification_send, recipients=[zh, en, default], topic=Topic.RESULT,
            subject=lambda: _("Your application was accepted"),
            body=lambda: _("Reason: %(reason)s") % {"reason": "2026-01-20"})
    by_user = {n.recipient_id: n for n in Notification.objects.all()}
    assert by_user[en.pk].subject == "Your application was accepted"
    assert by_user[zh.pk].subject == by_user[default.pk].subject == "您的申报已受理"
    assert by_user[zh.pk].body == "理由：2026-01-20" and by_user[en.pk].body == "Reason: 2026-01-20"
    emails = {m.to[0]: m for m in mail.outbox}
    assert emails[en.email].body.startswith(f"Dear {en.real_name},")
    assert "Your application was accepted" in emails[en.email].body
    assert "您的申报已受理" in emails[zh.email].body and "Dear" not in emails[zh.email].body
    [en_sms] = sms_to(en.mobile)
    assert "Your application was accepted" in en_sms
    [zh_sms] = sms_to(zh.mobile)
    assert "您的申报已受理" in zh_sms


def test_the_email_carries_what_happened_what_to_do_and_the_link(deliver, settings):
    settings.SITE_URL = "https://zc.example.gov.cn"
    user = UserFactory(language="en")
    deliver(notification_send, recipients=[user], subject="Your application was returned for correction",
            body="What to correct:\n· Work summary: sign it.\nResubmit it by 2026-01-20.", url="/applications/3/",
            topic=Topic.CORRECTION)
    [email] = mail.outbox
    assert "Work summary: sign it." in email.body and "Resubmit it by 2026-01-20." in email.body
    assert "https://zc.example.gov.cn/applications/3/" in email.body
    assert "/me/settings/" in email.body  # where to turn messages off
    assert email.subject.endswith("Your application was returned for correction")


def test_work_notices_are_not_sent_by_sms(deliver):
    user = UserFactory()
    deliver(notification_send, recipients=[user], subject="An application awaits you")
    assert sms_to(user.mobile) == [] and len(mail.outbox) == 1


def test_a_person_turns_a_topic_off_per_channel_but_never_security(deliver):
    user = UserFactory(muted=["sms:result", "email:reminder"])
    deliver(notification_send, recipients=[user], subject="result", topic=Topic.RESULT)
    deliver(notification_send, recipients=[user], subject="reminder", topic=Topic.REMINDER)
    deliver(notification_send, recipients=[user], subject="security", topic=Topic.SECURITY)
    assert [t.split("】")[1] for t in sms_to(user.mobile)] == ["reminder", "security"]
    assert sorted(m.subject.split("] ")[1] for m in mail.outbox) == ["result", "security"]
    assert Notification.objects.filter(recipient=user).count() == 3  # in-app always
    assert user.wants("sms", Topic.CODE) and user.wants("email", Topic.SECURITY)
