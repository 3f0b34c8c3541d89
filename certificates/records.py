"""The signed record of a certificate and its public view.

The record is built only from the certificate row (names of series and
specialty are snapshots taken at issue), so it can be rebuilt at any time
and compared with what was signed: a row edited behind the application's
back no longer matches its signature.
"""

from __future__ import annotations

from django.utils import timezone

from certificates.signing import canonical_json
from portal.personal_data import mask_name

RECORD_VERSION = 1
RECORD_TYPE = "xj-title-certificate"


def build_record(certificate) -> dict:
    specialty = None
    if certificate.specialty_id:
        specialty = {"code": certificate.specialty.code, "name": certificate.specialty_name}
    return {
        "v": RECORD_VERSION,
        "type": RECORD_TYPE,
        "number": certificate.number,
        "holder": {
            "name": certificate.holder_name,
            "id_masked": certificate.holder_id_masked,
            "id_hash": certificate.holder_id_hash,
        },
        "series": {"code": certificate.series.code, "name": certificate.series_name},
        "specialty": specialty,
        "level": certificate.level,
        "title": certificate.title_name,
        "method": certificate.method,
        "granting_body": {
            "name": certificate.granting_body_name,
            "region": certificate.granting_body_region.code,
            "filing_number": certificate.filing_number,
        },
        "approval_number": certificate.approval_number,
        "date_granted": certificate.date_granted.isoformat(),
        "date_issued": certificate.date_issued.isoformat(),
        "replaces": certificate.replaces.number if certificate.replaces_id else None,
        "kid": certificate.signing_key.kid,
        "template_version": certificate.template_version,
    }


def record_text(certificate) -> str:
    return canonical_json(build_record(certificate)).decode("utf-8")


def row_matches_record(certificate) -> bool:
    """The row still says what was signed."""
    return record_text(certificate) == certificate.record


def _local_date(moment):
    """The day in Asia/Shanghai (the portal's time zone), not in UTC: a title
    revoked at 07:00 in Urumqi was revoked that day, not the day before."""
    return timezone.localdate(moment) if moment else None


def public_view(certificate, *, signature_valid: bool | None) -> dict:
    """What anyone may see: no ID number, contact details or revocation reason."""
    data = {
        "number": certificate.number,
        "holder_name": mask_name(certificate.holder_name),
        "title": certificate.title_name,
        "series": certificate.series_name,
        "specialty": certificate.specialty_name or None,
        "level": certificate.level,
        "level_display": str(certificate.get_level_display()),
        "method": certificate.method,
        "method_display": str(certificate.get_method_display()),
        "granting_body": certificate.granting_body_name,
        "issuer_region": certificate.granting_body_region.name,
        "date_granted": certificate.date_granted,
        "date_issued": certificate.date_issued,
        "signature_valid": signature_valid,
        "revoked_on": None,
        "revocation_category": None,
        "revocation_category_display": None,
        "superseded_on": None,
    }
    if certificate.status == "revoked":
        data["revoked_on"] = _local_date(certificate.revoked_at)
        data["revocation_category"] = certificate.revocation_category
        data["revocation_category_display"] = str(certificate.get_revocation_category_display())
    if certificate.status == "superseded":
        data["superseded_on"] = _local_date(certificate.superseded_at)
    return data


def public_view_from_record(record: dict) -> dict:
    """The same view, from a signed record alone (a file whose number we do not know)."""
    holder = record.get("holder") if isinstance(record.get("holder"), dict) else {}
    body = record.get("granting_body") if isinstance(record.get("granting_body"), dict) else {}
    series = record.get("series") if isinstance(record.get("series"), dict) else {}
    specialty = record.get("specialty") if isinstance(record.get("specialty"), dict) else {}
    return {
        "number": str(record.get("number", ""))[:40],
        "holder_name": mask_name(str(holder.get("name", ""))[:64]),
        "title": str(record.get("title", ""))[:64],
        "series": str(series.get("name", ""))[:64],
        "specialty": str(specialty.get("name", ""))[:64] or None,
        "level": str(record.get("level", ""))[:20],
        "granting_body": str(body.get("name", ""))[:128],
        "date_granted": str(record.get("date_granted", ""))[:10],
        "date_issued": str(record.get("date_issued", ""))[:10],
    }
