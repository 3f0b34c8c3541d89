"""The person's own language (``User.language``) and settings page; the home page's next step after
signup, with the employer found by name or credit code; open calls that are links."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from portal.models import AuditEvent, Employment, User
from tests.factories import EnterpriseFactory, UserFactory, bureau_officer, employee_of, hr_admin_of


def test_language_choices_come_from_settings_each_time(settings):
    field = User._meta.get_field("language")
    assert [code for code, _name in field.choices] == [code for code, _name in settings.LANGUAGES]
    settings.LANGUAGES = [*settings.LANGUAGES, ("ug", "ئۇيغۇرچە")]
    assert "ug" in [code for code, _name in User._meta.get_field("language").choices]
    user = UserFactory(language="ug")
    user.full_clean(exclude=["password"])
    assert user.message_language == "ug"


def test_an_unknown_language_falls_back_to_the_site_default():
    user = UserFactory(language="xx")
    assert user.message_language == settings.LANGUAGE_CODE


def test_the_language_switcher_saves_the_logged_in_persons_language(client):
    user = UserFactory(language="")
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "en"
    assert AuditEvent.objects.filter(action="user.language", object_id=str(user.pk)).exists()
    client.post(reverse("set_language"), {"language": "nope", "next": "/"})
    user.refresh_from_db()
    assert user.language == "en"


def test_the_switcher_still_works_for_visitors(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_after_login_pages_are_in_the_persons_language_whatever_the_browser_says(client):
    user = UserFactory(language="en")
    response = client.post(reverse("login"), {"username": user.mobile, "password": "Passw0rd!x"},
                           HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response.status_code == 302
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response["Content-Language"] == "en"
    assert "Welcome" in response.content.decode()
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    zh = UserFactory(language="zh-hans")
    client.force_login(zh)
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "zh-hans"


def test_settings_page_saves_language_email_and_muted_topics(client):
    user = UserFactory(language="", email="old@example.com")
    client.force_login(user)
    page = client.get(reverse("my-settings")).content.decode()
    assert 'name="sms:result"' in page and 'name="email:work"' in page and 'name="sms:work"' not in page
    data = {"language": "en", "email": "new@example.com", "sms:invitation": "on", "sms:correction": "on",
            "sms:result": "on", "sms:receipt": "on", "email:invitation": "on", "email:reminder": "on",
            "email:correction": "on", "email:result": "on", "email:receipt": "on"}
    response = client.post(reverse("my-settings"), data)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "en" and user.email == "new@example.com"
    assert user.muted == ["email:work", "sms:reminder"]
    assert not user.wants("sms", "reminder") and user.wants("sms", "code") and user.wants("email", "security")
    event = AuditEvent.objects.filter(action="user.preferences", object_id=str(user.pk)).get()
    assert "new@example.com" not in str(event.after)  # masked in the trail


def test_settings_page_refuses_a_bad_email_and_changes_nothing(client):
    user = UserFactory(email="old@example.com")
    client.force_login(user)
    client.post(reverse("my-settings"), {"language": "en", "email": "not-an-email"})
    user.refresh_from_db()
    assert user.email == "old@example.com" and user.language == ""


def test_settings_page_needs_a_login(client):
    response = client.get(reverse("my-settings"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    for user in (UserFactory(), bureau_officer(), hr_admin_of(EnterpriseFactory())):
        client.force_login(user)
        assert client.get(reverse("my-settings")).status_code == 200


# --- The next step after signup -----------------------------------------------------------------

def test_after_signup_the_home_page_says_link_your_employer(client):
    user = UserFactory(roles=["applicant"])
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.context["needs_employer"] is True
    html = response.content.decode()
    assert 'data-testid="next-step"' in html and f'action="{reverse("my-employment")}"' in html
    employee = employee_of(EnterpriseFactory())
    client.force_login(employee)
    assert 'data-testid="next-step"' not in client.get(reverse("home")).content.decode()


def test_the_employer_is_found_by_name_or_credit_code(client):
    active = EnterpriseFactory(name="喀什丝路纺织有限公司")
    EnterpriseFactory(name="喀什丝路待审有限公司", status="pending")
    user = UserFactory(roles=["applicant"])
    client.force_login(user)
    by_name = client.get(reverse("my-employment"), {"q": "丝路"}).context["results"]
    assert [o.pk for o in by_name] == [active.pk]
    by_code = client.get(reverse("my-employment"), {"q": active.uscc[:10].lower()}).context["results"]
    assert [o.pk for o in by_code] == [active.pk]
    response = client.get(reverse("my-employment"), {"q": "丝路", "employer": active.pk})
    assert response.context["chosen"] == active
    response = client.post(reverse("my-employment"), {"employer": active.pk, "position": "工程师",
                                                      "start_date": "2019-04-01"})
    assert response.status_code == 302
    assert Employment.objects.get(user=user).employer == active


def test_employer_search_query_count_stays_flat(client, django_assert_max_num_queries):
    user = UserFactory(roles=["applicant"])
    client.force_login(user)
    EnterpriseFactory(name="阿克苏测试一公司")
    client.get(reverse("my-employment"), {"q": "测试"})
    for n in range(15):
        EnterpriseFactory(name=f"阿克苏测试公司{n}")
    with django_assert_max_num_queries(4):  # the user with its roles and unread count: one query
        response = client.get(reverse("my-employment"), {"q": "测试"})
    assert len(response.context["results"]) == 16


def test_a_pending_enterprise_cannot_be_named_by_id(client):
    pending = EnterpriseFactory(status="pending")
    user = UserFactory(roles=["applicant"])
    client.force_login(user)
    response = client.post(reverse("my-employment"), {"employer": pending.pk, "start_date": "2019-04-01"})
    assert response.status_code == 200 and not Employment.objects.filter(user=user).exists()
