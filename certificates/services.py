"""Every write of the certificates app, one function per use case (R5.3, R6.3).

Issuing takes a ``grant_key`` naming the granted title (the review app
passes ``"application:42"``) and nothing of the Application model, so this
app sits below ``review``. A database constraint keeps one live
certificate per grant key; issuing again with the same key returns the
existing certificate, which makes retries and duplicate task messages
harmless.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import logging
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from applications.models import Level, Specialty, TitleSeries
from certificates import fonts, granting_bodies, numbering, records, signing
from certificates import text as certificate_text
from certificates.models import (
    Certificate,
    IssueBatch,
    IssueBatchItem,
    SigningAlgorithm,
    SigningKey,
    VerificationEvent,
)
from certificates.pdffile import UnreadablePdf, extract_jws
from certificates.rendering import TEMPLATE_VERSION, get_renderer, printed_texts, site_url, uyghur_texts_prime
from certificates.selectors import CERTIFICATE_JOINS, issuer_regions_for_officer
from certificates.workflow import BUREAU_OF_ISSUER, CERTIFICATE_WORKFLOW
from portal import spreadsheets
from portal.audit import audit_record, audit_record_many, snapshot
from portal.errors import Conflict, InvalidInput, NotAllowed, NotFound, PortalError, RuleViolation
from portal.models import Organization, Region, Role, Topic, User
from portal.notifications import notification_send, notification_send_each
from portal.storage import unguessable_name

logger = logging.getLogger(__name__)

AUDIT_FIELDS = ("number", "status", "grant_key", "holder", "series", "specialty", "level", "title_name", "method",
                "granting_body_name", "granting_body_region", "filing_number", "approval_number", "date_granted",
                "date_issued", "signing_key", "revocation_category", "replaces", "qr_enabled")
# Not audited: the granting body's English and Uyghur names, derived from the committee's or region's names
# at issue (certificates.granting_bodies); the audit trail records the printed name it was derived from.
MAX_BATCH = 10_000


def _setting(name: str, default):
    return getattr(settings, name, default)


# --- Signing keys ------------------------------------------------------------

def signing_key_generate(*, algorithm: str, actor: User | None = None) -> SigningKey:
    """The first key of an algorithm; use :func:`signing_key_rotate` after."""
    if algorithm not in SigningAlgorithm.values:
        raise InvalidInput(_("Unknown signing algorithm."))
    try:
        with transaction.atomic():
            if SigningKey.objects.filter(algorithm=algorithm, status=SigningKey.Status.ACTIVE).exists():
                raise Conflict(_("An active %(alg)s key exists already; rotate it instead.") % {"alg": algorithm})
            key = SigningKey.objects.create(valid_from=timezone.now(), created_by=actor,
                                            **signing.new_key_material(algorithm))
            audit_record(actor=actor, action="signing_key.generate", obj=key,
                         after={"kid": key.kid, "algorithm": algorithm})
    except IntegrityError:
        raise Conflict(_("An active %(alg)s key exists already; rotate it instead.") % {"alg": algorithm})
    return key


def signing_key_rotate(*, algorithm: str, actor: User | None = None) -> SigningKey:
    """Retire the active key (its private half is wiped; it still verifies)
    and make a new one active."""
    if algorithm not in SigningAlgorithm.values:
        raise InvalidInput(_("Unknown signing algorithm."))
    with transaction.atomic():
        old = SigningKey.objects.select_for_update().filter(algorithm=algorithm,
                                                            status=SigningKey.Status.ACTIVE).first()
        now = timezone.now()
        if old is not None:
            old.status = SigningKey.Status.RETIRED
            old.retired_at = now
            old.private_key_encrypted = ""
            old.save(update_fields=["status", "retired_at", "private_key_encrypted"])
            transaction.on_commit(lambda kid=old.kid: signing.forget_private_key(kid))
        key = SigningKey.objects.create(valid_from=now, created_by=actor, **signing.new_key_material(algorithm))
        audit_record(actor=actor, action="signing_key.rotate", obj=key,
                     before={"kid": old.kid if old else None}, after={"kid": key.kid, "algorithm": algorithm})
    return key


def _active_signing_key() -> SigningKey:
    algorithm = signing.configured_algorithm()
    key = SigningKey.objects.filter(algorithm=algorithm, status=SigningKey.Status.ACTIVE).first()
    if key is not None:
        return key
    if not _setting("CERTIFICATE_AUTO_GENERATE_KEY", True):
        raise Conflict(_("No active signing key: run “manage.py certificate_keys generate”."))
    try:
        return signing_key_generate(algorithm=algorithm)
    except Conflict:  # another process generated it meanwhile
        return SigningKey.objects.get(algorithm=algorithm, status=SigningKey.Status.ACTIVE)


# --- Issuing -----------------------------------------------------------------

def _issuer_roles(actor: User | None, region: Region) -> set[str]:
    if actor is None or not actor.is_authenticated or not actor.has_role(Role.BUREAU_OFFICER):
        return set()
    if issuer_regions_for_officer(user=actor).filter(pk=region.pk).exists():
        return {BUREAU_OF_ISSUER}
    return set()


def _require_issuer(actor: User | None, region: Region) -> None:
    """``None`` is the system (the review app filing results); a person must
    be an officer of the issuer region's bureau (or the region above)."""
    if actor is not None and not _issuer_roles(actor, region):
        raise NotAllowed(_("Only the HR bureau of the issuing region may issue its certificates (R5.3)."),
                         rule="R5.3")


def _check_printable(label: str, value: str, *, is_name: bool = False) -> None:
    bad = (certificate_text.bad_name_characters(value) if is_name
           else certificate_text.bad_text_characters(value))
    if bad:
        raise InvalidInput(
            _("%(field)s contains %(chars)s, which is not a character of GB 18030 or not allowed here.")
            % {"field": label, "chars": ", ".join(certificate_text.describe(c) for c in bad[:3])})
    try:
        missing = fonts.uncovered(value)
    except fonts.FontsUnavailable:  # this host has no fonts; the worker checks again before rendering
        missing = []
    if missing:
        raise InvalidInput(
            _("%(field)s contains %(chars)s, which no certificate font can print; "
              "please contact the bureau to register the character.")
            % {"field": label, "chars": ", ".join(certificate_text.describe(c) for c in missing[:3])})


@dataclass
class _Grant:
    grant_key: str
    holder: User
    series: TitleSeries
    specialty: Specialty | None
    level: str
    title_name: str
    method: str
    granting_body_name: str
    granting_body_region: Region
    filing_number: str
    approval_number: str
    date_granted: dt.date
    granting_body_name_en: str = ""
    granting_body_name_ug: str = ""


def _clean_grant(*, grant_key, holder, series, specialty, level, title_name, method, granting_body_name,
                 granting_body_region, filing_number, approval_number, date_granted,
                 granting_body_names: tuple[str, str] | None = None, names_memo: dict | None = None) -> _Grant:
    """The grant, checked. ``granting_body_names`` (English, Uyghur) are taken from the committee or
    bureau printed as ``granting_body_name`` unless given (a reissue keeps the old certificate's);
    ``names_memo`` keeps them across a chunk (``granting_bodies.names_for``)."""
    grant_key = (grant_key or "").strip()
    if not grant_key or len(grant_key) > 100:
        raise InvalidInput(_("A certificate needs the key of its granted title (at most 100 characters)."),
                           field="grant_key")
    if holder is None or not holder.id_number_hash:
        raise InvalidInput(_("The holder has no verified ID number; a certificate cannot be issued."),
                           field="holder")
    if level not in Level.values:
        raise InvalidInput(_("Unknown level."), field="level")
    if method not in Certificate.Method.values:
        raise InvalidInput(_("Unknown method of granting."), field="method")
    if specialty is not None and specialty.series_id != series.pk:
        raise InvalidInput(_("The specialty does not belong to the series."), field="specialty")
    if not isinstance(date_granted, dt.date) or isinstance(date_granted, dt.datetime):
        raise InvalidInput(_("Enter the date the title was granted."), field="date_granted")
    if date_granted > timezone.localdate():
        raise InvalidInput(_("The date granted cannot be in the future."), field="date_granted")
    values = {
        "title_name": (title_name or "").strip(),
        "granting_body_name": (granting_body_name or "").strip(),
        "filing_number": (filing_number or "").strip(),
        "approval_number": (approval_number or "").strip(),
    }
    limits = {"title_name": 64, "granting_body_name": 128, "filing_number": 64, "approval_number": 64}
    labels = {"title_name": _("The title"), "granting_body_name": _("The granting body"),
              "filing_number": _("The filing number"), "approval_number": _("The approval number")}
    for name, value in values.items():
        if not value or len(value) > limits[name]:
            raise InvalidInput(_("%(field)s is required (at most %(n)d characters).")
                               % {"field": labels[name], "n": limits[name]}, field=name)
        _check_printable(labels[name], value)
    holder_name = certificate_text.clean_name(holder.real_name)
    if not holder_name or len(holder_name) > certificate_text.MAX_NAME_LENGTH:
        raise InvalidInput(_("The holder's name is missing or too long."), field="holder")
    _check_printable(_("The holder's name"), holder_name, is_name=True)
    if granting_body_names is None:
        granting_body_names = granting_bodies.names_for(values["granting_body_name"], granting_body_region,
                                                        memo=names_memo)
    return _Grant(grant_key=grant_key, holder=holder, series=series, specialty=specialty, level=level,
                  method=method, granting_body_region=granting_body_region, date_granted=date_granted,
                  granting_body_name_en=granting_body_names[0], granting_body_name_ug=granting_body_names[1],
                  **values)


def _live_for_grant(grant_key: str) -> Certificate | None:
    return (Certificate.objects.filter(grant_key=grant_key).exclude(status=Certificate.Status.SUPERSEDED)
            .first())


def _same_grant(existing: Certificate, holder: User) -> Certificate:
    if existing.holder_id != holder.pk:
        raise Conflict(_("This granted title already has a certificate for another person."))
    return existing


def _build(grant: _Grant, *, key: SigningKey, serial: int, series_code: str, today: dt.date,
           replaces: Certificate | None = None) -> Certificate:
    """An unsaved, numbered and signed certificate of the grant."""
    region, holder = grant.granting_body_region, grant.holder
    certificate = Certificate(
        number=numbering.format_number(region.code, today.year, series_code, serial),
        grant_key=grant.grant_key, year=today.year, series_code=series_code, serial=serial,
        holder=holder, holder_name=certificate_text.clean_name(holder.real_name),
        holder_id_masked=holder.id_number_masked, holder_id_hash=holder.id_number_hash,
        series=grant.series, series_name=grant.series.name, specialty=grant.specialty,
        specialty_name=grant.specialty.name if grant.specialty else "", level=grant.level,
        title_name=grant.title_name, method=grant.method, granting_body_name=grant.granting_body_name,
        granting_body_name_en=grant.granting_body_name_en, granting_body_name_ug=grant.granting_body_name_ug,
        granting_body_region=region, filing_number=grant.filing_number, approval_number=grant.approval_number,
        date_granted=grant.date_granted, date_issued=today, template_version=TEMPLATE_VERSION,
        signing_key=key, replaces=replaces,
    )
    certificate.record = records.record_text(certificate)
    certificate.jws = signing.sign_compact(payload=certificate.record.encode("utf-8"), key=key)
    certificate.full_clean(validate_unique=False, validate_constraints=False,
                           exclude=["holder", "series", "specialty", "granting_body_region", "signing_key",
                                    "replaces", "revoked_by", "pdf"])
    return certificate


def _issued_message(certificate: Certificate) -> tuple:
    """(holder, subject, body, url); the texts are rendered in the holder's language."""
    return (certificate.holder,
            lambda: _("Your certificate is issued: %(title)s, No. %(number)s")
            % {"title": certificate.title_display, "number": certificate.number},
            lambda: _("Download the PDF from your certificates page; anyone can verify it there by its number and "
                      "your name, or by its QR code. The page also shows who verified it."),
            reverse("my-certificate-detail", args=[certificate.pk]))


def _create(grant: _Grant, *, key: SigningKey, actor: User | None,
            replaces: Certificate | None = None, email_now: bool = True) -> Certificate:
    """Number, sign and save one certificate; call inside a transaction."""
    today = timezone.localdate()
    series_code = numbering.series_code_for(grant.series.code)
    # A second certificate for the same title fails on the partial unique
    # constraint at INSERT; the whole transaction rolls back, the counter
    # with it, and the caller returns the first certificate: no gap.
    serial = numbering.next_serial(region=grant.granting_body_region, year=today.year, series_code=series_code)
    certificate = _build(grant, key=key, serial=serial, series_code=series_code, today=today, replaces=replaces)
    certificate.save(force_insert=True)
    audit_record(actor=actor, action="certificate.reissue" if replaces else "certificate.issue", obj=certificate,
                 after=snapshot(certificate, AUDIT_FIELDS))
    notification_send_each(messages=[_issued_message(certificate)], email_now=email_now, topic=Topic.RESULT)
    return certificate


def _create_many(grants: list[_Grant], *, key: SigningKey, actor: User | None) -> list[Certificate]:
    """Number, sign and save several certificates in one transaction: one
    counter update per issuer and series (consecutive numbers, taken in a
    fixed order so that chunks never deadlock), one INSERT of the
    certificates, of their audit events and of their notifications (whose
    emails wait in the outbox). A duplicate grant rolls everything back."""
    today = timezone.localdate()
    groups: dict[tuple[int, str], list[_Grant]] = {}
    for grant in grants:
        series_code = numbering.series_code_for(grant.series.code)
        groups.setdefault((grant.granting_body_region.pk, series_code), []).append(grant)
    with transaction.atomic():
        certificates = []
        for (_region_pk, series_code), members in sorted(groups.items()):
            serials = numbering.next_serials(region=members[0].granting_body_region, year=today.year,
                                             series_code=series_code, count=len(members))
            certificates += [_build(grant, key=key, serial=serial, series_code=series_code, today=today)
                             for serial, grant in zip(serials, members, strict=True)]
        Certificate.objects.bulk_create(certificates)
        if not all(c.pk for c in certificates):  # a database that returns no ids from bulk_create
            ids = dict(Certificate.objects.filter(grant_key__in=[c.grant_key for c in certificates])
                       .exclude(status=Certificate.Status.SUPERSEDED).values_list("grant_key", "pk"))
            for certificate in certificates:
                certificate.pk = ids[certificate.grant_key]
        audit_record_many(entries=[{"actor": actor, "action": "certificate.issue", "obj": c,
                                    "after": snapshot(c, AUDIT_FIELDS)} for c in certificates])
        notification_send_each(messages=[_issued_message(c) for c in certificates], email_now=False,
                               topic=Topic.RESULT)
    return certificates


def _enqueue_render(certificate_id: int) -> None:
    from certificates.tasks import render_certificate_pdf

    transaction.on_commit(lambda: render_certificate_pdf.delay(certificate_id))


def certificate_issue(*, grant_key: str, holder: User, series: TitleSeries, specialty: Specialty | None, level: str,
                      title_name: str, method: str, granting_body_name: str, granting_body_region: Region,
                      filing_number: str, approval_number: str, date_granted: dt.date, actor: User | None,
                      enqueue_render: bool = True) -> Certificate:
    """R5.3: the certificate of a granted title, or the existing one.

    ``actor`` is ``None`` when the system issues (the review app filing a
    result); otherwise an officer of the issuing region's bureau. The PDF
    is rendered by a Celery task after commit (``enqueue_render=False``
    leaves that to the caller, as batch tasks do).
    """
    _require_issuer(actor, granting_body_region)
    grant = _clean_grant(grant_key=grant_key, holder=holder, series=series, specialty=specialty, level=level,
                         title_name=title_name, method=method, granting_body_name=granting_body_name,
                         granting_body_region=granting_body_region, filing_number=filing_number,
                         approval_number=approval_number, date_granted=date_granted)
    return _issue_grant(grant, actor=actor, enqueue_render=enqueue_render)


def _issue_grant(grant: _Grant, *, actor: User | None, enqueue_render: bool, email_now: bool = True) -> Certificate:
    """Issue the cleaned grant, or return its existing certificate."""
    key = _active_signing_key()
    try:
        with transaction.atomic():
            certificate = _create(grant, key=key, actor=actor, email_now=email_now)
            if enqueue_render:
                _enqueue_render(certificate.pk)
    except IntegrityError:  # issued before (a retry, a duplicate message), maybe concurrently
        existing = _live_for_grant(grant.grant_key)
        if existing is None:
            raise Conflict()
        return _same_grant(existing, grant.holder)
    return certificate


# --- The PDF -------------------------------------------------------------------

def _code_hash(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


@dataclass
class _Rendered:
    """A PDF rendered and written to storage, not yet recorded."""

    certificate: Certificate
    generation: int
    stored: str
    sha256: str
    code_hash: str
    rendered_at: dt.datetime


@dataclass
class _Page:
    """A certificate's page, ready to render: HTML with a fresh QR code."""

    certificate: Certificate
    generation: int
    html: str
    code: str


def _page(certificate: Certificate) -> _Page:
    """Check the printed texts against the fonts and build the page with a
    fresh QR code (random, 120 bits; only its hash is kept)."""
    for value in printed_texts(certificate):
        missing = fonts.uncovered(value)
        if missing:
            raise InvalidInput(_("%(chars)s cannot be printed with the certificate fonts.")
                               % {"chars": ", ".join(certificate_text.describe(c) for c in missing[:3])})
    code = secrets.token_urlsafe(15)
    html = get_renderer().html(certificate, qr_url=site_url(reverse("certificate-verify-code", args=[code])))
    return _Page(certificate=certificate, generation=certificate.pdf_requested_generation, html=html, code=code)


def _render_and_store(page: _Page) -> _Rendered:
    """Render the page to PDF and write it to storage."""
    certificate = page.certificate
    pdf = get_renderer().write_pdf(page.html, jws=certificate.jws)
    # Written once under a new random key (never the certificate's public number): a new rendering
    # is a new object, and the one it replaces is deleted only after the new one is recorded.
    stored = default_storage.save(unguessable_name(f"certificates/{certificate.date_issued:%Y}/new.pdf"),
                                  ContentFile(pdf))
    return _Rendered(certificate=certificate, generation=page.generation, stored=stored,
                     sha256=hashlib.sha256(pdf).hexdigest(), code_hash=_code_hash(page.code),
                     rendered_at=timezone.now())


def _record_rendered(rendered: list[_Rendered], *, also_in_transaction=None) -> set[int]:
    """Record stored PDFs in one transaction; returns the ids of the
    certificates recorded. A PDF is recorded only if still wanted (no other
    rendering recorded meanwhile, no newer one asked for); the other files
    are deleted, and so are the files the recorded ones replace.
    ``also_in_transaction()`` runs in the same transaction (a batch marks
    its items issued in the same commit)."""
    recorded, replaced = set(), []
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if rendered:
            if outermost and connection.vendor == "postgresql":
                # A PDF can always be rendered again (the worker that starts
                # next re-queues it), so this commit need not wait for the disk.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            # The file each recorded one replaces, read under the row locks the updates take.
            current = dict(Certificate.objects.select_for_update().filter(pk__in=[r.certificate.pk for r in rendered])
                           .values_list("pk", "pdf"))
            for r in rendered:
                # One UPDATE per row (its own condition and its own answer):
                # cheaper than bulk_update's CASE expressions for ten rows.
                if r.certificate.pk not in recorded and Certificate.objects.filter(
                        pk=r.certificate.pk, pdf_generation__lt=r.generation, pdf_requested_generation=r.generation,
                ).update(pdf=r.stored, pdf_sha256=r.sha256, pdf_generation=r.generation, qr_code_hash=r.code_hash,
                         pdf_rendered_at=r.rendered_at, updated_at=r.rendered_at):
                    recorded.add(r.certificate.pk)
                    replaced.append(current.get(r.certificate.pk, ""))
        if also_in_transaction is not None:
            also_in_transaction()
    for r in rendered:
        if r.certificate.pk not in recorded:
            default_storage.delete(r.stored)
    stored = {r.stored for r in rendered}
    for name in replaced:
        if name and name not in stored:
            transaction.on_commit(partial(default_storage.delete, name))
    return recorded


def certificate_render_pdf(*, certificate_id: int) -> bool:
    """Render and store the PDF the certificate is waiting for; idempotent.

    Each rendering draws a fresh QR code. Returns False when there was
    nothing to do.
    """
    certificate = Certificate.objects.filter(pk=certificate_id).select_related(*CERTIFICATE_JOINS).first()
    if certificate is None or certificate.pdf_generation >= certificate.pdf_requested_generation:
        return False
    return bool(_record_rendered([_render_and_store(_page(certificate))]))


def _holder_certificate(actor: User, certificate_id: int) -> Certificate:
    certificate = Certificate.objects.select_for_update().filter(pk=certificate_id).first()
    if certificate is None or certificate.holder_id != actor.pk:
        raise NotFound()
    return certificate


def certificate_qr_set(*, actor: User, certificate_id: int, enabled: bool) -> Certificate:
    """The holder turns verification by QR code off or on again."""
    with transaction.atomic():
        certificate = _holder_certificate(actor, certificate_id)
        if certificate.qr_enabled == enabled:
            return certificate
        certificate.qr_enabled = enabled
        certificate.save(update_fields=["qr_enabled", "updated_at"])
        audit_record(actor=actor, action="certificate.qr_enable" if enabled else "certificate.qr_disable",
                     obj=certificate, before={"qr_enabled": not enabled}, after={"qr_enabled": enabled})
    return certificate


def certificate_qr_replace(*, actor: User, certificate_id: int) -> Certificate:
    """The old QR code stops verifying now; a new PDF with a new code follows."""
    with transaction.atomic():
        certificate = _holder_certificate(actor, certificate_id)
        certificate.qr_code_hash = None
        certificate.qr_enabled = True
        certificate.pdf_requested_generation = F("pdf_requested_generation") + 1
        certificate.save(update_fields=["qr_code_hash", "qr_enabled", "pdf_requested_generation", "updated_at"])
        certificate.refresh_from_db(fields=["pdf_requested_generation"])
        audit_record(actor=actor, action="certificate.qr_replace", obj=certificate,
                     after={"pdf_generation": certificate.pdf_requested_generation})
        _enqueue_render(certificate.pk)
    return certificate


# --- Revocation and corrected re-issue (R6.3) ------------------------------------

def _lock_for_bureau(actor: User, certificate_id: int, action: str) -> Certificate:
    certificate = (Certificate.objects.select_for_update(of=("self",)).select_related(*CERTIFICATE_JOINS)
                   .filter(pk=certificate_id).first())
    if certificate is None:
        raise NotFound()
    CERTIFICATE_WORKFLOW.check(action=action, current=certificate.status,
                               roles=_issuer_roles(actor, certificate.granting_body_region))
    return certificate


def _clean_revocation_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason or len(reason) > 2000:
        raise InvalidInput(_("Record the reason for revocation (at most 2000 characters)."), field="reason")
    return reason


def _revoke(certificate: Certificate, *, actor: User, reason: str, category: str, recorded_reason: str,
            holder_body, audit_extra: dict | None = None) -> Certificate:
    """Revoke the locked certificate, audited; the holder is notified."""
    before = snapshot(certificate, AUDIT_FIELDS)
    certificate.status = Certificate.Status.REVOKED
    certificate.revoked_at = timezone.now()
    certificate.revoked_by = actor
    certificate.revocation_category = category
    certificate.revocation_reason = recorded_reason
    certificate.save(update_fields=["status", "revoked_at", "revoked_by", "revocation_category",
                                    "revocation_reason", "updated_at"])
    audit_record(actor=actor, action="certificate.revoke", obj=certificate, before=before,
                 after={**snapshot(certificate, AUDIT_FIELDS), **(audit_extra or {})}, reason=reason)
    notification_send(
        recipients=[certificate.holder], topic=Topic.RESULT,
        subject=lambda: _("Your certificate %(number)s has been revoked") % {"number": certificate.number},
        body=holder_body, url=reverse("my-certificate-detail", args=[certificate.pk]),
    )
    return certificate


def certificate_revoke(*, actor: User, certificate_id: int, reason: str, reason_category: str) -> Certificate:
    """R6.3: a bureau officer revokes with a recorded reason (audited, never
    public); verification shows the public category from now on."""
    reason = _clean_revocation_reason(reason)
    if reason_category not in Certificate.RevocationCategory.values:
        raise InvalidInput(_("Choose the public category of the reason."), field="reason_category")
    with transaction.atomic():
        certificate = _lock_for_bureau(actor, certificate_id, "revoke")
        return _revoke(certificate, actor=actor, reason=reason, category=reason_category, recorded_reason=reason,
                       holder_body=lambda: _("Category: %(category)s. Reason recorded by the bureau: %(reason)s")
                       % {"category": Certificate.RevocationCategory(reason_category).label, "reason": reason})


_UNCHANGED = object()


def certificate_reissue(*, actor: User, certificate_id: int, reason: str, title_name: str | None = None,
                        specialty: Specialty | None | object = _UNCHANGED, level: str | None = None,
                        method: str | None = None, granting_body_name: str | None = None,
                        filing_number: str | None = None, approval_number: str | None = None,
                        date_granted: dt.date | None = None) -> Certificate:
    """A corrected certificate with a new number; the old one is superseded.

    The holder's name is taken from the account again, so a misspelt name
    is corrected by fixing the account first.
    """
    reason = (reason or "").strip()
    if not reason or len(reason) > 2000:
        raise InvalidInput(_("Record what is corrected (at most 2000 characters)."), field="reason")
    key = _active_signing_key()
    with transaction.atomic():
        old = _lock_for_bureau(actor, certificate_id, "supersede")
        same_body = not granting_body_name or granting_body_name.strip() == old.granting_body_name
        grant = _clean_grant(
            grant_key=old.grant_key, holder=old.holder, series=old.series,
            specialty=old.specialty if specialty is _UNCHANGED else specialty,
            level=level or old.level, title_name=title_name or old.title_name, method=method or old.method,
            granting_body_name=granting_body_name or old.granting_body_name,
            granting_body_region=old.granting_body_region, filing_number=filing_number or old.filing_number,
            approval_number=approval_number or old.approval_number, date_granted=date_granted or old.date_granted,
            # The same body keeps the names the old certificate was issued with (a later rename of the
            # committee is not a correction of this certificate); another body is named afresh.
            granting_body_names=((old.granting_body_name_en, old.granting_body_name_ug) if same_body else None))
        before = snapshot(old, AUDIT_FIELDS)
        old.status = Certificate.Status.SUPERSEDED
        old.superseded_at = timezone.now()
        old.save(update_fields=["status", "superseded_at", "updated_at"])
        audit_record(actor=actor, action="certificate.supersede", obj=old, before=before,
                     after=snapshot(old, AUDIT_FIELDS), reason=reason)
        certificate = _create(grant, key=key, actor=actor, replaces=old)
        _enqueue_render(certificate.pk)
    return certificate


# --- Verification ------------------------------------------------------------------

@dataclass
class Verification:
    """The answer to "is this certificate valid?". ``not_found`` is the same
    for an unknown number and a wrong name; ``hint`` is ``check_number``
    only when the number itself is mistyped (the check character says so
    without looking anything up)."""

    status: str
    hint: str = ""
    certificate: Certificate | None = None
    signature_valid: bool | None = None

    @property
    def found(self) -> bool:
        return self.certificate is not None

    def public(self) -> dict:
        data = {"status": self.status}
        if self.hint:
            data["hint"] = self.hint
        if self.certificate is not None:
            data.update(records.public_view(self.certificate, signature_valid=self.signature_valid))
        return data


def signature_checks(certificate: Certificate) -> bool:
    """The stored JWS verifies against a known key and says what the row says."""
    check = signing.verify_compact(certificate.jws)
    return (check.ok and check.payload_bytes == certificate.record.encode("utf-8")
            and records.row_matches_record(certificate))


def clean_query_name(name: str) -> str:
    name = certificate_text.clean_name(name)
    if not name:
        raise InvalidInput(_("Enter the holder's name."), field="name")
    if len(name) > certificate_text.MAX_NAME_LENGTH:
        raise InvalidInput(_("The name is too long."), field="name")
    bad = certificate_text.bad_name_characters(name)
    if bad:
        raise InvalidInput(_("The name contains %(chars)s, which is not a character of GB 18030 or not used in names.")
                           % {"chars": ", ".join(certificate_text.describe(c) for c in bad[:3])}, field="name")
    return name


#: The columns a public check reads (issue 15): one narrow query on the
#: certificate row (unique index on ``number``) and its issuer region.
PUBLIC_FIELDS = ("number", "holder_name", "title_name", "series_name", "specialty_name", "level", "method",
                 "granting_body_name", "granting_body_region__name", "date_granted", "date_issued", "status",
                 "revoked_at", "revocation_category", "superseded_at", "updated_at", "signing_key_id")
#: Signature verdicts by row version, in this process (bounded), in front of the shared cache.
_VERDICTS: dict[str, bool] = {}
_VERDICTS_MAX = 50_000


def _verdict_key(certificate: Certificate) -> str:
    version = certificate.updated_at.timestamp() if certificate.updated_at else 0
    return f"certificates:verdict:{certificate.pk}:{version:.6f}:{certificate.signing_key_id}"


def signature_verdict(certificate: Certificate) -> bool:
    """``signature_checks`` of the row, computed once per row version (at
    issue, or on the first check after a change) and cached against that
    version: any save of the row moves ``updated_at`` and so the key."""
    from django.core.cache import cache

    key = _verdict_key(certificate)
    verdict = _VERDICTS.get(key)
    if verdict is None:
        verdict = cache.get(key)
        if verdict is None:
            full = Certificate.objects.select_related(*CERTIFICATE_JOINS).get(pk=certificate.pk)
            verdict = signature_checks(full)
            cache.set(key, verdict, 30 * 24 * 3600)
        if len(_VERDICTS) >= _VERDICTS_MAX:
            _VERDICTS.clear()
        _VERDICTS[key] = verdict
    return verdict


def signature_verdict_warm(certificate_ids: Iterable[int]) -> None:
    """Compute and cache the verdicts of newly issued certificates."""
    for certificate in Certificate.objects.filter(pk__in=list(certificate_ids)).only(*PUBLIC_FIELDS).select_related(
            "granting_body_region"):
        signature_verdict(certificate)


def _found(certificate: Certificate) -> Verification:
    return Verification(status=certificate.status, certificate=certificate,
                        signature_valid=signature_verdict(certificate))


def _record_events(certificates: Iterable[tuple[Certificate, str]], *, channel: str,
                   organization: Organization | None) -> None:
    from certificates.verification_log import events_record

    events_record([(c.pk, channel, result, organization.pk if organization else None) for c, result in certificates])


@functools.lru_cache(maxsize=16)
def _public_sql(keys: tuple[str, ...], flags: tuple[tuple[str, bool], ...], vendor: str):
    """The narrow public read for these lookups, compiled once per process
    (``connection`` follows each thread's own connection; compiling the query cost more than running it; issue 15):
    its SQL, and the converters that turn the database's values into Python
    ones as the ORM would."""
    lookup = {**{k: "?" for k in keys}, **dict(flags)}
    qs = Certificate.objects.filter(**lookup).order_by().values_list("pk", *PUBLIC_FIELDS)[:1]
    compiler = qs.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    if len(params) != len(keys):
        raise ValueError("unexpected parameters")
    converters = compiler.get_converters([column for column, _sql, _alias in compiler.select])
    return sql, compiler, converters


def _public_row(**lookup) -> Certificate | None:
    """The public columns of one certificate (unique index on ``number`` or
    ``qr_code_hash``) and its issuer region's name, as an unsaved instance."""
    keys = tuple(sorted(k for k, v in lookup.items() if not isinstance(v, bool)))
    flags = tuple(sorted((k, v) for k, v in lookup.items() if isinstance(v, bool)))
    sql, compiler, converters = _public_sql(keys, flags, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [lookup[k] for k in keys])
        row = cursor.fetchone()
    if row is None:
        return None
    if converters:
        row = next(iter(compiler.apply_converters([row], converters)))
    values = dict(zip(("pk", *PUBLIC_FIELDS), row, strict=True))
    region = Region(name=values.pop("granting_body_region__name"))
    certificate = Certificate(id=values.pop("pk"), **values)
    certificate.granting_body_region = region
    return certificate


def _match(number: str, name: str) -> Verification:
    try:
        parsed = numbering.parse_number(number)
    except numbering.NumberError:
        return Verification(status="not_found", hint="check_number")
    certificate = _public_row(number=parsed.formatted)
    if certificate is None:
        return Verification(status="not_found")
    from certificates import public_records

    if public_records.enabled():  # the next check of this number is answered from Redis
        public_records.store(certificate, signature_valid=signature_verdict(certificate))
    if not certificate_text.same_name(certificate.holder_name, name):
        return Verification(status="not_found")
    return _found(certificate)


def certificate_verify_number(*, number: str, name: str, channel: str = VerificationEvent.Channel.NUMBER,
                              verifier: User | None = None) -> Verification:
    """Anyone: a certificate by number and the holder's name."""
    name = clean_query_name(name)
    if not (number or "").strip():
        raise InvalidInput(_("Enter the certificate number."), field="number")
    result = _match(number, name)
    if result.found:
        from certificates.selectors import verifier_organization

        _record_events([(result.certificate, result.status)], channel=channel,
                       organization=verifier_organization(user=verifier))
    return result


CODE_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def certificate_verify_code(*, code: str, verifier: User | None = None) -> Verification:
    """Anyone: the certificate behind a QR code (off or replaced: not found)."""
    code = code or ""
    if not 16 <= len(code) <= 64 or not set(code) <= CODE_ALPHABET:
        return Verification(status="not_found")
    certificate = _public_row(qr_code_hash=_code_hash(code), qr_enabled=True)
    if certificate is None:
        return Verification(status="not_found")
    from certificates.selectors import verifier_organization

    result = _found(certificate)
    _record_events([(certificate, result.status)], channel=VerificationEvent.Channel.QR,
                   organization=verifier_organization(user=verifier))
    return result


@dataclass
class FileVerification:
    """What an uploaded PDF turned out to be.

    ``outcome``: ``valid`` | ``revoked`` | ``superseded`` (genuine, unaltered,
    status from the database) | ``modified`` (genuine record, but the file is
    not the one issued, or not its current copy) | ``unknown`` (genuine
    signature, but not a certificate of this register) | ``not_genuine``
    (the signature does not check against a published key) | ``no_record``
    (a PDF without a signed record) | ``unreadable``.
    """

    outcome: str
    genuine: bool = False
    unaltered: bool = False
    certificate: Certificate | None = None
    record: dict | None = field(default=None)
    problem: str = ""

    @property
    def is_valid(self) -> bool:
        return self.outcome == "valid"

    def public(self) -> dict:
        data = {"outcome": self.outcome, "valid": self.is_valid, "genuine": self.genuine,
                "unaltered": self.unaltered, "status": self.certificate.status if self.certificate else None}
        if self.certificate is not None:
            data["certificate"] = records.public_view(self.certificate, signature_valid=self.genuine)
        elif self.record is not None:
            data["certificate"] = records.public_view_from_record(self.record)
        else:
            data["certificate"] = None
        return data


def file_upload_limit() -> int:
    """The largest PDF anyone may check by file (``CERTIFICATE_VERIFY_FILE_MAX_BYTES``, 20 MB)."""
    return int(_setting("CERTIFICATE_VERIFY_FILE_MAX_BYTES", 20 * 1024 * 1024))


def certificate_verify_file(*, data: bytes, verifier: User | None = None) -> FileVerification:
    """Anyone: is this PDF a genuine, unaltered and still valid certificate?

    Genuineness comes from the signature alone (a published key signed the
    attached record); "unaltered" means the file is byte for byte the one
    issued; the status comes from the register.
    """
    if not data:
        return FileVerification("unreadable", problem="empty")
    if len(data) > file_upload_limit():
        return FileVerification("unreadable", problem="too_large")
    try:
        token = extract_jws(data)
    except UnreadablePdf as error:
        return FileVerification("unreadable", problem=str(error))
    if token is None:
        return FileVerification("no_record")
    check = signing.verify_compact(token)
    if not check.ok:
        return FileVerification("not_genuine", problem=check.problem)
    record = check.payload
    number = record.get("number") if isinstance(record.get("number"), str) else ""
    certificate = (Certificate.objects.filter(number=number[:32]).select_related(*CERTIFICATE_JOINS).first()
                   if number else None)
    if certificate is None or certificate.jws != token or not records.row_matches_record(certificate):
        return FileVerification("unknown", genuine=True, record=record, problem="not_in_register")
    unaltered = bool(certificate.pdf_sha256) and secrets.compare_digest(
        hashlib.sha256(data).hexdigest(), certificate.pdf_sha256)
    outcome = certificate.status if unaltered else "modified"
    from certificates.selectors import verifier_organization

    _record_events([(certificate, outcome)], channel=VerificationEvent.Channel.FILE,
                   organization=verifier_organization(user=verifier))
    return FileVerification(outcome, genuine=True, unaltered=unaltered, certificate=certificate, record=record)


# --- Enterprise: verify a list of candidates (Excel in, Excel out) -----------------

def bulk_upload_limit() -> int:
    """The largest workbook an enterprise may check at once (``CERTIFICATE_BULK_MAX_BYTES``)."""
    return int(_setting("CERTIFICATE_BULK_MAX_BYTES", 2 * 1024 * 1024))


def _read_candidates(upload, *, max_rows: int) -> list[tuple[int, str, str]]:
    """Column A number, column B name, through the shared guard (size,
    unpacked size and ratio, rows before parsing, NUL removed:
    ``portal.spreadsheets``); a header row is skipped."""
    rows = []
    with spreadsheets.sheet_rows(upload, max_bytes=bulk_upload_limit(), max_rows=max_rows, max_cols=2) as sheet:
        for index, row in sheet:
            number = str(row[0] if len(row) > 0 and row[0] is not None else "").strip()[:64]
            name = str(row[1] if len(row) > 1 and row[1] is not None else "").strip()[:64]
            if not number and not name:
                continue
            if not rows and index == 1 and not any(ch.isdigit() for ch in number):
                continue  # a header row
            rows.append((index, number, name))
            if len(rows) > max_rows:
                raise InvalidInput(_("At most %(n)d rows per file.") % {"n": max_rows}, field="file")
    if not rows:
        raise InvalidInput(_("The file has no rows: put certificate numbers in column A and names in column B."),
                           field="file")
    return rows


def certificate_bulk_verify(*, actor: User, organization: Organization, upload) -> tuple[bytes, dict]:
    """An enterprise checks its candidates' certificates in one upload
    (column A number, column B name); the answer is a workbook (audited)."""
    from openpyxl import Workbook

    from portal.spreadsheets import excel_safe, sheet_title

    if not organization or not actor.has_perm("portal.work_organization", organization):
        raise NotAllowed()
    if organization.status != Organization.Status.ACTIVE:
        raise RuleViolation(_("The enterprise's account is not active yet (R1.3)."), rule="R1.3")
    max_rows = int(_setting("CERTIFICATE_BULK_MAX_ROWS", 1000))
    rows = _read_candidates(upload, max_rows=max_rows)
    formatted = {}
    for _index, number, _name in rows:
        try:
            formatted[number] = numbering.parse_number(number).formatted
        except numbering.NumberError:
            continue
    by_number = {c.number: c for c in Certificate.objects.filter(number__in=set(formatted.values()))
                 .select_related(*CERTIFICATE_JOINS)}
    results, events, counts = [], [], {}
    for index, number, name in rows:
        certificate = by_number.get(formatted.get(number, ""))
        bad_name = (not name or len(name) > certificate_text.MAX_NAME_LENGTH
                    or certificate_text.bad_name_characters(certificate_text.clean_name(name)))
        if number not in formatted:
            result = Verification(status="not_found", hint="check_number")
        elif bad_name or certificate is None or not certificate_text.same_name(certificate.holder_name, name):
            result = Verification(status="not_found")
        else:
            result = _found(certificate)
            events.append((certificate, result.status))
        counts[result.status] = counts.get(result.status, 0) + 1
        results.append((index, number, name, result))
    _record_events(events, channel=VerificationEvent.Channel.BULK, organization=organization)

    workbook = Workbook(write_only=True)
    # The tab's name in the reader's language, as Excel accepts it (at most 31 characters).
    sheet = workbook.create_sheet(title=sheet_title(pgettext("spreadsheet tab", "Verification results")))
    sheet.append([_("Row"), _("Certificate number"), _("Name"), _("Result"), _("Title"), _("Series"),
                  _("Specialty"), _("Level"), _("Granting body"), _("Date granted"), _("Date issued"),
                  _("Signature checks"), _("Note")])
    labels = {"valid": _("Valid"), "revoked": _("Revoked"), "superseded": _("Superseded"),
              "not_found": _("Not found")}
    for index, number, name, result in results:
        row = [index, excel_safe(number), excel_safe(name), str(labels[result.status])]
        if result.found:
            c = result.certificate
            # The title, series and specialty in the reader's language where the catalogue has them
            # (as on the certificate's page), and the granting body by the names taken at issue.
            row += [c.title_display, c.series_display, c.specialty_display, str(c.get_level_display()),
                    excel_safe(c.granting_body_display),
                    c.date_granted.isoformat(), c.date_issued.isoformat(),
                    _("yes") if result.signature_valid else _("NO")]
            note = ""
            if c.status == Certificate.Status.REVOKED:
                note = str(c.get_revocation_category_display())
            elif c.status == Certificate.Status.SUPERSEDED:
                note = _("Replaced by a corrected certificate; ask for the new one.")
            row.append(note)
        else:
            row += [""] * 8 + [_("Check the number: its check character does not match.")
                               if result.hint else _("No certificate with this number and name.")]
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    summary = {"rows": len(rows), **counts}
    audit_record(actor=actor, action="certificate.bulk_verify", obj=organization, after=summary)
    return out.getvalue(), summary


# --- Batches -------------------------------------------------------------------------

_SPEC_MODELS = {"holder": User, "series": TitleSeries, "specialty": Specialty, "granting_body_region": Region}
_SPEC_TEXT = ("level", "title_name", "method", "granting_body_name", "filing_number", "approval_number")


def _spec_json(spec: dict, position: int) -> dict:
    """A grant spec as JSON: model instances become ids, the date ISO text."""
    if not isinstance(spec, dict):
        raise InvalidInput(_("Grant %(n)d is not a mapping.") % {"n": position})
    data = {"grant_key": str(spec.get("grant_key") or "").strip()}
    for name in _SPEC_MODELS:
        value = spec.get(name, spec.get(f"{name}_id"))
        if hasattr(value, "pk"):
            value = value.pk
        if value is None and name != "specialty":
            raise InvalidInput(_("Grant %(n)d lacks %(field)s.") % {"n": position, "field": name})
        data[f"{name}_id"] = value
    for name in _SPEC_TEXT:
        data[name] = str(spec.get(name) or "")
    value = spec.get("date_granted")
    if isinstance(value, dt.date):
        value = value.isoformat()
    try:
        dt.date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(_("Grant %(n)d has no valid date granted.") % {"n": position})
    data["date_granted"] = str(value)
    if not data["grant_key"]:
        raise InvalidInput(_("Grant %(n)d lacks its grant key.") % {"n": position})
    return data


_REFERENCE_TTL = 300.0
_reference_cache: dict[tuple[str, int], tuple[float, object]] = {}


def clear_reference_cache(**kwargs) -> None:
    """Connected to ``post_migrate`` (also sent by ``flush``)."""
    _reference_cache.clear()


def _reference(model, pk: int):
    """Series, specialties and regions change rarely: a batch task looks each
    up once per process and five minutes."""
    key, now = (model.__name__, pk), time.monotonic()
    cached = _reference_cache.get(key)
    if cached and cached[0] > now:
        return cached[1]
    obj = model.objects.filter(pk=pk).first()
    if obj is not None:
        _reference_cache[key] = (now + _REFERENCE_TTL, obj)
    return obj


def _spec_objects(spec: dict, *, holders: dict[int, User] | None = None) -> dict:
    """The spec's objects; ``holders`` are the users already fetched for a chunk."""
    objects = {}
    for name, model in _SPEC_MODELS.items():
        pk = spec.get(f"{name}_id")
        if pk is None:
            objects[name] = None
        elif model is User:
            objects[name] = holders.get(pk) if holders is not None else User.objects.filter(pk=pk).first()
        else:
            objects[name] = _reference(model, pk)
        if pk is not None and objects[name] is None:
            raise InvalidInput(_("%(field)s %(pk)s does not exist.") % {"field": name, "pk": pk})
    return {**objects, **{name: spec[name] for name in _SPEC_TEXT}, "grant_key": spec["grant_key"],
            "date_granted": dt.date.fromisoformat(spec["date_granted"])}


def certificate_issue_batch(*, grant_specs: list[dict], actor: User | None, label: str = "") -> IssueBatch:
    """Issue the certificates of one filing: one task per certificate.

    Every spec names its granted title (``grant_key``), the holder,
    series, specialty (or none), level, title name, method, granting body
    name and region, filing and approval numbers and date granted, as
    objects or ``*_id`` values. All belong to one issuer region.
    """
    if not grant_specs:
        raise InvalidInput(_("The batch is empty."))
    if len(grant_specs) > MAX_BATCH:
        raise InvalidInput(_("At most %(n)d certificates per batch.") % {"n": MAX_BATCH})
    specs = [_spec_json(spec, n) for n, spec in enumerate(grant_specs, start=1)]
    keys = [s["grant_key"] for s in specs]
    if len(set(keys)) != len(keys):
        raise InvalidInput(_("A granted title appears twice in the batch."))
    regions = {s["granting_body_region_id"] for s in specs}
    if len(regions) != 1:
        raise InvalidInput(_("A batch belongs to one issuer region."))
    region = Region.objects.filter(pk=regions.pop()).first()
    if region is None:
        raise InvalidInput(_("Unknown issuer region."))
    _require_issuer(actor, region)
    for name, model in _SPEC_MODELS.items():
        wanted = {s[f"{name}_id"] for s in specs if s[f"{name}_id"] is not None}
        if model.objects.filter(pk__in=wanted).count() != len(wanted):
            raise InvalidInput(_("Some %(field)s of the batch do not exist.") % {"field": name})
    with transaction.atomic():
        batch = IssueBatch.objects.create(region=region, label=(label or "")[:200], total=len(specs),
                                          created_by=actor)
        items = IssueBatchItem.objects.bulk_create([
            IssueBatchItem(batch=batch, position=n, grant_key=s["grant_key"], spec=s)
            for n, s in enumerate(specs, start=1)])
        item_ids = [i.pk for i in items] if all(i.pk for i in items) else list(
            batch.items.order_by("position").values_list("pk", flat=True))
        audit_record(actor=actor, action="certificate_batch.create", obj=batch,
                     after={"total": len(specs), "region": region.code, "label": batch.label})
        _enqueue_items(item_ids)
    return batch


#: Items of a batch per Celery task: the numbering, the audit events and the
#: notifications of a chunk are written together (one statement each), then
#: each PDF is rendered and stored on its own, so the progress bar still
#: moves certificate by certificate.
ITEMS_PER_TASK = 10


def _enqueue_items(item_ids: list[int]) -> None:
    from certificates.tasks import issue_batch_items
    from portal.tasks import send_pending_notification_emails, send_queued_messages

    if not item_ids:  # e.g. a starting worker that found nothing left over
        return

    chunks = [item_ids[n:n + ITEMS_PER_TASK] for n in range(0, len(item_ids), ITEMS_PER_TASK)]

    def send():
        for chunk in chunks:
            issue_batch_items.delay(chunk)
        # Queued behind the items: the holders' emails and SMS go out in bulk
        # when the workers reach them (and the beat's outbox sweeps catch the rest).
        send_pending_notification_emails.delay()
        send_queued_messages.delay(grace_seconds=0)

    transaction.on_commit(send)


def _mark_issued(certificates_of_items: dict[int, int]) -> None:
    """Mark items issued, each with its certificate, in one statement."""
    if not certificates_of_items:
        return
    IssueBatchItem.objects.filter(pk__in=certificates_of_items).update(
        state=IssueBatchItem.State.ISSUED, error="", attempts=F("attempts") + 1, updated_at=timezone.now(),
        certificate_id=Case(*(When(pk=item_pk, then=Value(certificate_pk))
                              for item_pk, certificate_pk in certificates_of_items.items())))


def certificate_batch_process_items(*, item_ids: list[int]) -> dict[str, int]:
    """Issue and render a chunk of batch items; idempotent (the grant key
    makes a second run find the first run's certificates, the PDF
    generation counter skips those already rendered).

    Who may issue was checked when the batch was created. An item whose
    grant is invalid, or whose rendering fails for a reason of the user's
    kind, is marked failed alone; the others go on.
    """
    items = list(IssueBatchItem.objects.select_related("batch__created_by").filter(pk__in=item_ids)
                 .exclude(state=IssueBatchItem.State.ISSUED).order_by("position", "pk"))
    outcome = {"issued": 0, "failed": 0}
    errors: dict[int, PortalError] = {}
    grants: dict[int, _Grant] = {}
    holders = User.objects.in_bulk([i.spec.get("holder_id") for i in items if i.spec.get("holder_id")])
    body_names: dict = {}  # the granting bodies' English and Uyghur names, looked up once per chunk
    for item in items:
        try:
            grants[item.pk] = _clean_grant(**_spec_objects(item.spec, holders=holders), names_memo=body_names)
        except PortalError as error:
            errors[item.pk] = error
    live = {c.grant_key: c for c in Certificate.objects.select_related(*CERTIFICATE_JOINS)
            .filter(grant_key__in=[g.grant_key for g in grants.values()])
            .exclude(status=Certificate.Status.SUPERSEDED)}
    fresh: dict[int, tuple[User | None, list[tuple[int, _Grant]]]] = {}
    for item in items:
        grant = grants.get(item.pk)
        if grant is not None and grant.grant_key not in live:
            fresh.setdefault(item.batch_id, (item.batch.created_by, []))[1].append((item.pk, grant))
    if fresh:
        key = _active_signing_key()
        for actor, members in fresh.values():
            try:
                created = _create_many([grant for _pk, grant in members], key=key, actor=actor)
            except IntegrityError:  # one was issued meanwhile: one by one, each finds or makes its own
                created = []
                for item_pk, grant in members:
                    try:
                        created.append(_issue_grant(grant, actor=actor, enqueue_render=False, email_now=False))
                    except PortalError as error:
                        errors[item_pk] = error
            live.update({c.grant_key: c for c in created})
    to_mark: dict[int, int] = {}  # item -> certificate: marked issued in the commit that records the PDFs
    pages: list[_Page] = []
    # The pages' Uyghur texts (is the region bilingual?) read for the chunk at once, not per page.
    uyghur_texts_prime([live[g.grant_key] for pk, g in grants.items() if pk not in errors and g.grant_key in live])
    for item in items:
        grant = grants.get(item.pk)
        try:
            if item.pk in errors:
                raise errors[item.pk]
            certificate = _same_grant(live[grant.grant_key], grant.holder)
            if certificate.pdf_generation < certificate.pdf_requested_generation:
                pages.append(_page(certificate))
            # else rendered before (a redelivered message): the item is issued all the same
            to_mark[item.pk] = certificate.pk
        except PortalError as error:
            certificate_batch_item_fail(item_id=item.pk, error=error.as_text())
            outcome["failed"] += 1
    # The pages render one after another, with nothing else in between
    # (interleaving the QR codes and templates made each render slower).
    rendered: list[_Rendered] = []
    try:
        for page in pages:
            rendered.append(_render_and_store(page))
    finally:  # an unexpected error retries the chunk; what is done so far is kept
        waiting = {p.certificate.pk for p in pages} - {r.certificate.pk for r in rendered}
        issued = {item: cert for item, cert in to_mark.items() if cert not in waiting}
        if rendered or issued:
            _record_rendered(rendered, also_in_transaction=partial(_mark_issued, issued))
    outcome["issued"] = len(to_mark)
    return outcome


def certificate_batch_process_item(*, item_id: int) -> IssueBatchItem | None:
    """One item (messages queued before items went in chunks)."""
    certificate_batch_process_items(item_ids=[item_id])
    return IssueBatchItem.objects.filter(pk=item_id).first()


def certificate_batch_item_fail(*, item_id: int, error: str) -> None:
    IssueBatchItem.objects.filter(pk=item_id).exclude(state=IssueBatchItem.State.ISSUED).update(
        state=IssueBatchItem.State.FAILED, error=str(error)[:500], attempts=F("attempts") + 1,
        updated_at=timezone.now())


def certificate_batch_retry_failures(*, actor: User, batch_id: int) -> int:
    """Queue the failed items of a batch again; returns how many."""
    with transaction.atomic():
        batch = IssueBatch.objects.select_for_update().filter(pk=batch_id).select_related("region").first()
        if batch is None:
            raise NotFound()
        _require_issuer(actor, batch.region)
        failed = list(batch.items.filter(state=IssueBatchItem.State.FAILED).values_list("pk", flat=True))
        if not failed:
            return 0
        IssueBatchItem.objects.filter(pk__in=failed).update(state=IssueBatchItem.State.PENDING, error="",
                                                             queued_at=timezone.now(), updated_at=timezone.now())
        audit_record(actor=actor, action="certificate_batch.retry", obj=batch, after={"items": len(failed)})
        _enqueue_items(failed)
    return len(failed)


def certificate_requeue_unfinished(*, queued_before: dt.datetime | None = None,
                                   only_batches: Iterable[int] | None = None,
                                   held_items: Iterable[int] = (), held_certificates: Iterable[int] = (),
                                   ) -> dict[str, int]:
    """Queue again the batch items still pending and the certificates still
    waiting for their PDF that were queued before ``queued_before``
    (default: now).

    A worker killed outright (not shut down) holds its acknowledged-late
    messages invisible in Redis until the broker's visibility timeout (an
    hour); a restarted worker calls this with the moment it started, so the
    batch finishes now however soon it was restarted. Both tasks are
    idempotent, so a message that was not lost after all only costs a
    look-up; workers starting together do not requeue the same items twice
    (rows are claimed with ``SKIP LOCKED`` and stamped ``queued_at``, which
    puts them after the other worker's start).

    The stall sweep (``certificates.recovery``) narrows it: only the items of
    ``only_batches``, and none that a worker or the broker still holds
    (``held_items``, ``held_certificates``).
    """
    from certificates.tasks import render_certificate_pdf

    now = timezone.now()
    cutoff = queued_before or now
    with transaction.atomic():
        pending = IssueBatchItem.objects.filter(state=IssueBatchItem.State.PENDING, queued_at__lt=cutoff)
        if only_batches is not None:
            pending = pending.filter(batch_id__in=list(only_batches))
        held_items, held_certificates = set(held_items), set(held_certificates)
        items = [pk for pk in pending.select_for_update(skip_locked=True).values_list("pk", flat=True)
                 if pk not in held_items]
        IssueBatchItem.objects.filter(pk__in=items).update(queued_at=now)
        _enqueue_items(items)
        waiting = [pk for pk in (
            Certificate.objects.select_for_update(skip_locked=True)
            .filter(pdf_generation__lt=F("pdf_requested_generation"), updated_at__lt=cutoff)
            .exclude(pk__in=IssueBatchItem.objects.filter(state=IssueBatchItem.State.PENDING,
                                                          certificate__isnull=False).values("certificate_id"))
            # a pending item renders its own certificate when it runs (or is queued again)
            .exclude(grant_key__in=IssueBatchItem.objects.filter(state=IssueBatchItem.State.PENDING)
                     .values("grant_key"))
            .values_list("pk", flat=True)) if pk not in held_certificates]
        Certificate.objects.filter(pk__in=waiting).update(updated_at=now)
        for pk in waiting:
            transaction.on_commit(lambda pk=pk: render_certificate_pdf.delay(pk))
    return {"batch_items": len(items), "pdfs": len(waiting)}


# --- Revocation for fraud, driven by the integrity app (R6.3) -------------------------

def certificate_revoke_for_fraud(*, actor: User, certificate_id: int, reason: str,
                                 case_reference: str) -> Certificate:
    """R6.3: a supervisor deciding an upheld fraud case revokes the
    certificate; verification shows "revoked" with the public category
    "fraud" at once (the recorded reason never is public). Idempotent: a
    certificate already revoked is returned unchanged."""
    from certificates.workflow import SUPERVISOR_ON_CASE

    if actor is None or not actor.is_authenticated or not actor.has_role(Role.SUPERVISOR):
        raise NotAllowed(_("Only a supervisor deciding an upheld fraud case may revoke for fraud (R6.3)."),
                         rule="R6.3")
    reason = _clean_revocation_reason(reason)
    with transaction.atomic():
        certificate = (Certificate.objects.select_for_update(of=("self",)).select_related(*CERTIFICATE_JOINS)
                       .filter(pk=certificate_id).first())
        if certificate is None:
            raise NotFound()
        if certificate.status == Certificate.Status.REVOKED:
            return certificate
        CERTIFICATE_WORKFLOW.check(action="revoke_for_fraud", current=certificate.status,
                                   roles={SUPERVISOR_ON_CASE})
        category = Certificate.RevocationCategory.FRAUD
        return _revoke(certificate, actor=actor, reason=reason, category=category,
                       recorded_reason=f"[{case_reference}] {reason}"[:4000], audit_extra={"case": case_reference},
                       holder_body=lambda: _("Category: %(category)s. Case %(case)s.")
                       % {"category": category.label, "case": case_reference})
        CERTIFICATE_WORKFLOW.check(action="revoke_for_fraud", current=certificate.status,
                                   roles={SUPERVISOR_ON_CASE})
        before = snapshot(certificate, AUDIT_FIELDS)
        certificate.status = Certificate.Status.REVOKED
        certificate.revoked_at = timezone.now()
        certificate.revoked_by = actor
        certificate.revocation_category = Certificate.RevocationCategory.FRAUD
        certificate.revocation_reason = f"[{case_reference}] {reason}"[:4000]
        certificate.full_clean(validate_unique=False, validate_constraints=False)
        certificate.save(update_fields=["status", "revoked_at", "revoked_by", "revocation_category",
                                        "revocation_reason", "updated_at"])
        audit_record(actor=actor, action="certificate.revoke", obj=certificate, before=before,
                     after={**snapshot(certificate, AUDIT_FIELDS), "case": case_reference}, reason=reason)
        notification_send(
            recipients=[certificate.holder], topic=Topic.RESULT,
            subject=lambda: _("Your certificate %(number)s has been revoked") % {"number": certificate.number},
            body=lambda: _("Category: %(category)s. Case %(case)s.")
            % {"category": certificate.get_revocation_category_display(), "case": case_reference},
            url=reverse("my-certificate-detail", args=[certificate.pk]),
        )
    return certificate
