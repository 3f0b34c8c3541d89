"""Input and output shapes of the portal API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from portal.models import MessageDelivery, Organization, Region


class RegionOutput(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Region
        fields = ["code", "name", "name_en", "kind", "parent"]


class SignUpInput(serializers.Serializer):
    real_name = serializers.CharField(max_length=64)
    id_number = serializers.CharField(max_length=40, help_text=_("18 characters; trailing x, spaces and full-width "
                                                                 "digits are accepted."))
    mobile = serializers.CharField(max_length=20)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    password = serializers.CharField(write_only=True, style={"input_type": "password"})


class CodeInput(serializers.Serializer):
    token = serializers.CharField(max_length=64)
    code = serializers.CharField(max_length=12, help_text=_("The 6-digit code from the SMS or email."))


class CodeSentOutput(serializers.Serializer):
    detail = serializers.CharField()
    token = serializers.CharField(help_text=_("Send it back with the code."))
    expires_in = serializers.IntegerField(help_text=_("Seconds the code stays valid."))


class PasswordResetInput(serializers.Serializer):
    login = serializers.CharField(max_length=254, help_text=_("Mobile number, ID number or email."))
    channel = serializers.ChoiceField(choices=MessageDelivery.Channel.choices, default=MessageDelivery.Channel.SMS,
                                      help_text=_("Where the code goes: the account's registered mobile or email."))


class PasswordResetConfirmInput(CodeInput):
    new_password = serializers.CharField(write_only=True, style={"input_type": "password"})


class UserOutput(serializers.Serializer):
    id = serializers.IntegerField()
    real_name = serializers.CharField()
    mobile = serializers.CharField(source="mobile_masked")
    id_number = serializers.CharField(source="id_number_masked")


class EnterpriseInput(serializers.Serializer):
    name = serializers.CharField(max_length=128)
    uscc = serializers.CharField(max_length=18)
    region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all(),
                                          help_text=_("6-digit region code"))
    ownership = serializers.ChoiceField(choices=Organization.Ownership.choices)
    size = serializers.ChoiceField(choices=Organization.Size.choices)
    address = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    contact_name = serializers.CharField(max_length=64)
    contact_phone = serializers.CharField(max_length=14)
    business_licence = serializers.FileField()


class EnterpriseOutput(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    contact_phone = serializers.CharField(source="contact_phone_masked", read_only=True)

    class Meta:
        model = Organization
        fields = ["id", "name", "uscc", "region", "region_name", "status", "ownership", "size", "contact_name",
                  "contact_phone", "rejection_reason", "created_at", "decided_at"]


class RejectInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ApiTokenObtainInput(serializers.Serializer):
    username = serializers.CharField(max_length=64, write_only=True,
                                     help_text=_("The mobile number or ID number of the account."))
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False,
                                     style={"input_type": "password"})

    def validate(self, attrs):
        from django.contrib.auth import authenticate

        user = authenticate(request=self.context.get("request"), username=attrs["username"],
                            password=attrs["password"])
        if user is None:
            raise serializers.ValidationError(_("Unable to log in with provided credentials."), code="authorization")
        attrs["user"] = user
        return attrs


class ApiTokenOutput(serializers.Serializer):
    token = serializers.CharField(help_text=_("Send it as \"Authorization: Token <token>\". It is shown only now."))
    expires_in = serializers.IntegerField(help_text=_("Seconds without use after which the token ends."))
    max_age = serializers.IntegerField(help_text=_("Seconds after which the token ends even when in use."))
