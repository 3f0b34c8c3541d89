"""Requests per second of ONE gunicorn sync worker on the main pages (issue 16, docs/scaling.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_x REDIS_URL=redis://127.0.0.1:6379/n \\
        .venv/bin/python bench/worker_pages.py [--seconds 15] [--connections 4]

Migrates the database and loads the demo data (``seed_reference_data``, ``demo_data``; idempotent),
starts ``gunicorn --workers 1`` with the production settings (persistent database connections,
sessions written at most once a minute, as in production) on a free port, and drives each page with
``wrk`` for ``--seconds``: the public pages anonymously, the others with a real session of the demo
account of that role. Prints requests/s, latency and the 1-minute load average taken at the end of
each run: on a shared machine the load is part of the number. It also prints the worker process's
own CPU time per request (from /proc): 1000 / that is what one worker does on a core of its own,
the figure to plan with when other work shares the machine. Results also go to
``bench/out/worker_pages.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

ENV = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "SECRET_KEY": "bench-pages-" + "k" * 60,
    "FIELD_ENCRYPTION_KEY": "YmVuY2gtcGVhay1maWVsZC1lbmNyeXB0aW9uLWtleSE=",
    "LOOKUP_HASH_KEY": "bench-pages-lookup-hash-key-0123456789",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_HSTS_SECONDS": "0",
    "CONN_MAX_AGE": "60",
    "LOG_LEVEL": "WARNING",
    "MEDIA_ROOT": str(OUT / "pages-media"),
    "STATIC_ROOT": str(OUT / "pages-static"),
    "CELERY_TASK_ALWAYS_EAGER": "0",
}

# (label, path, demo account's mobile or None for anonymous)
PAGES = [
    ("home (anonymous)", "/", None),
    ("verify form (anonymous)", "/verify/", None),
    ("result publicity list (anonymous)", "/publicity/", None),
    ("applicant: my applications", "/applications/", "13900000003"),
    ("enterprise HR: my enterprises", "/enterprises/", "13900000002"),
    ("bureau officer: enterprise queue", "/bureau/enterprises/", "13900000001"),
]


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=os.environ, check=True,  # noqa: S603
                   stdout=subprocess.DEVNULL)


def session_cookie(mobile: str) -> str:
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from portal.models import User

    user = User.objects.get(mobile=mobile)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "portal.backends.MobileOrIdNumberBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    assert len(children) == 1, children
    return int(children[0])


def wrk(url: str, *, seconds: float, connections: int, cookie: str | None, worker: int) -> dict:
    command = ["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds:.0f}s", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    cpu_before = cpu_seconds(worker)
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    cpu = cpu_seconds(worker) - cpu_before
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    p50 = re.search(r"50%\s+([\d.]+)(\w+)", out)
    p99 = re.search(r"99%\s+([\d.]+)(\w+)", out)

    def ms(m) -> float:
        value, unit = float(m.group(1)), m.group(2)
        return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]

    return {"rps": rps, "requests": requests, "cpu_ms_per_request": cpu * 1000 / max(requests, 1),
            "rps_per_busy_core": requests / cpu if cpu else 0.0, "p50_ms": ms(p50), "p99_ms": ms(p99),
            "non_2xx": int(non2xx.group(1)) if non2xx else 0,
            "load_1min": os.getloadavg()[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("DATABASE_URL must name a PostgreSQL database of the bench's own")
    os.environ.update(ENV)
    OUT.mkdir(parents=True, exist_ok=True)
    manage("migrate", "--no-input")
    manage("seed_reference_data")
    manage("demo_data")
    if not (Path(ENV["STATIC_ROOT"]) / "staticfiles.json").exists():  # compressing takes minutes
        manage("collectstatic", "--no-input")
    from tests.s3_helpers import free_port, wait_for_http

    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [str(Path(sys.executable).parent / "gunicorn"), "portal.wsgi:application", "--workers", "1",
         "--bind", f"127.0.0.1:{port}"], cwd=ROOT, env=os.environ)
    results = []
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", process=server)
        worker = worker_pid(server.pid)
        print(f"one gunicorn sync worker, {args.connections} wrk connections, {args.seconds:.0f} s per page; "
              f"CPUs: {os.cpu_count()}")
        for label, path, mobile in PAGES:
            cookie = session_cookie(mobile) if mobile else None
            url = f"http://127.0.0.1:{port}{path}"
            wrk(url, seconds=3, connections=args.connections, cookie=cookie, worker=worker)  # warm up
            result = {"page": label, "path": path, **wrk(url, seconds=args.seconds, connections=args.connections,
                                                          cookie=cookie, worker=worker)}
            results.append(result)
            print(f"{label:38} {result['rps']:6.1f} req/s  worker CPU {result['cpu_ms_per_request']:5.1f} ms/req "
                  f"(= {result['rps_per_busy_core']:5.1f} req/s per busy core)  p50 {result['p50_ms']:6.1f} ms  "
                  f"p99 {result['p99_ms']:7.1f} ms  non-2xx {result['non_2xx']}  load {result['load_1min']:.2f}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    (OUT / "worker_pages.json").write_text(json.dumps({"at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                                "results": results}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
