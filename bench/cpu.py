"""The pages of ``bench/pages.py`` measured in process: CPU per request, robust to a shared machine.

``bench/pages.py`` measures as users get it (gunicorn and wrk), which a loaded machine blurs by
twofold. This one calls Django's WSGI handler directly, in one process, with the same production
settings, the same scene (built by ``bench/pages.py``, found by its database name) and a session
cookie, and prints for each target the process CPU and wall time per request, its queries and its
size. With ``--profile NAME`` it prints cProfile's top functions for that target. Under callgrind
it counts instructions, which no other load moves (issue 15 was worked this way)::

    .venv/bin/python bench/pages.py --apps 100            # builds the scene once
    .venv/bin/python bench/cpu.py --database portal_perf_pages_100
    .venv/bin/python bench/cpu.py --database portal_perf_pages_100 --only "call dashboard" --profile "call dashboard"
    valgrind --tool=callgrind --collect-atstart=no --toggle-collect=functools_reduce \\
        .venv/bin/python bench/cpu.py --database portal_perf_pages_100 --only "call dashboard" -n 10 --callgrind
    # one target at a time: callgrind's "Collected" divided by n is its instructions per request

Use a Redis database no test uses (the default, 10): tests leave public certificate records whose
numbers are the scene's, and the verify API would answer "not found" from them. The sessions it
writes into the scene expire in 30 minutes.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import functools
import io
import json
import os
import pstats
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import serve  # noqa: E402


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="a scene's database, e.g. portal_perf_pages_100")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/10")
    parser.add_argument("-n", type=int, default=200, help="requests per target")
    parser.add_argument("--only", nargs="*", help="measure only these targets")
    parser.add_argument("--profile", help="print cProfile's top functions for this target")
    parser.add_argument("--sort", default="cumulative", help="cProfile's order (cumulative, tottime)")
    parser.add_argument("--callgrind", action="store_true",
                        help="run the n requests inside functools.reduce (callgrind's toggle) and print nothing")
    return parser.parse_args()


def setup(args: argparse.Namespace) -> None:
    os.environ.update(serve.bench_env("pages", CONN_HEALTH_CHECKS="1", AUDIT_CHAIN_INLINE="0",
                                      CERTIFICATE_VERIFY_RATE="100000000/minute",
                                      CERTIFICATE_VERIFY_PAGE_LIMIT="100000000"))
    os.environ["DATABASE_URL"] = f"{args.server}/{args.database}"
    os.environ["REDIS_URL"] = args.redis
    import django

    django.setup()
    from bench.pages_urls import serve_hook

    serve_hook(None)  # the portal's URLs plus the yardsticks, static files as the served bench has them


def sessions(users: list[int]) -> dict[int, str]:
    """A logged-in session per user, written as a login would (the cookie header's value)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from portal.models import User

    store, cookies = SessionStore(), {}
    for user in User.objects.filter(pk__in=users):
        key = secrets.token_hex(16)
        data = {SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: "portal.backends.MobileOrIdNumberBackend",
                HASH_SESSION_KEY: user.get_session_auth_hash(), "_refreshed": int(timezone.now().timestamp())}
        Session.objects.create(session_key=key, session_data=store.encode(data),
                               expire_date=timezone.now() + dt.timedelta(minutes=30))
        cookies[user.pk] = f"{settings.SESSION_COOKIE_NAME}={key}"
    return cookies


def targets(scene: dict) -> list[tuple[str, str, int | None]]:
    query = urlencode({"number": scene["number"], "name": scene["name"]})
    call, application = scene["call"], scene["application"]
    return [
        ("bare ok", "/bench/ok/", None),
        ("bare lookup", f"/bench/lookup/?number={scene['number']}", None),
        ("verify API (GET)", f"/api/v1/certificates/verify/?{query}", None),
        ("call dashboard", f"/review/calls/{call}/", scene["secretary"]),
        ("application (secretary)", f"/review/calls/{call}/applications/{application}/", scene["secretary"]),
        ("expert dashboard", "/review/expert/", scene["expert"]),
        ("applicant dashboard", "/applications/", scene["applicant"]),
        ("/healthz", "/healthz", None),
    ]


def main() -> None:
    args = parse()
    metas = sorted((ROOT / "bench" / "out").glob(f"{args.database}-scene-*.json"))
    if not metas:
        raise SystemExit(f"no scene for {args.database}: build it with bench/pages.py first")
    scene = json.loads(metas[0].read_text())
    setup(args)
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    handler = WSGIHandler()
    cookies = sessions([scene["secretary"], scene["expert"], scene["applicant"]])

    def call(path: str, user: int | None) -> bytes:
        path_info, _, query_string = path.partition("?")
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path_info, "QUERY_STRING": query_string,
                   "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1",
                   "REMOTE_ADDR": "127.0.0.1", "HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9",
                   "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr}
        if user:
            environ["HTTP_COOKIE"] = cookies[user]
        status: list[str] = []
        body = b"".join(handler(environ, lambda s, h, *a: status.append(s)))
        if not status[0].startswith("200"):
            raise SystemExit(f"{path}: {status[0]}")
        return body

    for name, path, user in targets(scene):
        if args.only and name not in args.only:
            continue
        for _ in range(10):  # warm: templates, the shell's frames, the per-process caches
            call(path, user)
        if args.callgrind:
            functools.reduce(lambda _, __: call(path, user), range(args.n), None)
            continue
        with CaptureQueriesContext(connection) as queries:
            body = call(path, user)
        n_queries = len(queries.captured_queries)  # now: the next request empties the log
        profile = cProfile.Profile() if args.profile == name else None
        cpu, wall = time.process_time(), time.perf_counter()
        if profile:
            profile.enable()
        for _ in range(args.n):
            call(path, user)
        if profile:
            profile.disable()
        cpu = (time.process_time() - cpu) / args.n * 1000
        wall = (time.perf_counter() - wall) / args.n * 1000
        print(f"{name:26s} cpu {cpu:7.2f} ms  wall {wall:7.2f} ms  queries {n_queries:3d}  "
              f"bytes {len(body)}", flush=True)
        if profile:
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats(args.sort).print_stats(45)
            print(out.getvalue())


if __name__ == "__main__":
    main()
