"""An invitation reaches the invitee (SMS, and email where known), shows on their home page after
login, and HR hears whether it was accepted or declined."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from portal import services
from portal.errors import Conflict, InvalidInput, NotAllowed, RuleViolation
from portal.models import AuditEvent, Employment, Invitation, MessageDelivery, Notification
from tests.factories import EnterpriseFactory, UserFactory, employee_of, hr_admin_of, make_id_number, sms_to


@pytest.fixture
def enterprise():
    return EnterpriseFactory(name="天山机械制造有限公司")


def invite(deliver, hr, organization, **kwargs):
    data = {"kind": "employee", "mobile": "13600001111", "real_name": "马建华", "position": "工程师",
            "start_date": dt.date(2020, 3, 1)}
    data.update(kwargs)
    return deliver(services.invitation_create, actor=hr, organization=organization, **data)


def test_an_invitation_to_someone_without_an_account_goes_by_sms_and_email(deliver, enterprise):
    hr = hr_admin_of(enterprise)
    invitation = invite(deliver, hr, enterprise, email="ma@example.com")
    [text] = sms_to("13600001111")
    assert "天山机械制造有限公司" in text and "马建华" in text
    assert invitation.expires_at.astimezone().strftime("%Y-%m-%d") in text or "answer" in text or "回答" in text
    [email] = mail.outbox
    assert email.to == ["ma@example.com"] and "天山机械制造有限公司" in email.body
    assert set(MessageDelivery.objects.values_list("channel", "status")) == {("sms", "sent"), ("email", "sent")}


def test_an_invitation_to_an_account_goes_in_app_by_sms_and_email_in_their_language(deliver, enterprise):
    invitee = UserFactory(mobile="13600001111", email="ma@example.com", language="en")
    invite(deliver, hr_admin_of(enterprise), enterprise)
    [note] = Notification.objects.filter(recipient=invitee)
    assert note.topic == "invitation" and note.subject.startswith("天山机械制造有限公司 invites you")
    assert "log in" in note.body.lower() and note.url == reverse("my-invitations")
    [text] = sms_to(invitee.mobile)  # one SMS only, not a second one to the typed number
    assert "invites 马建华" in text and "by " in text
    assert [m.to for m in mail.outbox] == [["ma@example.com"]]


def test_an_invitation_by_id_number_reaches_someone_with_another_mobile(deliver, enterprise, client):
    number = make_id_number(birth="19640202")
    invitee = UserFactory(mobile="13500000001", id_number=number)
    invitation = invite(deliver, hr_admin_of(enterprise), enterprise, mobile="13600001111",
                        id_number=number.lower())
    assert invitation.id_number_masked == number[:6] + "********" + number[-4:]
    assert number not in str(AuditEvent.objects.filter(action="invitation.create").values_list("after"))
    client.force_login(invitee)
    home = client.get(reverse("home"))
    assert [i.pk for i in home.context["invitations"]] == [invitation.pk]
    assert 'data-testid="home-invitation"' in home.content.decode()


def test_a_bad_id_number_on_an_invitation_is_refused(deliver, enterprise):
    with pytest.raises(InvalidInput) as error:
        invite(deliver, hr_admin_of(enterprise), enterprise, id_number="650102195702301234")
    assert error.value.field == "id_number"
    assert not Invitation.objects.exists()


def test_accepting_on_the_home_page_records_employment_and_tells_hr(deliver, enterprise, client):
    hr = hr_admin_of(enterprise)
    invitation = invite(deliver, hr, enterprise)
    invitee = UserFactory(mobile="13600001111")
    client.force_login(invitee)
    assert 'data-testid="accept-invitation"' in client.get(reverse("home")).content.decode()
    response = deliver(client.post, reverse("my-invitations"), {"invitation": invitation.pk})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == "accepted" and invitation.decided_at is not None
    assert Employment.objects.get(user=invitee, employer=enterprise).status == "confirmed"
    [note] = Notification.objects.filter(recipient=hr)
    assert invitee.real_name in note.subject and "accepted" in note.subject
    assert client.get(reverse("home")).context["invitations"] == []


def test_declining_tells_hr_and_changes_nothing_else(deliver, enterprise, client):
    hr = hr_admin_of(enterprise)
    invitation = invite(deliver, hr, enterprise)
    invitee = UserFactory(mobile="13600001111")
    client.force_login(invitee)
    response = deliver(client.post, reverse("my-invitations"), {"invitation": invitation.pk, "action": "decline",
                                                                "next": "home"})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    invitation.refresh_from_db()
    assert invitation.status == "declined"
    assert not Employment.objects.filter(user=invitee).exists()
    [note] = Notification.objects.filter(recipient=hr)
    assert "declined" in note.subject
    assert AuditEvent.objects.filter(action="invitation.decline").exists()
    with pytest.raises(Conflict):
        services.invitation_accept(user=invitee, invitation_id=invitation.pk)


def test_only_the_invitee_may_answer(deliver, enterprise):
    invitation = invite(deliver, hr_admin_of(enterprise), enterprise)
    stranger = UserFactory()
    for answer in (services.invitation_accept, services.invitation_decline):
        with pytest.raises(NotAllowed):
            answer(user=stranger, invitation_id=invitation.pk)
    invitation.refresh_from_db()
    assert invitation.status == "open"


def test_an_expired_invitation_is_not_shown_and_cannot_be_accepted(deliver, enterprise, client):
    invitation = invite(deliver, hr_admin_of(enterprise), enterprise)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    invitee = UserFactory(mobile="13600001111")
    client.force_login(invitee)
    assert client.get(reverse("home")).context["invitations"] == []
    with pytest.raises(RuleViolation):
        services.invitation_accept(user=invitee, invitation_id=invitation.pk)


def test_invitations_page_permissions(client, enterprise, deliver):
    invitation = invite(deliver, hr_admin_of(enterprise), enterprise)
    response = client.get(reverse("my-invitations"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    other = employee_of(EnterpriseFactory())
    client.force_login(other)
    assert list(client.get(reverse("my-invitations")).context["invitations"]) == []
    client.post(reverse("my-invitations"), {"invitation": invitation.pk, "action": "decline"})
    invitation.refresh_from_db()
    assert invitation.status == "open"


def test_the_console_form_sends_the_invitation_with_email_and_id_number(client, enterprise, deliver):
    hr = hr_admin_of(enterprise)
    client.force_login(hr)
    number = make_id_number(birth="19700101")
    response = deliver(client.post, reverse("enterprise-invite", args=[enterprise.pk]), {
        "kind": "employee", "real_name": "古丽", "mobile": "136 0000 2222", "email": "guli@example.com",
        "id_number": number, "position": "", "start_date": "2021-05-01"})
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.mobile == "13600002222" and invitation.email == "guli@example.com"
    assert len(sms_to("13600002222")) == 1 and [m.to for m in mail.outbox] == [["guli@example.com"]]


def test_invitation_lists_keep_a_flat_query_count(client, enterprise, django_assert_max_num_queries):
    invitee = UserFactory(mobile="13600001111")
    hr = hr_admin_of(enterprise)
    services.invitation_create(actor=hr, organization=enterprise, kind="hr_staff", mobile=invitee.mobile,
                               real_name="马建华")
    client.force_login(invitee)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(reverse("home"))  # the first request of a session does more (caches)
    counts = []
    for _round in range(2):
        with CaptureQueriesContext(connection) as home:
            client.get(reverse("home"))
        with CaptureQueriesContext(connection) as page:
            client.get(reverse("my-invitations"))
        counts.append((len(home), len(page)))
        for _n in range(6):
            other = EnterpriseFactory()
            services.invitation_create(actor=hr_admin_of(other), organization=other, kind="hr_staff",
                                       mobile=invitee.mobile, real_name="马建华")
    assert counts[0] == counts[1], counts
    assert len(client.get(reverse("my-invitations")).context["invitations"]) == 13
