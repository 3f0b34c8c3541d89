"""The public record of each certificate, kept in Redis for the verify API (issue 15).

A check by number and name is the hottest anonymous request of the portal. With
``CERTIFICATE_VERIFICATION_BUFFER`` on (production with Redis), it is answered by
**one Redis round trip and no SQL**: one Lua script counts the request against the
address's limit (the same sliding-window counter as ``VerifyRateThrottle``),
reads the certificate's public record, compares the holder's name (a keyed hash
of its comparison key) and, when it matches, appends the verification event to
the buffer that ``certificates.tasks.verification_events_flush`` writes.

The record is the public columns of the row, the signature verdict of that row
version, the masked name and the keyed name hash; never the ID number or the
full name. It is written

- after the commit of every save of a certificate (issue, revocation,
  supersession, QR changes: ``post_save``), so a revocation shows on the very
  next request;
- by a check that missed it (read from the database as before), and only if
  no newer version of the row is there already (a check that read the row just
  before a revocation cannot put the old status back);

and expires after ``CERTIFICATE_PUBLIC_RECORD_TTL`` seconds (default 600), so a
row edited behind the services' back (which no signal sees) is checked again
within that time. Anything unusual (a session or a token, an invalid body, a
mistyped number, Redis refusing, over the limit) takes the ordinary DRF path,
which answers exactly as before.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
import logging
import os
import threading
import time

from django.conf import settings

logger = logging.getLogger(__name__)
PREFIX = "certificates:public:"
DEFAULT_TTL = 600

# KEYS: the limit's current window, its previous window, the record, the event buffer.
# ARGV: the window key's lifetime, the limit, the elapsed part of the window, the name hash,
#       the channel, the verifier's organisation (JSON), the time of the check.
CHECK_LUA = """
local count = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
local before = tonumber(redis.call('GET', KEYS[2]) or '0') or 0
local estimate = before * (1 - tonumber(ARGV[3])) + count
if estimate > tonumber(ARGV[2]) then return {0, tostring(estimate)} end
local raw = redis.call('GET', KEYS[3])
if not raw then return {1, tostring(estimate)} end
local ok, record = pcall(cjson.decode, raw)
if not ok then return {1, tostring(estimate)} end
if record['n'] ~= ARGV[4] then return {1, tostring(estimate), ''} end
redis.call('RPUSH', KEYS[4], '[' .. record['id'] .. ',"' .. ARGV[5] .. '","' .. record['s'] .. '",'
           .. ARGV[6] .. ',' .. ARGV[7] .. ']')
return {1, tostring(estimate), raw}
"""

# KEYS: the record. ARGV: the record, its version, its lifetime. Written unless a newer version is there.
FILL_LUA = """
local old = redis.call('GET', KEYS[1])
if old then
  local ok, record = pcall(cjson.decode, old)
  if ok and tonumber(record['v']) and tonumber(record['v']) > tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1
"""


def enabled() -> bool:
    from certificates import verification_log

    return verification_log.buffered()


def _client():
    from portal.redis_pool import redis_client

    return redis_client(settings.REDIS_URL)


@functools.cache
def _scripts(url: str):
    client = _client()
    return client.register_script(CHECK_LUA), client.register_script(FILL_LUA)


CHECK_SHA = hashlib.sha1(CHECK_LUA.encode()).hexdigest().encode()  # noqa: S324 - Redis names scripts by SHA-1


class _Line(threading.local):
    """This thread's own connection for the check (``_check_call``): no pool, no retry wrapper."""

    connection = None
    pid = 0
    url = ""


_LINE = _Line()


def _line():
    """The connection, made on first use in this process and thread (gunicorn forks after import),
    with the shared pool's settings (address, database, password, timeouts)."""
    line, url = _LINE, settings.REDIS_URL
    if line.connection is None or line.pid != os.getpid() or line.url != url:
        pool = _client().connection_pool
        line.connection, line.pid, line.url = pool.connection_class(**pool.connection_kwargs), os.getpid(), url
    return line.connection


def _packed(*parts: bytes) -> bytes:
    """A command in the Redis protocol (RESP): what redis-py's packer sends, for byte arguments."""
    return b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(part), part) for part in parts)


def _check_call(keys: list[bytes], args: list[bytes]):
    """``EVALSHA`` of the check on this thread's connection: the script runs by its SHA-1 (loaded
    once when Redis does not know it), one send and one read. Half the CPU of redis-py's generic
    path (pool checkout, retry wrapper, argument encoding), which is most of this request's own cost.
    A refusal or a broken connection closes it (the next check opens a new one) and raises."""
    connection = _line()
    command = _packed(b"EVALSHA", CHECK_SHA, b"%d" % len(keys), *keys, *args)
    try:
        connection.send_packed_command([command], check_health=False)
        try:
            return connection.read_response()
        except _redis_errors().NoScriptError:
            connection.send_packed_command([_packed(b"SCRIPT", b"LOAD", CHECK_LUA.encode())], check_health=False)
            connection.read_response()
            connection.send_packed_command([command], check_health=False)
            return connection.read_response()
    except BaseException:
        connection.disconnect()
        raise


def _redis_errors():
    import redis.exceptions

    return redis.exceptions


def ttl() -> int:
    return int(getattr(settings, "CERTIFICATE_PUBLIC_RECORD_TTL", DEFAULT_TTL))


def key(number: str) -> str:
    return PREFIX + number


def name_hash(name: str) -> str:
    """A keyed hash of the name's comparison key (``certificates.text.name_key``): the record
    holds no name an onlooker of Redis could read or guess offline."""
    from certificates import text

    mac = _name_mac(settings.SECRET_KEY).copy()
    mac.update(text.name_key(name).encode())
    return mac.hexdigest()[:32]


@functools.cache
def _name_secret(secret_key: str) -> bytes:
    return hashlib.sha256(b"certificates:public-name:" + secret_key.encode()).digest()


@functools.cache
def _name_mac(secret_key: str) -> hmac.HMAC:
    """The keyed hash with its key already absorbed: each name copies it (no key schedule per check)."""
    return hmac.new(_name_secret(secret_key), digestmod=hashlib.sha256)


def _version(certificate) -> float:
    return round(certificate.updated_at.timestamp(), 6) if certificate.updated_at else 0.0


def _iso(value):
    return value.isoformat() if value is not None else None


def record_of(certificate, *, signature_valid: bool) -> str:
    """The record of a row read with ``services.PUBLIC_FIELDS``."""
    from certificates import records

    return json.dumps({
        "id": certificate.pk, "v": _version(certificate), "n": name_hash(certificate.holder_name),
        "s": certificate.status, "k": signature_valid, "m": records.mask_name(certificate.holder_name),
        "number": certificate.number, "title_name": certificate.title_name, "series_name": certificate.series_name,
        "specialty_name": certificate.specialty_name, "level": certificate.level, "method": certificate.method,
        "granting_body_name": certificate.granting_body_name,
        "region": certificate.granting_body_region.name if certificate.granting_body_region else "",
        "date_granted": _iso(certificate.date_granted), "date_issued": _iso(certificate.date_issued),
        "revoked_at": _iso(certificate.revoked_at), "revocation_category": certificate.revocation_category,
        "superseded_at": _iso(certificate.superseded_at),
    }, ensure_ascii=False, separators=(",", ":"))


#: Answers by record and language, in this process (bounded): a record is a row version. Each
#: is kept with its JSON body as the API renders it, so a check encodes nothing.
_ANSWERS: dict[tuple[bytes, str], tuple[dict, bytes]] = {}
_ANSWERS_MAX = 10_000
NOT_FOUND = {"status": "not_found"}


def public_answer(raw: bytes) -> dict:
    """The API's answer from a record, as ``Verification.public()`` gives it for the row."""
    return _answer(raw)[0]


def public_answer_body(raw: bytes) -> bytes:
    """That answer rendered by the API's JSON renderer (the response body)."""
    return _answer(raw)[1]


def _answer(raw: bytes) -> tuple[dict, bytes]:
    from django.utils import translation

    cache_key = (raw, translation.get_language() or "")
    entry = _ANSWERS.get(cache_key)
    if entry is None:
        data = _public_answer(raw)
        entry = (data, render(data))
        if len(_ANSWERS) >= _ANSWERS_MAX:
            _ANSWERS.clear()
        _ANSWERS[cache_key] = entry
    return entry


def render(data: dict) -> bytes:
    from rest_framework.renderers import JSONRenderer

    return JSONRenderer().render(data)


@functools.cache
def _not_found_body() -> bytes:
    return render(NOT_FOUND)


def _public_answer(raw: bytes) -> dict:
    from certificates import records
    from certificates.models import Certificate
    from portal.models import Region

    record = json.loads(raw)
    certificate = Certificate(
        id=record["id"], number=record["number"], holder_name="", title_name=record["title_name"],
        series_name=record["series_name"], specialty_name=record["specialty_name"], level=record["level"],
        method=record["method"], granting_body_name=record["granting_body_name"],
        date_granted=dt.date.fromisoformat(record["date_granted"]) if record["date_granted"] else None,
        date_issued=dt.date.fromisoformat(record["date_issued"]) if record["date_issued"] else None,
        status=record["s"], revocation_category=record["revocation_category"],
        revoked_at=dt.datetime.fromisoformat(record["revoked_at"]) if record["revoked_at"] else None,
        superseded_at=dt.datetime.fromisoformat(record["superseded_at"]) if record["superseded_at"] else None)
    certificate.granting_body_region = Region(name=record["region"])
    data = {"status": record["s"], **records.public_view(certificate, signature_valid=record["k"])}
    data["holder_name"] = record["m"]
    return data


def store(certificate, *, signature_valid: bool) -> None:
    """Write the record of this row version unless a newer one is there (never raises)."""
    try:
        _scripts(settings.REDIS_URL)[1](keys=[key(certificate.number)],
                                        args=[record_of(certificate, signature_valid=signature_valid),
                                              repr(_version(certificate)), ttl()])
    except Exception:  # noqa: BLE001 - the database path answers without it
        logger.warning("public records: Redis refused a record")


def refresh(certificate_id: int) -> None:
    """After a commit that saved the certificate: its current record, read from the database."""
    from certificates import services
    from certificates.models import Certificate

    row = (Certificate.objects.filter(pk=certificate_id).select_related("granting_body_region")
           .only(*services.PUBLIC_FIELDS, "holder_name").first())
    if row is not None:
        store(row, signature_valid=services.signature_verdict(row))


def on_certificate_saved(sender, instance, **kwargs) -> None:
    """``post_save``: the record follows the row as soon as the change commits."""
    if not enabled() or not instance.pk:
        return
    from django.db import transaction

    transaction.on_commit(functools.partial(refresh, instance.pk))


class Answer:
    """What the script decided: over the limit (``allowed`` False, ``wait`` seconds), a miss
    (``hit`` False: the database path answers), or the answer (``data``, and ``body``: its JSON)."""

    def __init__(self, allowed: bool, estimate: float, wait: float, hit: bool, data: dict | None,
                 body: bytes = b""):
        self.allowed, self.estimate, self.wait, self.hit, self.data = allowed, estimate, wait, hit, data
        self.body = body


def check(*, limit_key: str, duration: float, num_requests: int, number: str, name: str, channel: str,
          organization_id: int | None) -> Answer:
    """One round trip: count the request, read the record, match the name, buffer the event."""
    from certificates import verification_log

    now = time.time()
    window = int(now // duration)
    result = _check_call(
        keys=[f"{limit_key}:{window}".encode(), f"{limit_key}:{window - 1}".encode(), key(number).encode(),
              verification_log.KEY.encode()],
        args=[b"%d" % (int(duration) * 2 + 5), b"%d" % num_requests, repr((now % duration) / duration).encode(),
              name_hash(name).encode(), channel.encode(), json.dumps(organization_id).encode(),
              repr(dt.datetime.now(dt.UTC).timestamp()).encode()])
    allowed, estimate = bool(int(result[0])), float(result[1])
    wait = duration - now % duration
    if not allowed or len(result) < 3:
        return Answer(allowed, estimate, wait, False, None)
    raw = result[2]
    if not raw:
        return Answer(True, estimate, wait, True, dict(NOT_FOUND), _not_found_body())
    data, body = _answer(raw)
    return Answer(True, estimate, wait, True, data, body)
