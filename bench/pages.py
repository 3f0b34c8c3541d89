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
API by POST with a JSON body (the documented way) and by GET; the public
``/verify/`` page, its empty form and a check by its form (CSRF cookie and token
taken from a GET, as a browser does), then the bare view again: each ratio is
to the mean of the bare view's first and last runs. The verify rate
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
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import serve  # noqa: E402

ROOT, OUT = serve.ROOT, serve.OUT
BENCH_ENV = serve.bench_env(
    "pages", CONN_HEALTH_CHECKS="1", AUDIT_CHAIN_INLINE="0",
    # The limit stays on, raised so that one address can measure it.
    CERTIFICATE_VERIFY_RATE="100000000/minute", CERTIFICATE_VERIFY_PAGE_LIMIT="100000000")


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apps", type=int, nargs="+", default=[100, 10000])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8391)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/8")  # not 6: the tests' local Redis
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--db-prefix", default="portal_perf_pages",
                        help="scene databases are <prefix>_<n> (one prefix per person benching on a shared server)")
    parser.add_argument("--database", help="measure (or build) the scene in this database instead of "
                        "<prefix>_<n>, e.g. one's own; with a single --apps size")
    parser.add_argument("--only", nargs="*", help="measure only these targets (names in the table)")
    return parser.parse_args()


ARGS = parse() if __name__ == "__main__" else None


def environ(database: str, **extra) -> dict:
    return {**os.environ, **BENCH_ENV, "DATABASE_URL": f"{ARGS.server}/{database}", "REDIS_URL": ARGS.redis,
            **extra}


def run_python(code: str, database: str, *argv: str) -> str:
    return serve.run_python(code, environ(database), *argv)


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
    return ARGS.database or f"{ARGS.db_prefix}_{n}"


def build_scene(n: int) -> dict:
    meta = OUT / f"{database(n)}-scene-{n}.json"
    if not ARGS.rebuild and meta.exists() and serve.database_exists(ARGS.server, database(n)):
        run_python(serve.MIGRATE_CODE, database(n))  # a scene built before the newest migrations
        return json.loads(meta.read_text())
    print(f"building the scene of {n:,} applications in {database(n)} ...", flush=True)
    started = time.perf_counter()
    serve.admin_sql(ARGS.server, f"DROP DATABASE IF EXISTS {database(n)} WITH (FORCE)",
                    f"CREATE DATABASE {database(n)}")
    output = run_python(SCENE_CODE, database(n), str(n))
    scene = json.loads(output.strip().splitlines()[-1])
    scene["build_seconds"] = round(time.perf_counter() - started)
    OUT.mkdir(exist_ok=True)
    meta.write_text(json.dumps(scene))
    print(f"  built in {scene['build_seconds']} s", flush=True)
    return scene


# --- Serving and driving ----------------------------------------------------------------------

POST_LUA = """
wrk.method = "POST"
wrk.body = %s
wrk.headers["Content-Type"] = "application/json"
"""

FORM_LUA = """
wrk.method = "POST"
wrk.body = %s
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
"""


def verify_form(number: str, name: str) -> tuple[dict, str]:
    """The public /verify/ page's form as a browser sends it: the CSRF cookie and token of a GET."""
    from http.cookies import SimpleCookie
    from urllib.parse import urlencode

    with urllib.request.urlopen(f"http://127.0.0.1:{ARGS.port}/verify/", timeout=30) as response:  # noqa: S310
        html = response.read().decode()
        cookies = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    cookie = "; ".join(f"{k}={v.value}" for k, v in cookies.items())
    return {"Cookie": cookie}, urlencode({"csrfmiddlewaretoken": token, "number": number, "name": name})


def run_wrk(path: str, *, seconds: float, headers: dict | None = None, script: Path | None = None) -> dict:
    return serve.wrk_latency(serve.wrk(f"http://127.0.0.1:{ARGS.port}{path}", connections=ARGS.connections,
                                       seconds=seconds, headers=headers, script=script, latency=True))


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
    form_script = folder / "form.lua"
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
        ("verify page (GET)", "/verify/", {}, None),
        ("verify page (POST form)", "/verify/", "form", form_script),
    ]
    if ARGS.only:
        targets = [t for t in targets if t[0] in ARGS.only or t[0].startswith("bare")]
    if len(targets) > 2:
        # The yardstick again at the end: the ratios are taken against the mean of the two, and the
        # drift between them (the machine changing under the run) is printed beside the table.
        targets.append(("bare ok (end)", "/bench/ok/", {}, None))
    server = serve.start_gunicorn(ARGS.port, ARGS.workers, environ(db), hook="bench.pages_urls:serve_hook")
    rows = []
    try:
        serve.wait_until_serving(ARGS.port, "/bench/ok/")
        for name, path, headers, script in targets:
            if headers == "form":
                headers, form = verify_form(scene["number"], scene["name"])
                form_script.write_text(FORM_LUA % json.dumps(form), encoding="utf-8")
                check(path, {**headers, "Content-Type": "application/x-www-form-urlencoded"}, form.encode())
            elif script:
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
        serve.stop(server)
        shutil.rmtree(folder, ignore_errors=True)
    oks = [r["rps"] for r in rows if r["target"] in ("bare ok", "bare ok (end)")]
    ok = sum(oks) / len(oks)
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
    if not serve.port_free(ARGS.port):
        raise SystemExit(f"port {ARGS.port} is in use")
    if ARGS.database and len(ARGS.apps) != 1:
        raise SystemExit("--database takes a single --apps size")
    started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    rows = []
    for n in ARGS.apps:
        scene = build_scene(n)
        print(f"\n{n:,} applications (busiest expert: {scene['expert_assignments']} assignments); gunicorn "
              f"{ARGS.workers} sync workers, wrk -t2 -c{ARGS.connections} -d{ARGS.seconds:g}s --latency", flush=True)
        measured = measure(scene)
        rows += measured
        ends = [r["rps"] for r in measured if r["target"].startswith("bare ok")]
        if len(ends) == 2:
            print(f"  the bare view moved {ends[1] / ends[0]:.2f}× from the start to the end of this size's run; "
                  f"ratios are against the mean of the two", flush=True)
    print(f"\n{started}, {os.cpu_count()} cores\n")
    print(table(rows))
    flat = flatness(rows)
    if flat:
        print("\n" + flat)
    OUT.mkdir(exist_ok=True)
    (OUT / "pages.json").write_text(json.dumps({"started": started, "rows": rows}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
