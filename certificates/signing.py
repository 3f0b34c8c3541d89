"""Signing certificate records as compact JWS (RFC 7515).

The payload is the record's canonical JSON: keys sorted, UTF-8 (no
``\\u`` escapes), separators ``,`` and ``:`` without spaces. The protected
header is ``{"alg": ..., "kid": ..., "typ": TYP}`` in the same canonical form;
``typ`` (RFC 7515 section 4.1.9, explicit typing as RFC 8725 section 3.11 asks)
says what the token is, so a certificate cannot be taken for another kind of
JWS signed with the same key. Certificates signed before ``typ`` was added
have no ``typ`` and still verify.

Two algorithms:

* ``EdDSA`` with Ed25519 (RFC 8037), the default; keys are published as
  OKP JWKs, so any standard JOSE library verifies the signatures.
* ``SM2SM3`` (deployments under national cryptography assessment): SM2
  signature (GM/T 0003) over SM3 with the default user ID
  ``1234567812345678`` (GM/T 0009), signature ``r || s`` as 64 bytes,
  key published as ``{"kty": "EC", "crv": "SM2", "x", "y"}``. Neither the
  ``alg`` nor the curve name is registered with IANA, so only verifiers
  that know them (this portal, or code following docs/certificates.md)
  check these signatures. SM2 keys are therefore published in a document of
  their own (``/.well-known/jwks-sm2.json``): standard libraries refuse a
  whole key set that holds a key of an unknown curve.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from gmssl import sm2

from portal import personal_data

MAX_TOKEN_LENGTH = 32_000
# The media type of a certificate JWS, in the header's ``typ``.
TYP = "application/vnd.zhicheng.certificate+jws"
B64URL_RE = re.compile(r"^[A-Za-z0-9_-]*$")


def canonical_json(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    if not B64URL_RE.match(text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- Algorithms ------------------------------------------------------------

class Ed25519Backend:
    alg = "EdDSA"
    kid_prefix = "ed25519"

    @staticmethod
    def generate() -> tuple[str, str]:
        """(private, public) as base64url of the raw 32-byte keys."""
        private = Ed25519PrivateKey.generate()
        return (b64url_encode(private.private_bytes_raw()),
                b64url_encode(private.public_key().public_bytes_raw()))

    @staticmethod
    def load_private(private: str, public: str):
        return Ed25519PrivateKey.from_private_bytes(b64url_decode(private))

    @staticmethod
    def sign(loaded_private, message: bytes) -> bytes:
        return loaded_private.sign(message)

    @staticmethod
    def verify(public: str, message: bytes, signature: bytes) -> bool:
        try:
            key = Ed25519PublicKey.from_public_bytes(b64url_decode(public))
            key.verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True

    @staticmethod
    def jwk(public: str) -> dict:
        return {"kty": "OKP", "crv": "Ed25519", "x": public}


class SM2Backend:
    alg = "SM2SM3"
    kid_prefix = "sm2"
    _n = int(sm2.default_ecc_table["n"], 16)

    @classmethod
    def _crypt(cls, private: str | None, public: str) -> sm2.CryptSM2:
        crypt = sm2.CryptSM2(private_key=private, public_key="")
        # gmssl strips a "04" prefix with lstrip(), which also eats leading
        # zeros of the key; set the bare 128-hex-digit key directly.
        crypt.public_key = public
        return crypt

    @classmethod
    def generate(cls) -> tuple[str, str]:
        """(private, public) in hex: d, and x || y of the public point."""
        d = secrets.randbelow(cls._n - 1) + 1
        crypt = cls._crypt(f"{d:064x}", "")
        public = crypt._kg(d, sm2.default_ecc_table["g"])
        return f"{d:064x}", public

    @classmethod
    def load_private(cls, private: str, public: str):
        return cls._crypt(private, public)

    @classmethod
    def sign(cls, loaded_private, message: bytes) -> bytes:
        while True:
            # gmssl's own nonce uses random.choice; always pass a CSPRNG one.
            k = secrets.randbelow(cls._n - 1) + 1
            signature = loaded_private.sign_with_sm3(message, f"{k:064x}")
            if signature:
                return bytes.fromhex(signature)

    @classmethod
    def verify(cls, public: str, message: bytes, signature: bytes) -> bool:
        if len(signature) != 64 or not re.fullmatch(r"[0-9a-f]{128}", public or ""):
            return False
        r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        if not (0 < r < cls._n and 0 < s < cls._n):
            return False
        try:
            return bool(cls._crypt(None, public).verify_with_sm3(signature.hex(), message))
        except (ValueError, TypeError, ZeroDivisionError, binascii.Error):
            return False

    @staticmethod
    def jwk(public: str) -> dict:
        return {"kty": "EC", "crv": "SM2", "x": b64url_encode(bytes.fromhex(public[:64])),
                "y": b64url_encode(bytes.fromhex(public[64:]))}


BACKENDS = {Ed25519Backend.alg: Ed25519Backend, SM2Backend.alg: SM2Backend}
# Keys of these algorithms go to /.well-known/jwks.json; the national ones,
# unknown to standard JOSE libraries, to /.well-known/jwks-sm2.json.
STANDARD_ALGORITHMS = (Ed25519Backend.alg,)
NATIONAL_ALGORITHMS = (SM2Backend.alg,)

_SETTING_ALIASES = {"eddsa": "EdDSA", "ed25519": "EdDSA", "sm2": "SM2SM3", "sm2sm3": "SM2SM3"}


def configured_algorithm() -> str:
    """``CERTIFICATE_SIGNING_ALGORITHM``: ``EdDSA`` (default) or ``SM2``."""
    value = str(getattr(settings, "CERTIFICATE_SIGNING_ALGORITHM", "EdDSA") or "EdDSA")
    try:
        return _SETTING_ALIASES[value.lower()]
    except KeyError:
        raise ImproperlyConfigured(f"CERTIFICATE_SIGNING_ALGORITHM must be EdDSA or SM2, not {value!r}")


def new_key_material(algorithm: str) -> dict:
    """Fields for a new ``SigningKey`` (private key already encrypted)."""
    backend = BACKENDS[algorithm]
    private, public = backend.generate()
    kid = f"{backend.kid_prefix}-{timezone.localdate():%Y%m%d}-{secrets.token_hex(4)}"
    return {"kid": kid, "algorithm": algorithm, "public_key": public,
            "private_key_encrypted": personal_data.encrypt(private)}


# --- Signing -----------------------------------------------------------------

_private_cache: dict[str, Any] = {}
_public_cache: dict[str, tuple[str, str]] = {}
_lock = threading.Lock()


def _loaded_private(key) -> Any:
    loaded = _private_cache.get(key.kid)
    if loaded is None:
        private = personal_data.decrypt(key.private_key_encrypted)
        if not private:
            raise ImproperlyConfigured(f"the private key of {key.kid} cannot be decrypted")
        loaded = BACKENDS[key.algorithm].load_private(private, key.public_key)
        with _lock:
            _private_cache[key.kid] = loaded
    return loaded


def forget_private_key(kid: str) -> None:
    with _lock:
        _private_cache.pop(kid, None)


def sign_compact(*, payload: bytes, key) -> str:
    """A compact JWS of ``payload`` with the ``SigningKey`` ``key``."""
    header = canonical_json({"alg": key.algorithm, "kid": key.kid, "typ": TYP})
    signing_input = f"{b64url_encode(header)}.{b64url_encode(payload)}"
    signature = BACKENDS[key.algorithm].sign(_loaded_private(key), signing_input.encode("ascii"))
    return f"{signing_input}.{b64url_encode(signature)}"


# --- Verifying ---------------------------------------------------------------

@dataclass
class JwsCheck:
    """What a signature check found. ``ok`` only when a known key signed it."""

    ok: bool
    problem: str = ""
    kid: str = ""
    algorithm: str = ""
    payload_bytes: bytes = b""
    payload: dict | None = field(default=None)


def public_key_for(kid: str) -> tuple[str, str] | None:
    """(algorithm, public key) of a known key, active or retired."""
    cached = _public_cache.get(kid)
    if cached is not None:
        return cached
    from certificates.models import SigningKey

    row = SigningKey.objects.filter(kid=kid).values_list("algorithm", "public_key").first()
    if row is None:
        return None
    with _lock:
        _public_cache[kid] = (row[0], row[1])
    return row[0], row[1]


def is_certificate_typ(value: Any) -> bool:
    """``typ`` names a certificate: media types compare case-insensitively and
    ``application/`` may be left out (RFC 7515 section 4.1.9)."""
    if not isinstance(value, str):
        return False
    value = value.lower()
    return value == TYP or f"application/{value}" == TYP


def verify_compact(token: Any) -> JwsCheck:
    """Check a compact JWS against the published keys; never raises."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        return JwsCheck(False, "malformed")
    parts = token.strip().split(".")
    if len(parts) != 3:
        return JwsCheck(False, "malformed")
    try:
        header = json.loads(b64url_decode(parts[0]))
        payload_bytes = b64url_decode(parts[1])
        signature = b64url_decode(parts[2])
        payload = json.loads(payload_bytes.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return JwsCheck(False, "malformed")
    if not isinstance(header, dict) or not isinstance(payload, dict):
        return JwsCheck(False, "malformed")
    alg, kid = header.get("alg"), header.get("kid")
    if alg not in BACKENDS or not isinstance(kid, str) or set(header) - {"alg", "kid", "typ", "cty"}:
        return JwsCheck(False, "unsupported", kid=str(kid or "")[:64])
    if "typ" in header and not is_certificate_typ(header["typ"]):
        return JwsCheck(False, "unsupported", kid=kid[:64], algorithm=alg)
    known = public_key_for(kid[:64])
    if known is None:
        return JwsCheck(False, "unknown_key", kid=kid[:64], algorithm=alg)
    algorithm, public = known
    if algorithm != alg:
        return JwsCheck(False, "algorithm_mismatch", kid=kid, algorithm=alg)
    signing_input = f"{parts[0]}.{parts[1]}".encode("ascii")
    if not BACKENDS[alg].verify(public, signing_input, signature):
        return JwsCheck(False, "bad_signature", kid=kid, algorithm=alg)
    return JwsCheck(True, "", kid=kid, algorithm=alg, payload_bytes=payload_bytes, payload=payload)


def jwk_for(key) -> dict:
    """The public JWK of a ``SigningKey`` with its signing period.

    ``valid_from`` / ``valid_until`` (ISO 8601) are this portal's members:
    the key signed certificates in that period; signatures made then stay
    valid after the key is retired.
    """
    data = BACKENDS[key.algorithm].jwk(key.public_key)
    data.update({
        "kid": key.kid,
        "alg": key.algorithm,
        "use": "sig",
        "status": key.status,
        "valid_from": key.valid_from.isoformat(timespec="seconds"),
        "valid_until": key.retired_at.isoformat(timespec="seconds") if key.retired_at else None,
    })
    return data
