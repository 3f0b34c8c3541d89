"""Input and output serializers of the integrity API. Outputs to the public
carry nothing about the person reported or the decision."""

from __future__ import annotations

from rest_framework import serializers

from integrity import services
from integrity.models import FraudCase

#: An id the client sends: a positive number a database key can hold (else a 400, not a 500).
PK = {"min_value": 1, "max_value": 2**63 - 1}


class FraudReportInput(serializers.Serializer):
    certificate_number = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    holder_name = serializers.CharField(max_length=services.NAME_MAX, required=False, allow_blank=True, default="",
                                        help_text="With certificate_number: the holder's name as printed.")
    entry_id = serializers.IntegerField(required=False, allow_null=True, default=None,
                                        help_text="A result publicity entry (from /api/v1/publicity/).")
    description = serializers.CharField(max_length=services.DESCRIPTION_MAX)
    contact = serializers.CharField(max_length=services.CONTACT_MAX, required=False, allow_blank=True, default="")
    evidence = serializers.ListField(child=serializers.FileField(), required=False, default=list,
                                     max_length=20)


class FraudReportCreatedOutput(serializers.Serializer):
    reference = serializers.CharField(help_text="Shown once; keep it to follow the report.")
    status = serializers.CharField()


class FraudReportStatusOutput(serializers.Serializer):
    status = serializers.ChoiceField(choices=[services.PUBLIC_RECEIVED, services.PUBLIC_INVESTIGATING,
                                              services.PUBLIC_CLOSED])
    label = serializers.CharField()
    received_on = serializers.DateField()


class FraudCaseOutput(serializers.ModelSerializer):
    reference = serializers.CharField()
    subject_name = serializers.CharField(source="subject.real_name")
    subject_id_masked = serializers.CharField(source="subject.id_number_masked")
    region = serializers.CharField(source="region.name")
    certificate_number = serializers.CharField(source="certificate.number", default=None, allow_null=True)
    committee = serializers.CharField(source="committee.name", default=None, allow_null=True,
                                      help_text="The committee's filed (Chinese) name.")
    committee_name_en = serializers.CharField(source="committee.name_en", default=None, allow_null=True)
    committee_name_ug = serializers.CharField(source="committee.name_ug", default=None, allow_null=True)
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = FraudCase
        fields = ["id", "reference", "status", "status_label", "subject_name", "subject_id_masked", "region",
                  "title_name", "certificate_number", "application", "committee", "committee_name_en",
                  "committee_name_ug", "opened_at", "decided_at"]


class FraudCaseDetailOutput(FraudCaseOutput):
    integrity_record_ends_on = serializers.DateField(source="integrity_record.ends_on", default=None, allow_null=True)
    sanction = serializers.CharField(source="committee_sanction.get_kind_display", default=None,
                                     allow_null=True)
    reports = serializers.SerializerMethodField()
    notes = serializers.SerializerMethodField()

    class Meta(FraudCaseOutput.Meta):
        fields = FraudCaseOutput.Meta.fields + ["decision_reason", "integrity_record_ends_on", "sanction", "reports",
                                           "notes"]

    def get_reports(self, case) -> list[dict]:
        return [{"id": r.pk, "received_at": r.created_at, "description": r.description,
                 "evidence": len(r.evidence.all())} for r in case.reports.all()]

    def get_notes(self, case) -> list[dict]:
        return [{"author": n.author.real_name, "created_at": n.created_at, "text": n.text} for n in case.notes.all()]


class FraudCaseDecideInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["uphold", "not_uphold", "close"])
    reason = serializers.CharField(allow_blank=True, max_length=services.REASON_MAX)
    sanction_kind = serializers.CharField(required=False, allow_blank=True, default="")
    expert_ids = serializers.ListField(child=serializers.IntegerField(**PK), required=False, default=list)
