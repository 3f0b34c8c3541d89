"""Back office for certificates: read-only. Issuing, revoking, re-issuing and
key rotation go through the services (pages, API, ``certificate_keys``), so
every change is audited and signed."""

from __future__ import annotations

from django.contrib import admin

from certificates.models import Certificate, IssueBatch, IssueBatchItem, SigningKey, VerificationEvent
from portal.admin import ReadOnlyAdmin


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ["number", "holder_name", "title_name", "granting_body_region", "date_issued", "status"]
    list_filter = ["status", "method", "level", "granting_body_region"]
    search_fields = ["number", "grant_key"]
    list_select_related = ["granting_body_region"]
    exclude = ["holder_id_hash", "qr_code_hash", "revocation_reason"]


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyAdmin):
    list_display = ["kid", "algorithm", "status", "valid_from", "retired_at"]
    exclude = ["private_key_encrypted"]


@admin.register(VerificationEvent)
class VerificationEventAdmin(ReadOnlyAdmin):
    list_display = ["certificate", "channel", "result", "verifier_organization", "created_at"]
    list_select_related = ["certificate", "verifier_organization"]
    list_filter = ["channel", "result"]


class IssueBatchItemInline(admin.TabularInline):
    model = IssueBatchItem
    fields = ["position", "grant_key", "state", "certificate", "error", "attempts"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False


@admin.register(IssueBatch)
class IssueBatchAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "region", "total", "created_by", "created_at"]
    list_select_related = ["region", "created_by"]
