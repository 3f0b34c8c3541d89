"""A certificate batch tells every holder by SMS too, once, in bulk from the outbox (issue 11)."""

from __future__ import annotations

from certificates import services
from portal.models import MessageDelivery
from tests.certificates.test_batches import specs
from tests.factories import bureau_officer, sms_to


def test_R5_3_a_batch_sends_each_holder_one_sms_from_the_outbox(run_on_commit):
    grants = specs(3)
    run_on_commit(services.certificate_issue_batch, grant_specs=grants, actor=bureau_officer(),
                  label="2026年工程系列中级")
    from certificates.models import Certificate

    for grant in grants:
        [text] = sms_to(grant["holder"].mobile)
        assert Certificate.objects.get(holder=grant["holder"]).number in text
    assert MessageDelivery.objects.filter(topic="result", channel="sms", status="sent").count() == 3
    from portal.tasks import send_queued_messages

    assert send_queued_messages(grace_seconds=0) == 0  # nothing left, nothing sent twice
