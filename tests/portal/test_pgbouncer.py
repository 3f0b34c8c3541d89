"""PgBouncer in transaction mode (issue 16 §3): each transaction may run on
another server connection, so no state may outlive a transaction.

* ``DATABASE_BEHIND_PGBOUNCER`` turns server-side cursors off;
* the code holds no session-level state: advisory locks only as
  ``pg_advisory_xact_lock``, ``SET`` only as ``SET LOCAL``, no LISTEN,
  no cursors WITH HOLD, no PREPARE (a scan of the source);
* ``.ci/run`` runs the PostgreSQL part of the suite once more through a real
  PgBouncer on 127.0.0.1:6432, with ``DATABASE_BEHIND_PGBOUNCER=1``; there the
  last test checks the connection really has server-side cursors off.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
APPS = ["portal", "applications", "certificates", "review", "integrity", "stats", "supervision"]

#: SQL that leaves state on the server connection after its transaction ends.
SESSION_STATE = [
    (re.compile(r"pg_(try_)?advisory_(un)?lock(_shared)?\s*\(", re.I), "a session-level advisory lock"),
    (re.compile(r"""execute\(\s*[rbf]?["']\s*SET\s+(?!LOCAL\b)(?!CONSTRAINTS\b)""", re.I), "SET without LOCAL"),
    (re.compile(r"""execute\(\s*[rbf]?["']\s*RESET\b""", re.I), "RESET"),
    (re.compile(r"""["']\s*(UN)?LISTEN\s""", re.I), "LISTEN"),
    (re.compile(r"\bWITH\s+HOLD\b", re.I), "a cursor WITH HOLD"),
    (re.compile(r"""execute\(\s*[rbf]?["']\s*PREPARE\s""", re.I), "PREPARE"),
    (re.compile(r"set_config\([^)]*,\s*false\s*\)", re.I), "set_config(..., false)"),
]


def session_state_in(text: str) -> list[str]:
    return [what for pattern, what in SESSION_STATE if pattern.search(text)]


def test_the_scan_finds_each_kind_of_session_state():
    assert session_state_in('cursor.execute("SELECT pg_advisory_lock(%s)", [1])') == ["a session-level advisory lock"]
    assert session_state_in("cursor.execute('SET work_mem = 1')") == ["SET without LOCAL"]
    assert session_state_in('cursor.execute("LISTEN jobs")') == ["LISTEN"]
    assert session_state_in('cursor.execute("DECLARE c CURSOR WITH HOLD FOR SELECT 1")') == ["a cursor WITH HOLD"]
    assert session_state_in("select set_config('x.y', '1', false)") == ["set_config(..., false)"]
    assert session_state_in('cursor.execute("SET LOCAL work_mem = 1")') == []
    assert session_state_in('cursor.execute("SELECT pg_advisory_xact_lock(%s)", [1])') == []


def test_the_code_keeps_no_session_state_on_a_pooled_connection():
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            for what in session_state_in(path.read_text(encoding="utf-8")):
                found.append(f"{path.relative_to(ROOT)}: {what}")
    assert found == [], "PgBouncer in transaction mode would break on: " + "; ".join(found)
    # The scan sees the code that does take locks and SETs, inside transactions:
    assert (ROOT / "stats" / "services.py").read_text(encoding="utf-8").count("pg_advisory_xact_lock") >= 1


def _settings_under(env: dict) -> dict:
    code = ("import json, django; django.setup(); from django.conf import settings; "
            "print(json.dumps(settings.DATABASES['default'], default=str))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.base", **env})
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_behind_pgbouncer_server_side_cursors_are_off():
    url = "postgres://portal@127.0.0.1:6432/portal"
    behind = _settings_under({"DATABASE_URL": url, "DATABASE_BEHIND_PGBOUNCER": "1"})
    direct = _settings_under({"DATABASE_URL": url, "DATABASE_BEHIND_PGBOUNCER": "0"})
    assert behind["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert direct.get("DISABLE_SERVER_SIDE_CURSORS", False) is False


@pytest.mark.skipif(os.environ.get("DATABASE_BEHIND_PGBOUNCER", "") in ("", "0"),
                    reason="runs in .ci/run's pass through PgBouncer")
def test_through_pgbouncer_iterating_outside_a_transaction_uses_no_server_side_cursor():
    from portal.models import Region

    assert connection.vendor == "postgresql"
    assert connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] is True
    names = [r.code for r in Region.objects.order_by("code").iterator(chunk_size=2)]
    assert names == list(Region.objects.order_by("code").values_list("code", flat=True)) and names
