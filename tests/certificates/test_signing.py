"""R5.3: records are signed as compact JWS any JOSE library verifies; keys rotate."""

from __future__ import annotations

import json
from io import StringIO

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from gmssl import sm2

from certificates import records, services, signing
from certificates.models import SigningKey
from portal import personal_data
from portal.models import AuditEvent


def _jwks(client) -> dict:
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    return response.json()


def test_R5_3_canonical_json_sorts_keys_keeps_utf8_and_has_no_spaces():
    assert signing.canonical_json({"b": 1, "a": {"z": "工程师", "y": [1, 2]}}) == \
        '{"a":{"y":[1,2],"z":"工程师"},"b":1}'.encode()


def test_R5_3_the_signed_record_is_the_canonical_json_of_the_certificate(issue):
    certificate = issue()
    record = json.loads(certificate.record)
    assert signing.canonical_json(record).decode() == certificate.record
    assert record["number"] == certificate.number
    assert record["holder"] == {"name": "张三丰", "id_masked": certificate.holder.id_number_masked,
                                "id_hash": certificate.holder.id_number_hash}
    assert record["title"] == "工程师" and record["level"] == "intermediate" and record["method"] == "review"
    assert record["kid"] == certificate.signing_key.kid and record["template_version"]
    assert certificate.holder.id_number not in certificate.record


def test_R5_3_a_standard_jose_library_verifies_the_signature_with_the_published_key(issue, client):
    certificate = issue()
    header = jwt.get_unverified_header(certificate.jws)
    assert header == {"alg": "EdDSA", "kid": certificate.signing_key.kid}
    jwk = next(k for k in _jwks(client)["keys"] if k["kid"] == header["kid"])
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519" and jwk["use"] == "sig"
    assert jwk["status"] == "active" and jwk["valid_from"] and jwk["valid_until"] is None
    key = jwt.PyJWK(jwk)
    payload = jwt.api_jws.decode(certificate.jws, key=key, algorithms=["EdDSA"])
    assert payload == certificate.record.encode("utf-8")
    forged = certificate.jws[:-4] + ("AAAA" if certificate.jws[-4:] != "AAAA" else "BBBB")
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.api_jws.decode(forged, key=key, algorithms=["EdDSA"])


def test_R5_3_the_private_key_is_encrypted_at_rest(issue):
    key = issue().signing_key
    private = personal_data.decrypt(key.private_key_encrypted)
    assert private and private not in key.private_key_encrypted
    assert Ed25519PrivateKey.from_private_bytes(signing.b64url_decode(private)).public_key().public_bytes_raw() \
        == signing.b64url_decode(key.public_key)


def test_R5_3_rotation_retires_the_old_key_which_still_verifies(issue, client):
    old = issue()
    out = StringIO()
    call_command("certificate_keys", "rotate", stdout=out)
    assert "is now active" in out.getvalue()
    new = issue()
    assert new.signing_key_id != old.signing_key_id
    old_key = SigningKey.objects.get(pk=old.signing_key_id)
    assert old_key.status == "retired" and old_key.retired_at and old_key.private_key_encrypted == ""
    assert signing.verify_compact(old.jws).ok and signing.verify_compact(new.jws).ok
    assert services.signature_checks(old) and services.signature_checks(new)
    keys = {k["kid"]: k for k in _jwks(client)["keys"]}
    assert keys[old_key.kid]["status"] == "retired" and keys[old_key.kid]["valid_until"]
    assert keys[new.signing_key.kid]["status"] == "active"
    assert AuditEvent.objects.filter(action="signing_key.rotate").exists()
    assert "private" not in json.dumps(keys) and "d" not in keys[old_key.kid]


def test_R5_3_key_command_generate_refuses_a_second_active_key_and_lists_keys(issue):
    issue()
    with pytest.raises(CommandError):
        call_command("certificate_keys", "generate", stdout=StringIO())
    out = StringIO()
    call_command("certificate_keys", "list", stdout=out)
    assert "EdDSA\tactive" in out.getvalue()


@pytest.mark.parametrize("token", [None, 42, "", "a.b", "a.b.c.d", "!!!.###.$$$", "x" * 100_000,
                                   "eyJ9.eyJ9.AA", "W10.e30.AA"])
def test_R5_3_garbage_tokens_are_refused_without_raising(token):
    check = signing.verify_compact(token)
    assert not check.ok and check.problem


def _resign(jws: str, *, header: dict, key: Ed25519PrivateKey) -> str:
    payload = jws.split(".")[1]
    head = signing.b64url_encode(signing.canonical_json(header))
    signature = key.sign(f"{head}.{payload}".encode())
    return f"{head}.{payload}.{signing.b64url_encode(signature)}"


def test_R5_3_altered_foreign_and_confused_signatures_are_refused(issue):
    certificate = issue()
    kid = certificate.signing_key.kid
    head, payload, signature = certificate.jws.split(".")
    record = json.loads(signing.b64url_decode(payload))
    record["title"] = "正高级工程师"
    altered = f"{head}.{signing.b64url_encode(signing.canonical_json(record))}.{signature}"
    assert signing.verify_compact(altered).problem == "bad_signature"
    stranger = Ed25519PrivateKey.generate()
    assert signing.verify_compact(_resign(certificate.jws, header={"alg": "EdDSA", "kid": "ed25519-evil"},
                                          key=stranger)).problem == "unknown_key"
    assert signing.verify_compact(_resign(certificate.jws, header={"alg": "EdDSA", "kid": kid},
                                          key=stranger)).problem == "bad_signature"
    assert signing.verify_compact(_resign(certificate.jws, header={"alg": "SM2SM3", "kid": kid},
                                          key=stranger)).problem == "algorithm_mismatch"
    assert signing.verify_compact(_resign(certificate.jws, header={"alg": "none", "kid": kid},
                                          key=stranger)).problem == "unsupported"
    assert signing.verify_compact(certificate.jws).ok


def test_R5_3_a_row_edited_behind_the_application_no_longer_matches_its_signature(issue):
    certificate = issue()
    assert services.signature_checks(certificate)
    type(certificate).objects.filter(pk=certificate.pk).update(title_name="正高级工程师")
    certificate = type(certificate).objects.select_related("series", "specialty", "granting_body_region",
                                                           "signing_key", "replaces").get(pk=certificate.pk)
    assert signing.verify_compact(certificate.jws).ok
    assert not records.row_matches_record(certificate)
    assert not services.signature_checks(certificate)


def test_R5_3_SM2_with_SM3_is_selectable_by_setting(issue, settings, client):
    settings.CERTIFICATE_SIGNING_ALGORITHM = "SM2"
    certificate = issue()
    assert certificate.signing_key.algorithm == "SM2SM3"
    head, payload, signature = certificate.jws.split(".")
    assert json.loads(signing.b64url_decode(head)) == {"alg": "SM2SM3", "kid": certificate.signing_key.kid}
    assert signing.verify_compact(certificate.jws).ok and services.signature_checks(certificate)
    jwk = next(k for k in _jwks(client)["keys"] if k["kid"] == certificate.signing_key.kid)
    assert jwk["kty"] == "EC" and jwk["crv"] == "SM2" and jwk["alg"] == "SM2SM3"
    # Independently: gmssl checks r||s over the signing input with the published point.
    public = (signing.b64url_decode(jwk["x"]) + signing.b64url_decode(jwk["y"])).hex()
    verifier = sm2.CryptSM2(private_key=None, public_key="")
    verifier.public_key = public
    assert verifier.verify_with_sm3(signing.b64url_decode(signature).hex(), f"{head}.{payload}".encode())
    tampered = f"{head}.{payload[:-2]}{'AA' if payload[-2:] != 'AA' else 'BB'}.{signature}"
    assert not signing.verify_compact(tampered).ok


def test_R5_3_an_unknown_algorithm_setting_is_a_configuration_error(settings):
    settings.CERTIFICATE_SIGNING_ALGORITHM = "RS256"
    with pytest.raises(ImproperlyConfigured):
        signing.configured_algorithm()
