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


def _jwks(client, path: str = "/.well-known/jwks.json") -> dict:
    response = client.get(path)
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
    assert header == {"alg": "EdDSA", "kid": certificate.signing_key.kid, "typ": signing.TYP}
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
    assert json.loads(signing.b64url_decode(head)) == {"alg": "SM2SM3", "kid": certificate.signing_key.kid,
                                                       "typ": signing.TYP}
    assert signing.verify_compact(certificate.jws).ok and services.signature_checks(certificate)
    jwk = next(k for k in _jwks(client, "/.well-known/jwks-sm2.json")["keys"]
               if k["kid"] == certificate.signing_key.kid)
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


# --- Explicit typing and the key sets standard libraries import (issue 14 item 16) ---

def _old_style_jws(certificate) -> str:
    """The certificate signed as before ``typ`` existed: header ``{"alg","kid"}`` only."""
    key = certificate.signing_key
    head = signing.b64url_encode(signing.canonical_json({"alg": key.algorithm, "kid": key.kid}))
    signing_input = f"{head}.{signing.b64url_encode(certificate.record.encode('utf-8'))}"
    signature = signing.BACKENDS[key.algorithm].sign(signing._loaded_private(key), signing_input.encode("ascii"))
    return f"{signing_input}.{signing.b64url_encode(signature)}"


def test_R5_3_the_jws_header_names_its_type(issue):
    certificate = issue()
    header = json.loads(signing.b64url_decode(certificate.jws.split(".")[0]))
    assert header == {"alg": "EdDSA", "kid": certificate.signing_key.kid,
                      "typ": "application/vnd.zhicheng.certificate+jws"}
    assert signing.verify_compact(certificate.jws).ok


def test_R5_3_a_jws_of_another_type_signed_with_our_key_is_not_a_certificate(issue):
    certificate = issue()
    key = certificate.signing_key
    payload = certificate.jws.split(".")[1]
    for typ in ("JWT", "at+jwt", "application/jose", 42):
        head = signing.b64url_encode(signing.canonical_json({"alg": key.algorithm, "kid": key.kid, "typ": typ}))
        signature = signing.BACKENDS[key.algorithm].sign(signing._loaded_private(key), f"{head}.{payload}".encode())
        assert signing.verify_compact(f"{head}.{payload}.{signing.b64url_encode(signature)}").problem == "unsupported"
    # The short form RFC 7515 recommends, in any case, names the same type.
    for typ in ("vnd.zhicheng.certificate+jws", "Application/Vnd.Zhicheng.Certificate+JWS"):
        head = signing.b64url_encode(signing.canonical_json({"alg": key.algorithm, "kid": key.kid, "typ": typ}))
        signature = signing.BACKENDS[key.algorithm].sign(signing._loaded_private(key), f"{head}.{payload}".encode())
        assert signing.verify_compact(f"{head}.{payload}.{signing.b64url_encode(signature)}").ok


def test_R5_3_certificates_signed_before_typ_still_verify(issue):
    certificate = issue()
    old = _old_style_jws(certificate)
    type(certificate).objects.filter(pk=certificate.pk).update(jws=old)
    certificate.refresh_from_db()
    assert "typ" not in json.loads(signing.b64url_decode(old.split(".")[0]))
    assert signing.verify_compact(old).ok and services.signature_checks(certificate)
    result = services.certificate_verify_number(number=certificate.number, name="张三丰")
    assert result.public()["signature_valid"] is True


def test_R5_3_joserfc_verifies_an_issued_certificate_against_the_served_jwks(issue, client, settings):
    """A JOSE library the portal does not use imports the served key set whole
    (an SM2 key exists too) and verifies the certificate with it."""
    from joserfc import jws as joserfc_jws
    from joserfc.errors import BadSignatureError
    from joserfc.jwk import KeySet

    settings.CERTIFICATE_SIGNING_ALGORITHM = "SM2"
    sm2_certificate = issue(grant_key="application:sm2")
    settings.CERTIFICATE_SIGNING_ALGORITHM = "EdDSA"
    certificate = issue()
    assert certificate.signing_key.algorithm == "EdDSA" and sm2_certificate.signing_key.algorithm == "SM2SM3"

    served = _jwks(client)
    assert [k["kid"] for k in served["keys"]] == [certificate.signing_key.kid]
    key_set = KeySet.import_key_set(served)
    verified = joserfc_jws.deserialize_compact(certificate.jws, key_set, algorithms=["EdDSA"])
    assert verified.protected == {"alg": "EdDSA", "kid": certificate.signing_key.kid, "typ": signing.TYP}
    assert verified.payload == certificate.record.encode("utf-8")
    assert json.loads(verified.payload)["number"] == certificate.number
    forged = certificate.jws[:-4] + ("AAAA" if certificate.jws[-4:] != "AAAA" else "BBBB")
    with pytest.raises(BadSignatureError):
        joserfc_jws.deserialize_compact(forged, key_set, algorithms=["EdDSA"])
    # A certificate from before ``typ`` verifies the same way.
    old = joserfc_jws.deserialize_compact(_old_style_jws(certificate), key_set, algorithms=["EdDSA"])
    assert old.payload == certificate.record.encode("utf-8")


def test_R5_3_SM2_keys_are_served_apart_from_the_standard_key_set(issue, client, settings):
    issue()
    settings.CERTIFICATE_SIGNING_ALGORITHM = "SM2"
    sm2_certificate = issue(grant_key="application:sm2")
    standard = client.get("/.well-known/jwks.json")
    assert {k["crv"] for k in standard.json()["keys"]} == {"Ed25519"}
    assert "/.well-known/jwks-sm2.json" in standard["Link"]
    national = client.get("/.well-known/jwks-sm2.json")
    assert national.status_code == 200 and national["Content-Type"] == "application/json"
    assert national["Access-Control-Allow-Origin"] == "*"
    keys = national.json()["keys"]
    assert [(k["kid"], k["kty"], k["crv"], k["alg"]) for k in keys] == \
        [(sm2_certificate.signing_key.kid, "EC", "SM2", "SM2SM3")]
    assert "d" not in keys[0]
    assert client.post("/.well-known/jwks-sm2.json").status_code == 405
