"""Bench of pages and public verification as served (issue 15): gunicorn with
2 sync workers, the production settings and persistent connections, driven by
``wrk -t2 -c16 -d10s --latency``, against two yardsticks in the same gunicorn
and the same run: a bare Django view answering "ok" and a bare view doing one
indexed lookup of a certificate (``bench/pages_urls.py``, bench only).

    .venv/bin/python bench/pages.py                       # 100 and 10,000 applications
    .venv/bin/python bench/pages.py --apps 100 10000 100000
    .venv/bin/python bench/pages.py --apps 10000 --seconds 5 --rebuild

PostgreSQL and Redis only. Each size's scene is built once in its own database
(``portal_perf_pages_<n>``; ``--rebuild`` builds it again) from
``bench/review.py``'s scene builder: one committee, 90 experts, a call of
``n`` applications in evaluation with three experts each (drawn so that no
expert shares the applicant's employer) and two thirds of the scores
submitted, written with bulk inserts, and the counters recounted
(``tallies_rebuild``). One certificate is issued for the verify API.

Pages are driven with a logged-in session cookie (sessions written into the
database): the secretary's call dashboard and an application of the call, the
busiest expert's dashboard, an applicant's dashboard, ``/healthz``; the verify
API by POST with a JSON body (the documented way) and by GET. The verify rate
limit stays on, raised for the measurement. Prints rps, p50, p99 and the ratios
to the yardsticks, with the load average (the machine is shared: ratios within
one run are what count). Results go to ``bench/out/pages.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
BENCH_ENV = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "SECRET_KEY": "bench-pages-" + "k" * 60,
    "FIELD_ENCRYPTION_KEY": "YmVuY2gtcGVhay1maWVsZC1lbmNyeXB0aW9uLWtleSE=",
    "LOOKUP_HASH_KEY": "bench-pages-lookup-hash-key-0123456789",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_HSTS_SECONDS": "0",
    "CONN_MAX_AGE": "60",
    "CONN_HEALTH_CHECKS": "1",
    "LOG_LEVEL": "WARNING",
    "MEDIA_ROOT": str(ROOT / "var" / "bench-pages-media"),
    "CELERY_TASK_ALWAYS_EAGER": "0",
    "AUDIT_CHAIN_INLINE": "0",
    # The limit stays on, raised so that one address can measure it.
    "CERTIFICATE_VERIFY_RATE": "100000000/minute",
    "CERTIFICATE_VERIFY_PAGE_LIMIT": "100000000",
}


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apps", type=int, nargs="+", default=[100, 10000])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8391)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/6")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--database", help="measure (or build) the scene in this database instead of "
                        "portal_perf_pages_<n>, e.g. one's own; with a single --apps size")
    parser.add_argument("--only", nargs="*", help="measure only these targets (names in the table)")
    return parser.parse_args()


ARGS = parse() if __name__ == "__main__" else None


def environ(database: str, **extra) -> dict:
    return {**os.environ, **BENCH_ENV, "DATABASE_URL": f"{ARGS.server}/{database}", "REDIS_URL": ARGS.redis,
            **extra}


def admin_sql(*statements: str) -> None:
    import psycopg2

    conn = psycopg2.connect(f"{ARGS.server}/postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    conn.close()


def database_exists(name: str) -> bool:
    import psycopg2

    conn = psycopg2.connect(f"{ARGS.server}/postgres")
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        found = cursor.fetchone() is not None
    conn.close()
    return found


def run_python(code: str, database: str, *argv: str) -> str:
    result = subprocess.run([sys.executable, "-c", code, *argv], cwd=ROOT, env=environ(database),
                            capture_output=True, text=True)
    if result.returncode:
        sys.stderr.write(result.stderr[-5000:])
        raise SystemExit(f"a bench step failed (exit {result.returncode})")
    return result.stdout


# --- The scene ----------------------------------------------------------------------------

SCENE_CODE = r"""
import importlib.util, json, sys, datetime as dt
spec = importlib.util.spec_from_file_location("bench_review", "bench/review.py")
scene_builder = importlib.util.module_from_spec(spec)
spec.loader.exec_module(scene_builder)   # bench/review.py: django.setup() with our environment
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from applications.models import Application, ApplicationStatus
from review.models import Assignment, ExpertProfile
from review.services.tallies import tallies_rebuild
from portal.audit import audit_chain_seal

n = int(sys.argv[1])
scene_builder.fresh_database()
scene = scene_builder.build(n)
call = scene["calls"]["big"]
# Into evaluation and drawn in bulk (the services do one locked, audited step per application:
# minutes at 10k); three experts each, none sharing the applicant's employer.
profiles = list(ExpertProfile.objects.filter(committee=scene["committee"]).order_by("pk")
                .values_list("pk", "user_id", "user__employments__employer_id"))
now = timezone.now()
with transaction.atomic():
    Application.objects.filter(call=call).update(status=ApplicationStatus.IN_EVALUATION)
    apps = list(Application.objects.filter(call=call).order_by("pk").values_list("pk", "employer_id"))
    rows = []
    for i, (app_id, employer_id) in enumerate(apps):
        chosen, k = [], 0
        while len(chosen) < 3:
            pk, user_id, expert_employer = profiles[(i * 3 + k) % len(profiles)]
            k += 1
            if expert_employer != employer_id and user_id not in [c[1] for c in chosen]:
                chosen.append((pk, user_id))
        rows += [Assignment(application_id=app_id, expert_id=pk, expert_user_id=user_id, drawn_at=now)
                 for pk, user_id in chosen]
    Assignment.objects.bulk_create(rows, batch_size=5000)
scene_builder.score_two_thirds(call)
tallies_rebuild(call_id=call.pk)
tallies_rebuild(call_id=scene["calls"]["small"].pk)
# One certificate for the verify API.
from applications.models import Specialty, TitleSeries
from certificates import services as certificates
from portal.models import Region
holder = Application.objects.filter(call=call).order_by("pk").first().applicant
from stdnum.cn import ric
body = "65010219900101" + "777"
holder.set_id_number(body + ric.calc_check_digit(body + "0"))
holder.save()
series = TitleSeries.objects.get(code="engineering")
certificate = certificates.certificate_issue(
    grant_key="bench:pages:1", holder=holder, series=series,
    specialty=Specialty.objects.get(series=series, code="electrical"), level="intermediate", title_name="工程师",
    method="review", granting_body_name="BENCH 工程系列中级评委会",
    granting_body_region=Region.objects.get(code="650100"),
    filing_number="BENCH-1", approval_number="BENCH-A-1", date_granted=dt.date(2026, 1, 5), actor=None,
    enqueue_render=False)
busiest = (Assignment.objects.filter(status="active").values("expert_user").annotate(n=Count("pk"))
           .order_by("-n").first())
while audit_chain_seal(wait=True):
    pass
with connection.cursor() as cursor:
    cursor.execute("VACUUM ANALYZE")
application = Application.objects.filter(call=call).order_by("pk")[n // 2]
print(json.dumps({"apps": n, "call": call.pk, "application": application.pk, "secretary": scene["secretary"].pk,
                  "expert": busiest["expert_user"], "expert_assignments": busiest["n"],
                  "applicant": holder.pk, "number": certificate.number, "name": holder.real_name}))
"""

SESSIONS_CODE = r"""
import django, json, sys, secrets
django.setup()
import datetime as dt
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from portal.models import User

store, out, rows = SessionStore(), {}, []
expire = timezone.now() + dt.timedelta(minutes=30)
for user in User.objects.filter(pk__in=json.loads(sys.argv[1])).only("pk", "password"):
    key = secrets.token_hex(16)
    data = {SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: "portal.backends.MobileOrIdNumberBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(), "_refreshed": int(timezone.now().timestamp())}
    rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
    out[user.pk] = key
Session.objects.bulk_create(rows)
print(json.dumps({"cookie": settings.SESSION_COOKIE_NAME, "sessions": out}))
"""


def database(n: int) -> str:
    return ARGS.database or f"portal_perf_pages_{n}"


def build_scene(n: int) -> dict:
    meta = OUT / (f"pages-scene-{ARGS.database}-{n}.json" if ARGS.database else f"pages-scene-{n}.json")
    if not ARGS.rebuild and meta.exists() and database_exists(database(n)):
        return json.loads(meta.read_text())
    print(f"building the scene of {n:,} applications in {database(n)} ...", flush=True)
    started = time.perf_counter()
    admin_sql(f"DROP DATABASE IF EXISTS {database(n)} WITH (FORCE)", f"CREATE DATABASE {database(n)}")
    output = run_python(SCENE_CODE, database(n), str(n))
    scene = json.loads(output.strip().splitlines()[-1])
    scene["build_seconds"] = round(time.perf_counter() - started)
    OUT.mkdir(exist_ok=True)
    meta.write_text(json.dumps(scene))
    print(f"  built in {scene['build_seconds']} s", flush=True)
    return scene


# --- Serving and driving ----------------------------------------------------------------------

SERVE_CODE = r"""
import sys
import django
django.setup()
from django.conf import settings
settings.ROOT_URLCONF = "bench.pages_urls"   # the portal's URLs and the two yardsticks
# Static files from the source folders (production reads a manifest written by collectstatic,
# which the bench does not run): the same URLs, one dictionary look-up less.
settings.STORAGES = {**settings.STORAGES,
                     "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
from django.core.wsgi import get_wsgi_application
from gunicorn.app.base import BaseApplication

application = get_wsgi_application()
from django.urls import get_resolver
get_resolver().url_patterns  # import every view before the workers fork

class Serve(BaseApplication):
    def load_config(self):
        self.cfg.set("bind", f"127.0.0.1:{sys.argv[1]}")
        self.cfg.set("workers", int(sys.argv[2]))
        self.cfg.set("worker_class", "sync")
        self.cfg.set("preload_app", True)
        self.cfg.set("backlog", 2048)
        self.cfg.set("accesslog", None)
        self.cfg.set("loglevel", "warning")

    def load(self):
        return application

Serve().run()
"""

POST_LUA = """
wrk.method = "POST"
wrk.body = %s
wrk.headers["Content-Type"] = "application/json"
"""


def port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def wait_until_serving(port: int, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/ok/", timeout=2):  # noqa: S310
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not start")


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(path: str, *, seconds: float, headers: dict | None = None, script: Path | None = None) -> dict:
    command = ["wrk", "-t2", f"-c{ARGS.connections}", f"-d{seconds:g}s", "--latency", "--timeout", "10s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", str(script)]
    command.append(f"http://127.0.0.1:{ARGS.port}{path}")
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99, "non_2xx": int(bad.group(1)) if bad else 0,
            "socket_errors": errors.group(1).strip() if errors else ""}


def check(path: str, headers: dict, body: bytes | None = None) -> None:
    """Each target answers 200 with the session before it is measured."""
    request = urllib.request.Request(f"http://127.0.0.1:{ARGS.port}{path}", data=body, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        if response.status != 200:
            raise SystemExit(f"{path}: HTTP {response.status}")


def measure(scene: dict) -> list[dict]:
    db = database(scene["apps"])
    users = [scene["secretary"], scene["expert"], scene["applicant"]]
    sessions = json.loads(run_python(SESSIONS_CODE, db, json.dumps(users)).strip().splitlines()[-1])
    cookie = {pk: {"Cookie": f"{sessions['cookie']}={key}"} for pk, key in sessions["sessions"].items()}
    folder = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    body = json.dumps({"number": scene["number"], "name": scene["name"]}, ensure_ascii=False)
    post_script = folder / "post.lua"
    post_script.write_text(POST_LUA % json.dumps(body, ensure_ascii=False), encoding="utf-8")
    from urllib.parse import urlencode

    query = urlencode({"number": scene["number"], "name": scene["name"]})
    targets = [
        ("bare ok", "/bench/ok/", {}, None),
        ("bare lookup", f"/bench/lookup/?number={scene['number']}", {}, None),
        ("verify API (POST JSON)", "/api/v1/certificates/verify/", {}, post_script),
        ("verify API (GET)", f"/api/v1/certificates/verify/?{query}", {}, None),
        ("call dashboard", f"/review/calls/{scene['call']}/", cookie[str(scene["secretary"])], None),
        ("application (secretary)", f"/review/calls/{scene['call']}/applications/{scene['application']}/",
         cookie[str(scene["secretary"])], None),
        ("expert dashboard", "/review/expert/", cookie[str(scene["expert"])], None),
        ("applicant dashboard", "/applications/", cookie[str(scene["applicant"])], None),
        ("/healthz", "/healthz", {}, None),
    ]
    if ARGS.only:
        targets = [t for t in targets if t[0] in ARGS.only or t[0].startswith("bare")]
    server = subprocess.Popen([sys.executable, "-c", SERVE_CODE, str(ARGS.port), str(ARGS.workers)], cwd=ROOT,
                              env=environ(db), start_new_session=True)
    rows = []
    try:
        wait_until_serving(ARGS.port)
        for name, path, headers, script in targets:
            if script:
                check(path, {**headers, "Content-Type": "application/json"}, body.encode())
            else:
                check(path, headers)
            run_wrk(path, seconds=2, headers=headers, script=script)  # warm
            load = os.getloadavg()[0]
            result = run_wrk(path, seconds=ARGS.seconds, headers=headers, script=script)
            rows.append({"apps": scene["apps"], "target": name, "path": path.split("?")[0], **result,
                         "load": round(load, 1)})
            print(f"  {name:<26} {result['rps']:>9,.0f} rps  p50 {result['p50_ms']:>7.2f} ms  "
                  f"p99 {result['p99_ms']:>8.2f} ms  non-2xx {result['non_2xx']}  load {load:.1f}", flush=True)
    finally:
        stop(server)
        shutil.rmtree(folder, ignore_errors=True)
    ok = next(r["rps"] for r in rows if r["target"] == "bare ok")
    lookup = next(r["rps"] for r in rows if r["target"] == "bare lookup")
    for row in rows:
        row["x_ok"] = row["rps"] / ok
        row["x_lookup"] = row["rps"] / lookup
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| applications | target | rps | p50 ms | p99 ms | × bare ok | × bare lookup | load avg |",
             "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        lines.append(f"| {r['apps']:,} | {r['target']} | {r['rps']:,.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | "
                     f"{r['x_ok']:.3f} | {r['x_lookup']:.2f} | {r['load']} |")
    return "\n".join(lines)


def flatness(rows: list[dict]) -> str:
    sizes = sorted({r["apps"] for r in rows})
    if len(sizes) < 2:
        return ""
    small = sizes[0]
    lines = ["| target | " + " | ".join(f"× bare ok at {n:,}" for n in sizes) + f" | largest vs {small:,} |",
             "| --- | " + " | ".join("---:" for _ in sizes) + " | ---: |"]
    for target in dict.fromkeys(r["target"] for r in rows):
        cells = {r["apps"]: r["x_ok"] for r in rows if r["target"] == target}
        if len(cells) < len(sizes):
            continue
        lines.append(f"| {target} | " + " | ".join(f"{cells[n]:.3f}" for n in sizes)
                     + f" | {cells[small] / cells[sizes[-1]]:.2f}× slower |")
    return "\n".join(lines)


def main() -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed (Debian package wrk)")
    if not port_free(ARGS.port):
        raise SystemExit(f"port {ARGS.port} is in use")
    if ARGS.database and len(ARGS.apps) != 1:
        raise SystemExit("--database takes a single --apps size")
    started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    rows = []
    for n in ARGS.apps:
        scene = build_scene(n)
        print(f"\n{n:,} applications (busiest expert: {scene['expert_assignments']} assignments); gunicorn "
              f"{ARGS.workers} sync workers, wrk -t2 -c{ARGS.connections} -d{ARGS.seconds:g}s --latency", flush=True)
        rows += measure(scene)
    print(f"\n{started}, {os.cpu_count()} cores\n")
    print(table(rows))
    flat = flatness(rows)
    if flat:
        print("\n" + flat)
    OUT.mkdir(exist_ok=True)
    (OUT / "pages.json").write_text(json.dumps({"started": started, "rows": rows}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
