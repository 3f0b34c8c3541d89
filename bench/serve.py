"""What the served benches share (``bench/pages.py``, ``bench/peak.py``): the
production-like environment, PostgreSQL housekeeping, a child Django process,
gunicorn with sync workers serving the portal, and ``wrk``.

The server is ``SERVE_CODE`` run in its own process group: Django set up from
the environment, every view imported before the workers fork, and, when
``BENCH_SERVE_HOOK`` names one (``module:function``), a function of the bench
called with the WSGI application before it is served (``bench/pages.py`` adds
its yardstick URLs, ``bench/peak.py`` drops the audit append for its yardstick).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"

#: Production settings need their secrets: the bench's own, the same for the scene and the server.
BASE_ENV = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "FIELD_ENCRYPTION_KEY": "YmVuY2gtcGVhay1maWVsZC1lbmNyeXB0aW9uLWtleSE=",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_HSTS_SECONDS": "0",
    "CONN_MAX_AGE": "60",
    "LOG_LEVEL": "WARNING",
    "CELERY_TASK_ALWAYS_EAGER": "0",
}


def bench_env(name: str, **extra: str) -> dict:
    """``BASE_ENV`` with this bench's own secrets and media folder."""
    return {**BASE_ENV, "SECRET_KEY": f"bench-{name}-" + "k" * 60,
            "LOOKUP_HASH_KEY": f"bench-{name}-lookup-hash-key-0123456789",
            "MEDIA_ROOT": str(ROOT / "var" / f"bench-{name}-media"), **extra}


# --- PostgreSQL and child processes ------------------------------------------------------------

def admin_sql(server: str, *statements: str) -> None:
    import psycopg2

    conn = psycopg2.connect(f"{server}/postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    conn.close()


def database_exists(server: str, name: str) -> bool:
    import psycopg2

    conn = psycopg2.connect(f"{server}/postgres")
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        found = cursor.fetchone() is not None
    conn.close()
    return found


def run_python(code: str, env: dict, *argv: str) -> str:
    """Run Django code in a child process (its own settings and connections); its standard output."""
    result = subprocess.run([sys.executable, "-c", code, *argv], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode:
        sys.stderr.write(result.stderr[-5000:])
        raise SystemExit(f"a bench step failed (exit {result.returncode})")
    return result.stdout


#: A bench's scene built before a migration has not got it: this applies the code's migrations (nothing to
#: do when they are all there), e.g. ``portal_roles_and_unread``, which every logged-in request calls.
MIGRATE_CODE = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
"""


def last_json(output: str):
    import json

    return json.loads(output.strip().splitlines()[-1])


# --- gunicorn --------------------------------------------------------------------------------

SERVE_CODE = r"""
import importlib, os, sys
import django
django.setup()
from django.core.wsgi import get_wsgi_application
from gunicorn.app.base import BaseApplication

application = get_wsgi_application()
hook = os.environ.get("BENCH_SERVE_HOOK")
if hook:
    module, function = hook.split(":")
    sys.path.insert(0, os.getcwd())
    getattr(importlib.import_module(module), function)(application)
from django.urls import get_resolver
get_resolver().url_patterns  # import every view before the workers fork: no worker pays for it on a request

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


def start_gunicorn(port: int, workers: int, env: dict, *, hook: str = "") -> subprocess.Popen:
    """gunicorn serving the portal on ``port`` (its own process group: ``stop`` ends it all)."""
    if hook:
        env = {**env, "BENCH_SERVE_HOOK": hook}
    return subprocess.Popen([sys.executable, "-c", SERVE_CODE, str(port), str(workers)], cwd=ROOT, env=env,
                            start_new_session=True)


def port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def wait_until_serving(port: int, path: str = "/healthz", timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2):  # noqa: S310
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not start")


def stop(process: subprocess.Popen) -> None:
    """End a process started in its own group (gunicorn and its workers, the sequencer)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()
    except ProcessLookupError:
        pass


# --- wrk -------------------------------------------------------------------------------------

def wrk(url: str, *, connections: int, seconds: float, headers: dict | None = None, script: Path | None = None,
        latency: bool = False, script_args: tuple[str, ...] = ()) -> str:
    """``wrk -t2`` against ``url``; its output."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s"]
    if latency:
        command.append("--latency")
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", str(script)]
    command.append(url)
    if script_args:
        command += ["--", *script_args]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk_latency(output: str) -> dict:
    """rps, p50, p99, non-2xx and socket errors from ``wrk --latency``'s output."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99, "non_2xx": int(bad.group(1)) if bad else 0,
            "socket_errors": errors.group(1).strip() if errors else ""}
