"""Two hosts, proven (issue 16 §2): two gunicorn instances with different MEDIA_ROOTs and one Celery
worker, all on the same PostgreSQL, Redis and S3 bucket (moto's server on 127.0.0.1):

- a file uploaded through instance A downloads through instance B, byte for byte;
- a certificate rendered by the worker downloads from both;
- a session started on A works on B.

Ports are chosen free at run time. PostgreSQL and Redis only (``.ci/run``); skipped elsewhere, and
failing in CI without them.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.db import connection
from django.urls import reverse

from applications.models import Attachment
from certificates import services as certificate_services
from certificates.models import Certificate
from portal.models import CommitteeMember, Role
from tests.applications.conftest import World, eligible_for_intermediate, make_call, make_committee
from tests.certificates.conftest import grant_kwargs
from tests.factories import EnterpriseFactory, UserFactory, bureau_officer, employee_of, hr_admin_of
from tests.s3_helpers import free_port, require_postgres_and_redis, s3_endpoint, wait_for_http

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSWORD = "Two-hosts-2026"  # noqa: S105 (a test account's)


@pytest.fixture
def stack(settings, tmp_path):
    """Instances A and B and a worker, on this test's database, Redis and a new bucket."""
    _database, redis_url = require_postgres_and_redis()
    from portal.celery import app

    with s3_endpoint() as s3, contextlib.ExitStack() as stop:
        bucket = s3.new_bucket()
        settings.STORAGES = s3.storages(bucket)
        # Passwords that the servers' default hasher can check.
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("S3_", "DJANGO_", "PYTEST"))},
            # The base settings with the embedded keys: the same SECRET_KEY and field keys as this
            # test process, so both sides read the ID numbers and signing keys the other wrote.
            "DJANGO_SETTINGS_MODULE": "portal.settings.base",
            "DEBUG": "0",
            "DATABASE_URL": database_url(connection.settings_dict),
            "REDIS_URL": redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "LOG_LEVEL": "WARNING",
            **s3.env(bucket),
        }
        previous = (app.conf.task_always_eager, app.conf.broker_url, app.conf.result_backend)
        app.conf.task_always_eager, app.conf.broker_url, app.conf.result_backend = False, redis_url, redis_url
        stop.callback(lambda: setattr(app.conf, "task_always_eager", previous[0]))
        stop.callback(lambda: setattr(app.conf, "broker_url", previous[1]))
        stop.callback(lambda: setattr(app.conf, "result_backend", previous[2]))
        app.control.purge()

        processes: dict[str, subprocess.Popen] = {}
        hosts: dict[str, dict] = {}
        for name in ("A", "B"):
            media, port = tmp_path / f"media-{name}", free_port()
            media.mkdir()
            processes[name] = subprocess.Popen(  # noqa: S603
                [str(BIN / "gunicorn"), "portal.wsgi:application", "--workers", "1", "--bind", f"127.0.0.1:{port}"],
                cwd=ROOT, env={**env, "MEDIA_ROOT": str(media)}, stdout=subprocess.DEVNULL)
            hosts[name] = {"url": f"http://127.0.0.1:{port}", "media": media}
        worker_media = tmp_path / "media-worker"
        worker_media.mkdir()
        processes["worker"] = subprocess.Popen(  # noqa: S603
            [str(BIN / "celery"), "-A", "portal", "worker", "--pool", "solo", "--concurrency", "1",
             "--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env={**env, "MEDIA_ROOT": str(worker_media)}, stdout=subprocess.DEVNULL)

        def end():
            for process in processes.values():
                process.terminate()
            for process in processes.values():
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()

        stop.callback(end)
        for name in ("A", "B"):
            wait_for_http(hosts[name]["url"] + "/healthz", seconds=120, process=processes[name])
        yield {"s3": s3, "bucket": bucket, "hosts": hosts, "worker_media": worker_media, "processes": processes}
        app.control.purge()


def database_url(db: dict) -> str:
    """This test's database (``test_…``) as a URL for the servers."""
    from urllib.parse import quote

    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{quote(db['USER'], safe='')}{password}@{host}:{port}/{db['NAME']}"


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def log_in(base: str, mobile: str) -> requests.Session:
    browser = requests.Session()
    browser.get(f"{base}{reverse('login')}", timeout=60).raise_for_status()
    response = browser.post(f"{base}{reverse('login')}", timeout=60, allow_redirects=False, data={
        "username": mobile, "password": PASSWORD, "csrfmiddlewaretoken": browser.cookies["csrftoken"]})
    assert response.status_code == 302, response.text[:500]
    return browser


def on_other_host(browser: requests.Session) -> requests.Session:
    """A browser holding only the cookies the first host set (nothing else is shared)."""
    other = requests.Session()
    for name in ("sessionid", "csrftoken"):
        other.cookies.set(name, browser.cookies[name])
    return other


def a_world() -> World:
    committee = make_committee()
    secretary = UserFactory(roles=[Role.COMMITTEE_SECRETARY])
    CommitteeMember.objects.create(committee=committee, user=secretary, role=CommitteeMember.Role.SECRETARY)
    enterprise = EnterpriseFactory()
    applicant = employee_of(enterprise)
    eligible_for_intermediate(applicant)
    applicant.set_password(PASSWORD)
    applicant.save(update_fields=["password"])
    return World(committee=committee, call=make_call(committee=committee), enterprise=enterprise,
                 hr=hr_admin_of(enterprise), applicant=applicant, officer=bureau_officer("650100"))


def test_a_session_started_on_A_works_on_B_and_a_file_uploaded_through_A_downloads_through_B(stack):
    a, b = stack["hosts"]["A"], stack["hosts"]["B"]
    world = a_world()
    application = world.create()

    on_a = log_in(a["url"], world.applicant.mobile)
    on_b = on_other_host(on_a)
    mine = reverse("applications-dashboard")
    response = on_b.get(f"{b['url']}{mine}", timeout=60, allow_redirects=False)
    assert response.status_code == 200 and world.applicant.real_name in response.text
    anonymous = requests.get(f"{b['url']}{mine}", timeout=60, allow_redirects=False)
    assert anonymous.status_code == 302 and reverse("login") in anonymous.headers["Location"]

    scan = b"%PDF-1.4\n" + os.urandom(3 * 1024 * 1024) + b"\n%%EOF\n"
    response = on_a.post(f"{a['url']}{reverse('application-edit', args=[application.pk, 'materials'])}",
                         timeout=120, allow_redirects=False,
                         data={"material": "work_summary", "csrfmiddlewaretoken": on_a.cookies["csrftoken"]},
                         files={"file": ("工作总结.pdf", scan, "application/pdf")})
    assert response.status_code == 302, response.text[:500]
    attachment = Attachment.objects.get(application=application)
    assert stack["s3"].objects(stack["bucket"]) == {attachment.file.name: scan}
    assert files_under(a["media"]) == [] and files_under(b["media"]) == []  # nothing on either disk

    url = reverse("application-file", args=[application.pk, attachment.pk])
    response = on_b.get(f"{b['url']}{url}", timeout=120)
    assert response.status_code == 200 and response.content == scan
    # B checks permissions as A would: another applicant, logged in on B, gets nothing.
    other = world.another_applicant()
    other.set_password(PASSWORD)
    other.save(update_fields=["password"])
    assert log_in(b["url"], other.mobile).get(f"{b['url']}{url}", timeout=60).status_code == 404


def test_a_certificate_rendered_by_the_worker_downloads_from_both_hosts(stack):
    a, b = stack["hosts"]["A"], stack["hosts"]["B"]
    holder = UserFactory(real_name="张三丰")
    holder.set_password(PASSWORD)
    holder.save(update_fields=["password"])
    certificate = certificate_services.certificate_issue(**grant_kwargs(holder=holder))  # the render goes to Redis
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        certificate.refresh_from_db()
        if certificate.pdf_ready:
            break
        assert stack["processes"]["worker"].poll() is None, "the worker ended"
        time.sleep(0.5)
    assert certificate.pdf_ready, "the worker did not render the certificate in 300 s"
    assert files_under(stack["worker_media"]) == []
    stored = stack["s3"].objects(stack["bucket"])[certificate.pdf.name]

    url = reverse("my-certificate-pdf", args=[Certificate.objects.get(pk=certificate.pk).pk])
    on_a = log_in(a["url"], holder.mobile)
    from_a = on_a.get(f"{a['url']}{url}", timeout=120)
    from_b = on_other_host(on_a).get(f"{b['url']}{url}", timeout=120)
    assert from_a.status_code == from_b.status_code == 200
    assert from_a.content == from_b.content == stored
    assert hashlib.sha256(stored).hexdigest() == certificate.pdf_sha256
    assert from_a.content.startswith(b"%PDF")
