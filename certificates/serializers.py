"""Input and output shapes of the certificates API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from applications.models import Level
from certificates.models import Certificate


class VerifyInput(serializers.Serializer):
    number = serializers.CharField(max_length=64, help_text=_("Certificate number, e.g. 650100-2026-ENG-000123-K"))
    name = serializers.CharField(max_length=64, help_text=_("The holder's full name"))


class VerificationOutput(serializers.Serializer):
    """``not_found`` carries no other field (and ``hint: check_number`` when
    the number's check character is wrong)."""

    status = serializers.ChoiceField(choices=["valid", "revoked", "superseded", "not_found"])
    hint = serializers.ChoiceField(choices=["check_number"], required=False)
    number = serializers.CharField(required=False)
    holder_name = serializers.CharField(required=False, help_text=_("Masked"))
    title = serializers.CharField(required=False)
    series = serializers.CharField(required=False)
    specialty = serializers.CharField(required=False, allow_null=True)
    level = serializers.ChoiceField(choices=Level.choices, required=False)
    level_display = serializers.CharField(required=False)
    method = serializers.ChoiceField(choices=Certificate.Method.choices, required=False)
    method_display = serializers.CharField(required=False)
    granting_body = serializers.CharField(required=False)
    issuer_region = serializers.CharField(required=False)
    date_granted = serializers.DateField(required=False)
    date_issued = serializers.DateField(required=False)
    signature_valid = serializers.BooleanField(required=False)
    revoked_on = serializers.DateField(required=False, allow_null=True)
    revocation_category = serializers.ChoiceField(choices=Certificate.RevocationCategory.choices, required=False,
                                                  allow_null=True)
    revocation_category_display = serializers.CharField(required=False, allow_null=True)
    superseded_on = serializers.DateField(required=False, allow_null=True)


class FileVerifyInput(serializers.Serializer):
    file = serializers.FileField(help_text=_("The certificate PDF"))


class FileVerificationOutput(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["valid", "revoked", "superseded", "modified", "unknown",
                                               "not_genuine", "no_record", "unreadable"])
    valid = serializers.BooleanField(help_text=_("Genuine, unaltered and valid"))
    genuine = serializers.BooleanField(help_text=_("The attached record is signed by a published key"))
    unaltered = serializers.BooleanField(help_text=_("The file is byte for byte the one issued"))
    status = serializers.CharField(allow_null=True)
    certificate = VerificationOutput(allow_null=True)


class MyCertificateOutput(serializers.ModelSerializer):
    pdf_ready = serializers.BooleanField()

    class Meta:
        model = Certificate
        fields = ["id", "number", "title_name", "series_name", "specialty_name", "level", "method", "status",
                  "granting_body_name", "date_granted", "date_issued", "qr_enabled", "pdf_ready"]


class BatchProgressOutput(serializers.Serializer):
    total = serializers.IntegerField()
    issued = serializers.IntegerField()
    failed = serializers.IntegerField()
    remaining = serializers.IntegerField()
    done = serializers.BooleanField()
