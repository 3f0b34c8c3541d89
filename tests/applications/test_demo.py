"""``manage.py demo_data`` makes applications in every state up to evaluation and
on every pathway and channel, and a second run changes nothing."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from applications.choices import Channel, Pathway
from applications.models import Application


def test_demo_data_covers_every_state_pathway_and_channel_idempotently():
    call_command("demo_data", stdout=StringIO())
    first = dict(Application.objects.values_list("pk", "status"))
    call_command("demo_data", stdout=StringIO())
    assert dict(Application.objects.values_list("pk", "status")) == first
    statuses = set(first.values())
    assert {"draft", "employer_review", "returned", "unit_publicity", "acceptance", "qualification_audit", "ready",
            "rejected", "withdrawn", "in_evaluation"} <= statuses
    assert set(Application.objects.values_list("pathway", flat=True)) == set(Pathway.values)
    assert set(Application.objects.values_list("channel", flat=True)) >= {
        Channel.EMPLOYER, Channel.AGENCY, Channel.ORIGINAL_UNIT, Channel.DISPATCH}


def test_demo_data_has_a_return_being_answered_and_one_answered_for_the_officer_to_compare():
    from applications.models import CorrectionRound

    call_command("demo_data", stdout=StringIO())
    being_answered = CorrectionRound.objects.get(application__applicant__mobile="13900001102")
    assert being_answered.resubmitted_at is None and being_answered.corrections.count() == 3
    compared = CorrectionRound.objects.get(application__applicant__mobile="13900001105")
    assert compared.resubmitted_at is not None and compared.application.status == "qualification_audit"
    assert compared.corrections.filter(answer__gt="").count() == 1
