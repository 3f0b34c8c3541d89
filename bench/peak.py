"""Bench of the deadline peak (issue 15): the writes of a call's last day with
and without the audit trail's append, and with the append as it was before
(every writer locking the chain head until it commits).

    .venv/bin/python bench/peak.py                 # both parts below
    .venv/bin/python bench/peak.py micro           # transactions in threads, the issue's table
    .venv/bin/python bench/peak.py served          # through gunicorn, driven by wrk
    .venv/bin/python bench/peak.py served --rebuild --applicants 5000 --seconds 20 --workers 8
    .venv/bin/python bench/peak.py cpu --modes sealed  # one autosave in process (CPU, queries)

Three ways of appending, each measured on a fresh copy of the same scene:

- ``none``: no audit event at all (the yardstick);
- ``inline``: the design before (``AUDIT_CHAIN_INLINE=1``): every writer chains its
  event under the chain head's row lock, held until it commits;
- ``sealed``: the design now: writers only insert their event; ``manage.py
  audit_sequencer`` (started by the bench, its own process) chains them in commit
  order. After the run the bench waits for the chain to catch up and verifies it;
- ``deferred`` (only with ``--modes``): as ``sealed``, but the sequencer starts after
  the run: what the writers pay themselves, without the sequencer beside them.
- ``floor`` (only with ``--modes``): the bare write, the yardstick of the machine: the same
  autosaves through ``bench/peak_urls.py``'s view (the portal's middleware, session and CSRF,
  then one transaction that locks the applicant's draft and writes its summary, 204; no DRF, no
  validation, no audit event, no answer), and no submissions or decisions. No autosave through
  the API can be faster than this on the same machine.

``micro``: threads, each on its own connection, run transactions that lock and
update one draft application, record its ``application.edit`` event (not in
``none``) and then spend 2 ms more before committing; from 1, 8 and 32 threads.

``served``: gunicorn (sync workers, persistent connections, the production
settings) serves the API; ``wrk`` drives a mix over ``--connections``
connections with no think time (so it measures capacity): applicants
autosaving their drafts (``PATCH /api/v1/applications/<id>/``, each save a new
summary, the browser's autosave), applicants submitting with the integrity
pledge, and enterprise HR officers approving submitted applications. Autosaves send
``Prefer: return=minimal`` as the browser does (a 204, no body); ``--full-answer`` leaves it out
(the application back, as other API clients get it). At one
autosave every few seconds per applicant, N writes/s is the peak of about
3×N applicants saving at once. Celery tasks go to Redis and are not run.

``cpu``: one autosave measured in process, robust to a shared machine (as ``bench/cpu.py`` does for
pages): Django's WSGI handler called directly with the production settings, on a copy of the scene
in ``--database``, each request a ``PATCH`` with a session cookie and a CSRF token, round robin over
``--savers`` applicants, each save a new summary. It prints CPU and wall time per autosave and its
queries and the CPU its PostgreSQL backend spent (planning included; a server on this machine), with
``--profile`` cProfile's top functions, and writes the first answer's body to
``bench/out/peak-cpu-body.json`` (to compare the answer before and after a change) and its SQL to
``bench/out/peak-cpu-queries.sql``. Under
callgrind it counts instructions (the first of ``--modes`` only)::

    valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.%p --collect-atstart=no \\
        --toggle-collect=functools_reduce .venv/bin/python bench/peak.py cpu --modes sealed \\
        --database portal_autosave_cpu --redis redis://127.0.0.1:6379/4 -n 10 --callgrind
    # "Collected" divided by n: instructions per autosave

PostgreSQL only. The scene (the demo data, ``--submitters`` complete drafts,
``--deciders`` submitted applications, ``--applicants`` drafts for autosaving,
one session each) is built once in ``portal_bench_peak_scene`` (``--rebuild``
builds it again) and each measurement runs on a copy made with ``CREATE
DATABASE … TEMPLATE``. Results go to ``bench/out/peak-<part>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import shutil
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import serve  # noqa: E402

ROOT, OUT = serve.ROOT, serve.OUT
SERVER = "postgres://postgres@127.0.0.1:5432"
SCENE_DB = "portal_bench_peak_scene"
RUN_DB = "portal_bench_peak_run"
MODES = ("none", "inline", "sealed")
KNOWN_MODES = (*MODES, "deferred", "floor")
BENCH_ENV = serve.bench_env("peak")
SUMMARY = "长期从事装备制造领域的设计与工艺改进，主持完成多项技术攻关。"


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("part", nargs="?", choices=["micro", "served", "cpu", "all"], default="all")
    parser.add_argument("--server", default=os.environ.get("BENCH_PEAK_SERVER", SERVER),
                        help="PostgreSQL server URL without a database name")
    parser.add_argument("--redis", default=os.environ.get("BENCH_PEAK_REDIS", "redis://127.0.0.1:6379/7"))
    parser.add_argument("--rebuild", action="store_true", help="build the scene again")
    parser.add_argument("--applicants", type=int, default=3000, help="drafts being autosaved")
    parser.add_argument("--submitters", type=int, default=300, help="complete drafts that are submitted")
    parser.add_argument("--deciders", type=int, default=300, help="submitted applications an HR officer approves")
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--threads", default="1,8,32", help="micro: thread counts")
    parser.add_argument("--work-ms", type=float, default=2.0, help="micro: more work in each transaction")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each measurement")
    parser.add_argument("--workers", type=int, default=8, help="served: gunicorn sync workers")
    parser.add_argument("--connections", type=int, default=32, help="served: wrk connections")
    parser.add_argument("--port", type=int, default=8761)
    parser.add_argument("--sequencer-interval", type=float, default=0.25)
    parser.add_argument("--database", default="portal_bench_peak_cpu", help="cpu: the scene's copy it writes to")
    parser.add_argument("-n", type=int, default=200, help="cpu: autosaves measured")
    parser.add_argument("--savers", type=int, default=20, help="cpu: applicants autosaving in turn")
    parser.add_argument("--profile", action="store_true", help="cpu: print cProfile's top functions")
    parser.add_argument("--sort", default="cumulative", help="cpu: cProfile's order (cumulative, tottime)")
    parser.add_argument("--top", type=int, default=45, help="cpu: how many of cProfile's functions to print")
    parser.add_argument("--callers", help="cpu: print the callers of the functions matching this")
    parser.add_argument("--full-answer", action="store_true",
                        help="autosave without Prefer: return=minimal (the browser sends it): the application back")
    parser.add_argument("--callgrind", action="store_true",
                        help="cpu: run the n autosaves inside functools.reduce (callgrind's toggle), print little")
    return parser.parse_args()


ARGS = parse() if __name__ == "__main__" else None


def environ(database: str, **extra) -> dict:
    env = {**os.environ, **BENCH_ENV, "DATABASE_URL": f"{ARGS.server}/{database}", "REDIS_URL": ARGS.redis,
           **extra}
    return env


def admin_sql(*statements: str) -> None:
    serve.admin_sql(ARGS.server, *statements)


def database_exists(name: str) -> bool:
    return serve.database_exists(ARGS.server, name)


def copy_scene() -> None:
    admin_sql(f"DROP DATABASE IF EXISTS {RUN_DB} WITH (FORCE)", f"CREATE DATABASE {RUN_DB} TEMPLATE {SCENE_DB}")
    migrate(RUN_DB)


def migrate(database: str) -> None:
    """The code's migrations applied to a copy of the scene (a scene built before a migration has
    not got it; nothing to do when it has)."""
    run_python(serve.MIGRATE_CODE, database)


def run_python(code: str, database: str, **extra) -> str:
    """Run Django code in a child process (its own settings and connections)."""
    return serve.run_python(code, environ(database, **extra))


# --- The scene ----------------------------------------------------------------------------

SCENE_CODE = r"""
import django, json, sys
django.setup()
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from applications.demo import _Walk, _bodies, _education, _person, _title
from applications.models import Application
from portal.audit import audit_chain_seal
from portal.models import User

args = json.loads('%(args)s')
call_command("migrate", verbosity=0)
call_command("demo_data", verbosity=0, stdout=open("/dev/null", "w"))
b = _bodies()
w = _Walk(b)
enterprise = b["enterprise"]
submitters, deciders = [], []
serials = iter(range(300, 1000))  # (ID numbers: serials below 1000; the demo's own people hold a few of them)


def person(i):
    for serial in serials:
        try:
            with transaction.atomic():
                return _person(f"1660{i:07d}", f"冲刺申请人{i}", serial, enterprise)
        except ValidationError:
            continue
    raise SystemExit("no free ID number serial left")


for i in range(args["submitters"] + args["deciders"]):
    user = person(i)
    _education(user)
    _title(user)
    application = w.draft(user)
    if i < args["submitters"]:
        submitters.append((user.pk, application.pk))
    else:
        w.submit(application)
        deciders.append(application.pk)
# Drafts for autosaving: one person each, the same fields as a demo draft.
template = Application.objects.filter(pk=submitters[0][1]).values().get()
users = User.objects.bulk_create([User(mobile=f"1670{i:07d}", real_name=f"自动保存{i}", password="!")
                                  for i in range(args["applicants"])], batch_size=5000)
rows = []
for user in users:
    values = {k: v for k, v in template.items() if k not in ("id", "applicant_id")}
    rows.append(Application(applicant_id=user.pk, **values))
with transaction.atomic():
    drafts = Application.objects.bulk_create(rows, batch_size=5000)
while audit_chain_seal(wait=True):
    pass
with connection.cursor() as cursor:
    cursor.execute("VACUUM ANALYZE")
print(json.dumps({"submitters": submitters, "deciders": deciders, "hr": b["hr"].pk,
                  "autosavers": [[d.applicant_id, d.pk] for d in drafts]}))
"""


def build_scene() -> dict:
    if ARGS.submitters + ARGS.deciders > 690:
        raise SystemExit("--submitters plus --deciders is at most 690 (the demo's ID numbers)")
    meta = OUT / "peak-scene.json"
    if not ARGS.rebuild and database_exists(SCENE_DB) and meta.exists():
        scene = json.loads(meta.read_text())
        if ARGS.part == "cpu" or (len(scene["autosavers"]), len(scene["submitters"]), len(scene["deciders"])) == (
                ARGS.applicants, ARGS.submitters, ARGS.deciders):  # (cpu: any scene has drafts to save)
            return scene
    print(f"building the scene in {SCENE_DB} (the demo data, {ARGS.submitters} complete drafts, "
          f"{ARGS.deciders} submitted applications, {ARGS.applicants} drafts) ...", flush=True)
    started = time.perf_counter()
    admin_sql(f"DROP DATABASE IF EXISTS {RUN_DB} WITH (FORCE)", f"DROP DATABASE IF EXISTS {SCENE_DB} WITH (FORCE)",
              f"CREATE DATABASE {SCENE_DB}")
    shutil.rmtree(BENCH_ENV["MEDIA_ROOT"], ignore_errors=True)
    args = json.dumps({"applicants": ARGS.applicants, "submitters": ARGS.submitters, "deciders": ARGS.deciders})
    output = run_python(SCENE_CODE % {"args": args}, SCENE_DB, AUDIT_CHAIN_INLINE="0")
    scene = json.loads(output.strip().splitlines()[-1])
    OUT.mkdir(exist_ok=True)
    meta.write_text(json.dumps(scene))
    print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
    return scene


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

ids = json.loads(open(sys.argv[1]).read())
store = SessionStore()
expire = timezone.now() + dt.timedelta(hours=2)
out, rows = {}, []
for user in User.objects.filter(pk__in=ids).only("pk", "password"):
    key = secrets.token_hex(16)
    data = {SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: "portal.backends.MobileOrIdNumberBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash()}
    rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
    out[user.pk] = key
Session.objects.bulk_create(rows, batch_size=5000)
print(json.dumps({"cookie": settings.SESSION_COOKIE_NAME, "csrf_cookie": settings.CSRF_COOKIE_NAME,
                  "sessions": out}))
"""


def make_sessions(user_ids: list[int]) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(sorted(set(user_ids)), handle)
    try:
        output = subprocess.run([sys.executable, "-c", SESSIONS_CODE, handle.name], cwd=ROOT, env=environ(RUN_DB),
                                check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(handle.name)
    data = json.loads(output.strip().splitlines()[-1])
    data["sessions"] = {int(k): v for k, v in data["sessions"].items()}
    return data


# --- The sequencer ---------------------------------------------------------------------------

def start_sequencer() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "manage.py", "audit_sequencer", "--interval",
                             str(ARGS.sequencer_interval), "--report-every", "3600"], cwd=ROOT,
                            env=environ(RUN_DB, LOG_LEVEL="WARNING"), start_new_session=True)


stop = serve.stop


CHAIN_CODE = r"""
import django, json, time
django.setup()
from portal.audit import chain_backlog, verify_chain
started = time.perf_counter()
while chain_backlog().count:
    time.sleep(0.05)
drained = time.perf_counter() - started
checked, broken = verify_chain()
print(json.dumps({"drain_seconds": round(drained, 2), "chained": checked, "broken": str(broken) if broken else None}))
"""


def process_cpu(pid: int) -> float:
    """CPU seconds a process of this machine has used (from /proc; NaN if it cannot be read)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def chain_report() -> dict:
    return json.loads(run_python(CHAIN_CODE, RUN_DB).strip().splitlines()[-1])


def mode_env(mode: str) -> dict:
    return {"AUDIT_CHAIN_INLINE": "1" if mode == "inline" else "0", "BENCH_PEAK_AUDIT": mode}


def modes() -> list[str]:
    chosen = [m for m in ARGS.modes.split(",") if m]
    unknown = set(chosen) - set(KNOWN_MODES)
    if unknown:
        raise SystemExit(f"unknown modes: {', '.join(sorted(unknown))}")
    return chosen


# --- micro: transactions in threads -------------------------------------------------------

MICRO_CODE = r"""
import django, json, os, random, sys, threading, time
django.setup()
from django.db import connections, transaction
from applications.models import Application
import portal.audit
from portal.audit import audit_record
from portal.models import User

threads, seconds, work = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]) / 1000
drafts = json.loads(sys.argv[4])
if os.environ["BENCH_PEAK_AUDIT"] == "none":
    portal.audit._append = lambda events: None
users = {u.pk: u for u in User.objects.filter(pk__in=[a for a, _ in drafts])}
counts = [0] * threads
start, stop = threading.Barrier(threads + 1), threading.Event()

def worker(index):
    mine = drafts[index::threads]
    rng = random.Random(index)
    start.wait()
    n = 0
    while not stop.is_set():
        applicant_id, pk = mine[rng.randrange(len(mine))]
        with transaction.atomic():
            application = Application.objects.select_for_update().get(pk=pk)
            before = application.summary
            application.summary = f"{before[:40]}{n}"
            application.save(update_fields=["summary"])
            audit_record(actor=users[applicant_id], action="application.edit", obj=application,
                         before={"summary": before}, after={"summary": application.summary})
            time.sleep(work)
        n += 1
    counts[index] = n
    connections.close_all()

pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
for t in pool:
    t.start()
start.wait()
began = time.perf_counter()
time.sleep(seconds)
stop.set()
for t in pool:
    t.join()
print(json.dumps({"writes": sum(counts), "seconds": time.perf_counter() - began}))
"""


def micro(scene: dict) -> list[dict]:
    chosen = modes()
    threads = [int(t) for t in ARGS.threads.split(",")]
    drafts = scene["autosavers"]
    rows = []
    print(f"\nmicro: lock and update one draft, record its event, {ARGS.work_ms:g} ms more, commit "
          f"({ARGS.seconds:g} s each)")
    print(f"  {'threads':>7} | " + " | ".join(f"{m:>14}" for m in chosen))
    for count in threads:
        cells = {}
        for mode in chosen:
            copy_scene()
            sequencer = start_sequencer() if mode == "sealed" else None
            try:
                output = subprocess.run(
                    [sys.executable, "-c", MICRO_CODE, str(count), str(ARGS.seconds), str(ARGS.work_ms),
                     json.dumps(drafts)], cwd=ROOT, env=environ(RUN_DB, **mode_env(mode)), check=True,
                    capture_output=True, text=True).stdout
            finally:
                if mode == "deferred":
                    sequencer = start_sequencer()
                if sequencer:
                    chain = chain_report()
                    stop(sequencer)
            result = json.loads(output.strip().splitlines()[-1])
            rate = result["writes"] / result["seconds"]
            row = {"part": "micro", "threads": count, "mode": mode, "writes": result["writes"],
                   "seconds": round(result["seconds"], 2), "writes_per_s": round(rate, 1)}
            if sequencer:
                row.update(chain)
            cells[mode] = row
            rows.append(row)
        print(f"  {count:>7} | " + " | ".join(f"{cells[m]['writes_per_s']:>8,.0f} w/s" for m in chosen)
              + ratio_text(cells), flush=True)
    return rows


def ratio_text(cells: dict) -> str:
    if "none" not in cells:
        return ""
    base = cells["none"]["writes_per_s"] or 1
    parts = [f"{m} {cells[m]['writes_per_s'] / base:.2f}x" for m in cells if m != "none"]
    chain = cells.get("sealed")
    if chain and "drain_seconds" in chain:
        parts.append(f"chain caught up {chain['drain_seconds']} s after, "
                     f"{'intact' if not chain['broken'] else chain['broken']}")
    return "   (" + "; ".join(parts) + ")"


# --- served: gunicorn and wrk ----------------------------------------------------------------

def serve_hook(application) -> None:
    """``bench/serve.py``'s hook: the yardstick mode serves the same writes without their audit events."""
    if os.environ.get("BENCH_PEAK_AUDIT") in ("none", "floor"):
        import portal.audit

        portal.audit._append = lambda events: None
    if os.environ.get("BENCH_PEAK_AUDIT") == "floor":
        from django.conf import settings

        settings.ROOT_URLCONF = "bench.peak_urls"


LUA = r"""
-- The deadline peak: applicants autosave and submit, HR officers approve.
local data = dofile("%(data)s")
local thread_index = 0  -- (in the main state, numbering the threads)
local counter = 0
local autosave, submit, decide = {}, {}, {}
local pos = {autosave = 0, submit = 0, decide = 0}
local warm = false

function setup(thread)
  thread:set("index", thread_index)
  thread_index = thread_index + 1
  thread:set("nthreads", %(threads)d)
end

local function part(list, index, count)
  local mine = {}
  for i = index + 1, #list, count do mine[#mine + 1] = list[i] end
  return mine
end

function init(args)
  warm = args[1] == "warm"
  autosave = part(data.autosave, index, nthreads)
  submit = part(data.submit, index, nthreads)
  decide = part(data.decide, index, nthreads)
end

local function headers(session)
  return {["Cookie"] = data.cookie .. "=" .. session[1] .. "; " .. data.csrf_cookie .. "=" .. data.csrf,
          ["X-CSRFToken"] = data.csrf, ["Content-Type"] = "application/json", ["Host"] = "127.0.0.1"}
end

local function next_of(name, list)
  pos[name] = pos[name] + 1
  return list[pos[name]]
end

function request()
  counter = counter + 1
  if not warm then
    if counter %% %(submit_every)d == 0 and pos.submit < #submit then
      local s = next_of("submit", submit)
      return wrk.format("POST", "/api/v1/applications/" .. s[2] .. "/submit/", headers(s),
                        '{"pledge_accepted": true}')
    end
    if counter %% %(decide_every)d == 1 and pos.decide < #decide then
      local s = next_of("decide", decide)
      return wrk.format("POST", "/api/v1/applications/" .. s[2] .. "/decide/", headers(s),
                        '{"action": "employer_approve"}')
    end
  end
  if pos.autosave >= #autosave then pos.autosave = 0 end
  local s = next_of("autosave", autosave)
  local h = headers(s)
  if %(minimal)s then h["Prefer"] = "return=minimal" end  -- as the browser's autosave asks
  return wrk.format("PATCH", "%(autosave_prefix)s" .. s[2] .. "/", h,
                    '{"summary": "%(summary)s' .. index .. "-" .. counter .. '"}')
end

function done(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d\n", summary.requests, summary.errors.status,
                         summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
                         latency:percentile(50), latency:percentile(99), summary.duration))
end
"""


def lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_wrk_files(scene: dict, sessions: dict, folder: Path, mode: str = "") -> Path:
    csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    s = sessions["sessions"]

    def entries(pairs):
        return "{" + ",".join(f"{{{lua_string(s[user])},{int(app)}}}" for user, app in pairs) + "}"

    autosavers = list(scene["autosavers"])
    random.Random(7).shuffle(autosavers)
    hr = scene["hr"]
    data = folder / "peak-data.lua"
    data.write_text(
        f"return {{cookie={lua_string(sessions['cookie'])}, csrf_cookie={lua_string(sessions['csrf_cookie'])}, "
        f"csrf={lua_string(csrf)}, autosave={entries(autosavers)}, submit={entries(scene['submitters'])}, "
        f"decide={entries([(hr, app) for app in scene['deciders']])}}}\n")
    # Spread the submissions and decisions over the run: about 2 % and 3 % of the requests.
    script = folder / "peak.lua"
    floor = mode == "floor"  # the bare write: autosaves only, through the bench's own view
    script.write_text(LUA % {"data": data, "threads": 2, "submit_every": 10**9 if floor else 50,
                             "decide_every": 10**9 if floor else 33, "summary": SUMMARY,
                             "autosave_prefix": "/bench/write/" if floor else "/api/v1/applications/",
                             "minimal": "false" if ARGS.full_answer else "true"})
    return script


def run_wrk(script: Path, seconds: float, *extra: str) -> dict:
    output = serve.wrk(f"http://127.0.0.1:{ARGS.port}/", connections=ARGS.connections, seconds=seconds,
                       script=script, script_args=extra)
    match = re.search(r"RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)", output)
    requests, bad, socket_errors, p50, p99, micros = (int(x) for x in match.groups())
    return {"requests": requests, "non_2xx": bad, "socket_errors": socket_errors, "seconds": micros / 1e6,
            "rps": requests / (micros / 1e6), "writes_per_s": (requests - bad) / (micros / 1e6),
            "p50_ms": p50 / 1000, "p99_ms": p99 / 1000}


COUNT_CODE = r"""
import django, json
django.setup()
from applications.models import Application
from portal.models import AuditEvent
print(json.dumps({"submitted": Application.objects.filter(submitted_at__isnull=False).count(),
                  "approved": Application.objects.filter(publicity_ends_on__isnull=False).count(),
                  "events": AuditEvent.objects.count()}))
"""


def served(scene: dict) -> list[dict]:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed (Debian package wrk)")
    if not serve.port_free(ARGS.port):
        raise SystemExit(f"port {ARGS.port} is in use")
    chosen = modes()
    rows = []
    print(f"\nserved: gunicorn, {ARGS.workers} sync workers; wrk -t2 -c{ARGS.connections} -d{ARGS.seconds:g}s; "
          f"{len(scene['autosavers'])} applicants autosaving, {len(scene['submitters'])} submitting, "
          f"{len(scene['deciders'])} applications for HR to approve")
    print(f"  {'mode':>8} | {'writes/s':>8} | {'p50 ms':>7} | {'p99 ms':>7} | {'non-2xx':>7} | {'timeouts':>8} | "
          "submitted | approved | events | chain")
    folder = Path(tempfile.mkdtemp(prefix="bench-peak-"))
    users = ([u for u, _a in scene["autosavers"]] + [u for u, _a in scene["submitters"]] + [scene["hr"]])
    try:
        for mode in chosen:
            copy_scene()
            before = json.loads(run_python(COUNT_CODE, RUN_DB).strip().splitlines()[-1])
            sessions = make_sessions(users)
            script = write_wrk_files(scene, sessions, folder, mode)
            sequencer = start_sequencer() if mode == "sealed" else None
            server = serve.start_gunicorn(ARGS.port, ARGS.workers, environ(RUN_DB, **mode_env(mode)),
                                          hook="bench.peak:serve_hook")
            try:
                serve.wait_until_serving(ARGS.port)
                run_wrk(script, 2, "warm")
                sequencer_cpu = process_cpu(sequencer.pid) if sequencer else None
                result = run_wrk(script, ARGS.seconds)
                if sequencer:  # the share of one core the sequencer's Python took during the run
                    result["sequencer_cpu"] = (process_cpu(sequencer.pid) - sequencer_cpu) / result["seconds"]
            finally:
                stop(server)
            if mode == "deferred":
                sequencer = start_sequencer()
            chain = {}
            if sequencer:
                chain = chain_report()
                stop(sequencer)
            after = json.loads(run_python(COUNT_CODE, RUN_DB).strip().splitlines()[-1])
            row = {"part": "served", "mode": mode, **{k: round(v, 2) for k, v in result.items()},
                   "submitted": after["submitted"] - before["submitted"],
                   "approved": after["approved"] - before["approved"], "events": after["events"] - before["events"],
                   **chain}
            rows.append(row)
            chain_text = ("" if not chain else
                          f"caught up {chain['drain_seconds']} s after; {chain['chained']} verified, "
                          f"{'intact' if not chain['broken'] else chain['broken']}")
            if "sequencer_cpu" in result:
                chain_text += f"; the sequencer's Python {result['sequencer_cpu']:.0%} of a core"
            print(f"  {mode:>8} | {row['writes_per_s']:>8,.0f} | {row['p50_ms']:>7.1f} | {row['p99_ms']:>7.1f} | "
                  f"{row['non_2xx']:>7} | {row['socket_errors']:>8} | {row['submitted']:>9} | {row['approved']:>8} | "
                  f"{row['events']:>6} | {chain_text}", flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    base = next((r["writes_per_s"] for r in rows if r["mode"] == "none"), None)
    if base:
        print("  ratios to none: " + ", ".join(f"{r['mode']} {r['writes_per_s'] / base:.2f}x" for r in rows
                                               if r["mode"] != "none"))
    return rows


def backend_cpu(connection) -> float:
    """CPU seconds the PostgreSQL backend serving ``connection`` has used (a server on this machine,
    read from /proc; NaN elsewhere): what planning and running the queries cost the database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


# --- cpu: one autosave in process -----------------------------------------------------------

def cpu(scene: dict) -> list[dict]:
    """Autosaves through Django's WSGI handler in this process (see the docstring)."""
    import cProfile
    import functools
    import io
    import pstats

    chosen = modes()
    admin_sql(f"DROP DATABASE IF EXISTS {ARGS.database} WITH (FORCE)",
              f"CREATE DATABASE {ARGS.database} TEMPLATE {SCENE_DB}")
    migrate(ARGS.database)
    os.environ.update(environ(ARGS.database, CONN_HEALTH_CHECKS="1", **mode_env(chosen[0])))
    import django

    django.setup()
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    import portal.audit
    from bench.cpu import sessions

    handler = WSGIHandler()
    savers = scene["autosavers"][:ARGS.savers]
    cookies = sessions([user for user, _app in savers])
    csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    counter = iter(range(10**9))
    append = portal.audit._append

    prefix = "/api/v1/applications/"

    def autosave(index: int) -> bytes:
        user, pk = savers[index % len(savers)]
        body = json.dumps({"summary": f"{SUMMARY}{index}-{next(counter)}"}).encode()
        environ = {"REQUEST_METHOD": "PATCH", "PATH_INFO": f"{prefix}{pk}/", "QUERY_STRING": "",
                   "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1",
                   "REMOTE_ADDR": "127.0.0.1", "HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9",
                   "HTTP_COOKIE": f"{cookies[user]}; {settings.CSRF_COOKIE_NAME}={csrf}", "HTTP_X_CSRFTOKEN": csrf,
                   "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)),
                   **({} if ARGS.full_answer else {"HTTP_PREFER": "return=minimal"}),
                   "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr}
        status: list[str] = []
        answer = b"".join(handler(environ, lambda s, h, *a: status.append(s)))
        if not status[0].startswith(("200", "204")):
            raise SystemExit(f"PATCH {environ['PATH_INFO']}: {status[0]} {answer[:500]!r}")
        return answer

    rows = []
    for mode in chosen:
        portal.audit._append = (lambda events: None) if mode in ("none", "floor") else append
        if mode == "floor":  # the bare write (bench/peak_urls.py)
            from django.urls import clear_url_caches

            settings.ROOT_URLCONF, prefix = "bench.peak_urls", "/bench/write/"
            clear_url_caches()
        for i in range(10):  # warm: the per-process caches, the connection
            autosave(i)
        if ARGS.callgrind:
            functools.reduce(lambda _, i: autosave(i), range(ARGS.n), None)
            print(f"cpu: {ARGS.n} autosaves ({mode}) inside functools.reduce", flush=True)
            return rows
        with CaptureQueriesContext(connection) as queries:
            first = autosave(0)
        statements = [q["sql"] for q in queries.captured_queries]  # now: the next request empties the log
        OUT.mkdir(exist_ok=True)
        (OUT / "peak-cpu-body.json").write_bytes(first)
        (OUT / "peak-cpu-queries.sql").write_text("".join(f"{q};\n" for q in statements))
        profile = cProfile.Profile(time.process_time) if ARGS.profile else None  # CPU: not the waits
        backend = backend_cpu(connection)
        cpu_time, wall = time.process_time(), time.perf_counter()
        if profile:
            profile.enable()
        for i in range(ARGS.n):
            autosave(i)
        if profile:
            profile.disable()
        cpu_time, wall = time.process_time() - cpu_time, time.perf_counter() - wall
        backend = backend_cpu(connection) - backend
        row = {"part": "cpu", "mode": mode, "cpu_ms": round(cpu_time / ARGS.n * 1000, 2),
               "wall_ms": round(wall / ARGS.n * 1000, 2), "db_cpu_ms": round(backend / ARGS.n * 1000, 2),
               "queries": len(statements), "bytes": len(first)}
        rows.append(row)
        print(f"cpu: autosave ({mode:>6})  cpu {row['cpu_ms']:7.2f} ms  PostgreSQL's cpu {row['db_cpu_ms']:6.2f} ms  "
              f"wall {row['wall_ms']:7.2f} ms  "
              f"queries {row['queries']:3d}  bytes {row['bytes']}", flush=True)
        if profile:
            out = io.StringIO()
            stats = pstats.Stats(profile, stream=out).sort_stats(ARGS.sort)
            stats.print_stats(ARGS.top)
            if ARGS.callers:
                stats.print_callers(ARGS.callers)
            print(out.getvalue())
    return rows


def main() -> None:
    started = time.strftime("%Y-%m-%d %H:%M:%S")
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(f"bench/peak.py {started}; {os.cpu_count()} CPUs; load average {' '.join(load)}")
    scene = build_scene()
    results = {"date": started, "cpus": os.cpu_count(), "load_before": load, "args": vars(ARGS)}
    if ARGS.part == "cpu":
        results["cpu"] = cpu(scene)
        return
    try:
        if ARGS.part in ("micro", "all"):
            results["micro"] = micro(scene)
            OUT.mkdir(exist_ok=True)
            (OUT / "peak-micro.json").write_text(json.dumps(results, indent=1, ensure_ascii=False))
        if ARGS.part in ("served", "all"):
            results["served"] = served(scene)
            (OUT / "peak-served.json").write_text(json.dumps(results, indent=1, ensure_ascii=False))
    finally:
        admin_sql(f"DROP DATABASE IF EXISTS {RUN_DB} WITH (FORCE)")
    print(f"load average after: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")


if __name__ == "__main__":
    main()
