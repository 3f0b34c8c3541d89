from __future__ import annotations

import functools

from rest_framework import serializers
from rest_framework.utils.serializer_helpers import ReturnDict

from applications.models import Specialty, TitleName, TitleSeries


class TitleNameOutput(serializers.ModelSerializer):
    class Meta:
        model = TitleName
        fields = ["level", "name", "name_en", "name_ug"]


class SpecialtyOutput(serializers.ModelSerializer):
    class Meta:
        model = Specialty
        fields = ["id", "code", "name", "name_en", "name_ug"]  # id: an application's ``specialty.id``


class SeriesOutput(serializers.ModelSerializer):
    titles = TitleNameOutput(many=True, read_only=True)
    specialties = SpecialtyOutput(many=True, read_only=True)

    class Meta:
        model = TitleSeries
        fields = ["code", "name", "name_en", "name_ug", "titles", "specialties"]


# --- Applications -------------------------------------------------------------------

from django.utils.translation import gettext_lazy as _  # noqa: E402

from applications.choices import Channel, Pathway  # noqa: E402
from applications.models import (  # noqa: E402
    Achievement,
    Application,
    ApplicationStatus,
    Attachment,
    Call,
    Correction,
    Level,
)
from portal.numbers import TypedDecimalApiField  # noqa: E402
from portal.personal_data import mask_name  # noqa: E402


class _NamedOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class _TranslatedNamedOutput(_NamedOutput):
    """A call or a committee: its official (Chinese) name and its English and Uyghur names (empty when
    none was given)."""

    name_en = serializers.CharField()
    name_ug = serializers.CharField()


class _RegionOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class CallOutput(serializers.ModelSerializer):
    series = serializers.SlugRelatedField(slug_field="code", read_only=True)
    committee = _TranslatedNamedOutput(read_only=True, allow_null=True)
    bureau = _NamedOutput(read_only=True, allow_null=True)
    specialties = SpecialtyOutput(many=True, read_only=True)
    entrusted_by = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Call
        fields = ["id", "name", "name_en", "name_ug", "series", "year", "levels", "pathways", "methods", "opens_at",
                  "closes_at", "private_enterprise_group", "committee", "bureau", "specialties", "entrusted_by",
                  "entrustment_note", "pass_rate_ceiling"]


class ApplicantOutput(serializers.Serializer):
    id = serializers.IntegerField()
    real_name = serializers.CharField()
    id_number = serializers.CharField(source="id_number_masked")


class AttachmentOutput(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["id", "material", "achievement", "original_name", "content_type", "size", "uploaded_at"]


class AchievementOutput(serializers.ModelSerializer):
    evidence = AttachmentOutput(many=True, read_only=True)
    kind = serializers.CharField(read_only=True, help_text="patent, breakthrough, process, standard, transformation, "
                                                           "project, award or paper")
    role = serializers.CharField(read_only=True, help_text="lead, major, participant or empty")

    class Meta:
        model = Achievement
        fields = ["id", "kind", "title", "role", "number", "achieved_on", "economic_benefit", "description",
                  "evidence"]


class CorrectionOutput(serializers.ModelSerializer):
    target_label = serializers.SerializerMethodField(help_text="What the correction names, in words.")

    class Meta:
        model = Correction
        fields = ["id", "round", "stage", "target", "target_label", "message", "requested_at", "answer",
                  "answered_at", "resolved_at"]

    def get_target_label(self, correction: Correction) -> str:
        from applications.corrections import target_label

        content = correction.round.content_before if correction.round_id else None
        return target_label(correction.target, content=content, item_title=correction.item_title)


class ValueChangeOutput(serializers.Serializer):
    label = serializers.CharField()
    before = serializers.CharField()
    after = serializers.CharField()


class FileInfoOutput(serializers.Serializer):
    name = serializers.CharField()
    size = serializers.IntegerField()
    type = serializers.CharField(help_text="MIME type")


class FileChangeOutput(serializers.Serializer):
    action = serializers.ChoiceField(choices=["added", "removed", "replaced"])
    before = FileInfoOutput(allow_null=True)
    after = FileInfoOutput(allow_null=True)


class ChangeOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["field", "achievement", "material"])
    action = serializers.ChoiceField(choices=["changed", "added", "removed", "files"])
    label = serializers.CharField()
    targets = serializers.ListField(child=serializers.CharField(), help_text="The correction targets it answers.")
    values = ValueChangeOutput(many=True)
    files = FileChangeOutput(many=True)


class CorrectionStateOutput(serializers.Serializer):
    id = serializers.IntegerField(source="correction.id")
    target = serializers.CharField(source="correction.target")
    label = serializers.CharField()
    message = serializers.CharField(source="correction.message")
    answer = serializers.CharField(source="correction.answer")
    changed = serializers.BooleanField(help_text="What it names has changed since the return.")
    done = serializers.BooleanField(help_text="Changed, or answered in words.")


class CorrectionRoundOutput(serializers.Serializer):
    id = serializers.IntegerField(source="round.id")
    stage = serializers.CharField(source="round.stage")
    stage_label = serializers.CharField()
    returned_at = serializers.DateTimeField(source="round.returned_at")
    reason = serializers.CharField(source="round.reason")
    due_on = serializers.DateField(source="round.due_on", allow_null=True)
    resubmitted_at = serializers.DateTimeField(source="round.resubmitted_at", allow_null=True)
    open = serializers.BooleanField(help_text="Still returned: compared with the application as it is now.")
    corrections = CorrectionStateOutput(many=True)
    changes = ChangeOutput(many=True)


class CorrectionTargetOutput(serializers.Serializer):
    target = serializers.CharField()
    label = serializers.CharField()
    group = serializers.CharField()


class CorrectionAnswerInput(serializers.Serializer):
    answer = serializers.CharField(max_length=4000, allow_blank=True,
                                   help_text="How it was corrected, or why nothing needs to change; empty takes "
                                             "the answer back.")


class ApplicationListOutput(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="One of: " + ", ".join(ApplicationStatus.values))
    applicant = ApplicantOutput(read_only=True)
    series = serializers.SlugRelatedField(slug_field="code", read_only=True)
    specialty = _NamedOutput(read_only=True)
    region = _RegionOutput(read_only=True)
    employer = _NamedOutput(read_only=True, allow_null=True)
    call = _TranslatedNamedOutput(read_only=True)
    returned_from = serializers.ChoiceField(choices=ApplicationStatus.choices, allow_blank=True, read_only=True,
                                            help_text="The stage that returned it for correction; empty if none.")

    class Meta:
        model = Application
        fields = ["id", "status", "applicant", "call", "series", "specialty", "level", "title_name", "pathway",
                  "channel", "region", "employer", "year", "submitted_at", "publicity_ends_on",
                  "correction_due_on", "returned_from"]


class ApplicationOutput(ApplicationListOutput):
    sponsor = _NamedOutput(read_only=True, allow_null=True)
    acceptance_body = _NamedOutput(read_only=True, allow_null=True)
    achievements = AchievementOutput(many=True, read_only=True)
    attachments = AttachmentOutput(many=True, read_only=True, source="materials")
    corrections = CorrectionOutput(many=True, read_only=True)

    class Meta(ApplicationListOutput.Meta):
        fields = ApplicationListOutput.Meta.fields + [
            "sponsor", "acceptance_body", "private_enterprise", "first_time", "summary", "justification",
            "frozen_conditions", "achievements", "attachments", "corrections", "created_at", "updated_at"]


@functools.cache
def _application_output_fields() -> ApplicationOutput:
    """One ``ApplicationOutput`` per process, its fields bound once: only ``to_representation`` is
    called on it, which keeps no state between calls."""
    return ApplicationOutput()


def application_output(application: Application) -> ReturnDict:
    """``ApplicationOutput(application).data``, without building the serializer's fields again.

    A ``ModelSerializer`` builds and deep-copies its ~60 fields (nested ones included) for every
    instance; on an autosave that cost more than rendering the answer (issue 15). The data is the
    serializer's own ``to_representation``; the ``ReturnDict`` keeps a serializer of this
    application, as ``.data`` does, for the browsable API's forms."""
    return ReturnDict(_application_output_fields().to_representation(application),
                      serializer=ApplicationOutput(application))


class ApplicationCreateInput(serializers.Serializer):
    call = serializers.IntegerField(min_value=1)
    specialty = serializers.IntegerField(min_value=1)
    level = serializers.ChoiceField(choices=Level.choices)
    pathway = serializers.ChoiceField(choices=Pathway.choices, default=Pathway.REGULAR)
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.EMPLOYER)
    sponsor = serializers.IntegerField(min_value=1, required=False, allow_null=True,
                                       help_text="The agency or association, for channels agency/association.")


class ApplicationUpdateInput(serializers.Serializer):
    """Autosave: any subset of the fields the applicant types."""

    specialty = serializers.IntegerField(min_value=1, required=False)
    level = serializers.ChoiceField(choices=Level.choices, required=False)
    pathway = serializers.ChoiceField(choices=Pathway.choices, required=False)
    summary = serializers.CharField(max_length=20000, required=False, allow_blank=True, trim_whitespace=False)
    justification = serializers.CharField(max_length=20000, required=False, allow_blank=True,
                                          trim_whitespace=False)


class AchievementInput(serializers.Serializer):
    kind = serializers.CharField(max_length=16, help_text="One of: " + ", ".join(Achievement.Kind.values))
    title = serializers.CharField(max_length=200)
    role = serializers.CharField(max_length=16, required=False, allow_blank=True, default="",
                                 help_text="One of: " + ", ".join(Achievement.Role.values) + " (patents, standards)")
    number = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    achieved_on = serializers.DateField(required=False, allow_null=True, default=None)
    economic_benefit = TypedDecimalApiField(max_digits=12, decimal_places=2, min_value=0, required=False,
                                                allow_null=True, default=None)
    description = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")


class AttachmentInput(serializers.Serializer):
    material = serializers.CharField(max_length=40, required=False, default="other")
    file = serializers.FileField()
    achievement = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)


class SubmitInput(serializers.Serializer):
    pledge_accepted = serializers.BooleanField(help_text="The applicant signs the integrity pledge (R6.3).")


class WithdrawInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class CorrectionInput(serializers.Serializer):
    target = serializers.CharField(max_length=64, help_text="A field, `achievements`, `achievement:<id>`, a "
                                                            "material code or `attachment:<id>` (one file); "
                                                            "see `corrections/targets/`.")
    message = serializers.CharField(max_length=4000)


class DecideInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=["employer_approve", "return", "publicity_end", "publicity_reject",
                                              "accept", "audit_approve", "audit_reject"])
    reason = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    corrections = CorrectionInput(many=True, required=False, default=list)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)


class BulkApproveInput(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=200)


class BulkApproveOutput(serializers.Serializer):
    approved = serializers.ListField(child=serializers.IntegerField())
    refused = serializers.ListField(child=serializers.DictField())


class ObjectionInput(serializers.Serializer):
    reason = serializers.CharField(min_length=5, max_length=4000)
    contact = serializers.CharField(max_length=64)


class ObjectionAnswerInput(serializers.Serializer):
    answer = serializers.CharField(max_length=4000)
    upheld = serializers.BooleanField()


class PublicityOutput(serializers.Serializer):
    """A row of the unit-publicity list: the name masked (public)."""

    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()
    unit = serializers.CharField(source="sponsor.name", default="")
    title_name = serializers.CharField()
    series = serializers.CharField(source="series.code")
    specialty = serializers.CharField(source="specialty.name")
    pathway = serializers.CharField()
    region = serializers.CharField(source="region.code")
    publicity_ends_on = serializers.DateField()

    def get_name(self, obj) -> str:
        return mask_name(obj.applicant.real_name)


class TimelineOutput(serializers.Serializer):
    seq = serializers.IntegerField(allow_null=True, help_text="Place in the audit chain; null for the moment "
                                   "between the step's commit and its sealing into the chain.")
    created_at = serializers.DateTimeField()
    action = serializers.CharField()
    actor = serializers.CharField(source="actor_label")
    before = serializers.DictField()
    after = serializers.DictField()
    reason = serializers.CharField()


class ProfileRecordInput(serializers.Serializer):
    """A row of a profile section; the fields depend on the section."""

    data = serializers.DictField(help_text=_("The row's fields, as in the profile forms."))


STATUS_CHOICES = ApplicationStatus.choices


def translated_name_inputs() -> tuple[serializers.CharField, serializers.CharField]:
    """The optional English and Uyghur names beside an official Chinese ``name`` when a call is opened or
    a committee filed: ``name_en, name_ug = translated_name_inputs()``."""
    return (serializers.CharField(max_length=128, required=False, allow_blank=True, default="",
                                  help_text="Optional English name, shown on English pages."),
            serializers.CharField(max_length=128, required=False, allow_blank=True, default="",
                                  help_text="Optional Uyghur name (Arabic script), shown on Uyghur pages."))


class TranslatedNamesInput(serializers.Serializer):
    """The English and Uyghur names of an existing call or committee (PATCH): only these two; a name left
    out stays as it is, a blank one is removed. The official Chinese ``name`` is not changed here."""

    name_en = serializers.CharField(max_length=128, required=False, allow_blank=True, trim_whitespace=True,
                                    help_text="The English name; blank: none.")
    name_ug = serializers.CharField(max_length=128, required=False, allow_blank=True, trim_whitespace=True,
                                    help_text="The Uyghur name (Arabic script); blank: none.")

    def validate(self, attrs):
        unknown = sorted(set(getattr(self, "initial_data", {}) or {}) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {field: [_("Only the English and Uyghur names (name_en, name_ug) can be changed here.")]
                 for field in unknown})
        if not attrs:
            raise serializers.ValidationError(_("Give name_en, name_ug or both."))
        return attrs


class CallOpenInput(serializers.Serializer):
    """A committee's secretary (``committee``) or a bureau officer (``bureau``) opens a call."""

    committee = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    bureau = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    name = serializers.CharField(max_length=128, help_text="The official (Chinese) name.")
    name_en, name_ug = translated_name_inputs()
    series = serializers.SlugRelatedField(slug_field="code", queryset=TitleSeries.objects.filter(is_active=True))
    levels = serializers.ListField(child=serializers.ChoiceField(choices=Level.choices), min_length=1)
    specialties = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    methods = serializers.ListField(child=serializers.CharField(max_length=20), min_length=1,
                                   help_text="exam, review, defence, recognition, practical, performance (R4.1)")
    pathways = serializers.ListField(child=serializers.CharField(max_length=20), required=False, default=list)
    private_enterprise_group = serializers.BooleanField(required=False, default=False)
    entrusted_by = serializers.CharField(max_length=6, required=False, allow_blank=True, default="",
                                         help_text="Region code of the entrusting region (R1.5)")
    entrustment_note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    pass_rate_ceiling = TypedDecimalApiField(max_digits=4, decimal_places=3, required=False,
                                             default="0.600")
