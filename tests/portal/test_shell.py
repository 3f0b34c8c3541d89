"""Issue 15: ``{% shell %}`` renders a page's frame once per process for each value of what it
depends on, and its ``{% hole %}``s for each request; the output is the same as without it. On
base.html: what is one person's or one request's is never shown to another."""

from __future__ import annotations

import pytest
from django.template import Context, Engine, TemplateSyntaxError
from django.urls import reverse

from portal.models import Role
from portal.notifications import notification_send_each
from portal.templatetags.shell import ShellNode
from tests.factories import UserFactory

FRAME = ("{% load shell %}{% shell lang %}<p>{{ label }}</p>{% hole %}<b>{{ name }}</b>{% endhole %}"
         "<i>{{ lang }}</i>{% hole %}{% if count %}({{ count }}){% endif %}{% endhole %}{% endshell %}")


class Counted:
    """A value that counts how often the template reads it."""

    def __init__(self, text: str):
        self.text, self.reads = text, 0

    def __str__(self) -> str:
        self.reads += 1
        return self.text


def _engine(**templates) -> Engine:
    return Engine(loaders=[("django.template.loaders.locmem.Loader", templates)],
                  libraries={"shell": "portal.templatetags.shell"})


def test_frame_rendered_once_per_value_holes_every_time():
    template = _engine().from_string(FRAME)
    label = Counted("menu")
    assert template.render(Context({"lang": "en", "label": label, "name": "A", "count": 2})) \
        == "<p>menu</p><b>A</b><i>en</i>(2)"
    assert template.render(Context({"lang": "en", "label": label, "name": "B<", "count": 0})) \
        == "<p>menu</p><b>B&lt;</b><i>en</i>"
    assert label.reads == 1  # the frame: once for "en"
    assert template.render(Context({"lang": "ug", "label": label, "name": "C", "count": 1})) \
        == "<p>menu</p><b>C</b><i>ug</i>(1)"
    assert label.reads == 2  # and once for "ug"
    (shell,) = template.nodelist.get_nodes_by_type(ShellNode)
    assert set(shell.frames) == {("en",), ("ug",)}


def test_same_output_as_without_the_shell():
    plain = FRAME.replace("{% load shell %}", "")
    for tag in ("{% shell lang %}", "{% endshell %}", "{% hole %}", "{% endhole %}"):
        plain = plain.replace(tag, "")
    with_shell, without = _engine().from_string(FRAME), _engine().from_string(plain)
    for values in ({"lang": "en", "label": "x", "name": "A", "count": 3}, {"lang": "en", "label": "x", "name": "&"},
                   {"lang": "zh", "label": "y", "name": "", "count": 1}, {"lang": "en", "label": "x"}):
        assert with_shell.render(Context(values)) == without.render(Context(values))


def test_blocks_of_the_page_are_filled_in_holes():
    engine = _engine(
        parent="{% load shell %}{% shell lang %}<h1>{{ lang }}</h1>{% hole %}{% block body %}-{% endblock %}"
               "{% endhole %}{% endshell %}",
        child="{% extends 'parent' %}{% block body %}[{{ name }}]{{ block.super }}{% endblock %}")
    assert engine.get_template("child").render(Context({"lang": "en", "name": "A"})) == "<h1>en</h1>[A]-"
    assert engine.get_template("child").render(Context({"lang": "en", "name": "B"})) == "<h1>en</h1>[B]-"
    assert engine.get_template("parent").render(Context({"lang": "en"})) == "<h1>en</h1>-"


def test_a_shell_inside_another_is_rendered_whole_for_each_request():
    engine = _engine(inner="{% load shell %}{% shell lang %}<i>{{ name }}</i>{% endshell %}")
    template = engine.from_string("{% load shell %}{% shell lang %}<p>{% include 'inner' %}</p>{% endshell %}")
    assert template.render(Context({"lang": "en", "name": "A"})) == "<p><i>A</i></p>"
    assert template.render(Context({"lang": "en", "name": "B"})) == "<p><i>B</i></p>"


def test_a_block_outside_a_hole_is_refused():
    with pytest.raises(TemplateSyntaxError):
        _engine().from_string("{% load shell %}{% shell lang %}{% block body %}{% endblock %}{% endshell %}")
    with pytest.raises(TemplateSyntaxError):
        _engine().from_string("{% load shell %}{% shell %}x{% endshell %}")


def test_frames_forgotten_when_a_setting_changes(settings):
    template = _engine().from_string(FRAME)
    template.render(Context({"lang": "en", "label": "old"}))
    settings.STATIC_URL = "/elsewhere/"
    assert template.render(Context({"lang": "en", "label": "new"})).startswith("<p>new</p>")


def _notify(user, n: int) -> None:
    notification_send_each(messages=[(user, "s", "b", f"/x/{i}/") for i in range(n)], email_now=False)


@pytest.mark.django_db
def test_base_page_parts_of_one_person_never_shown_to_another(client):
    """Two people with the same roles and language share base.html's frame, not their name, unread
    count, CSRF token, path or messages."""
    first = UserFactory(roles=[Role.APPLICANT], language="zh-hans", real_name="甲一")
    second = UserFactory(roles=[Role.APPLICANT], language="zh-hans", real_name="乙二")
    _notify(first, 3)
    client.force_login(first)
    one = client.get(reverse("notifications") + "?page=1").content.decode()
    token_one = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else None
    client.logout()
    client.force_login(second)
    two = client.get(reverse("my-settings")).content.decode()
    assert "甲一" in one and "甲一" not in two and "乙二" in two
    assert 'text-bg-warning">3<' in one and "text-bg-warning" not in two
    assert 'name="next" value="/me/notifications/?page=1"' in one
    assert f'name="next" value="{reverse("my-settings")}"' in two
    tokens_one = set(one.split('name="csrfmiddlewaretoken" value="')[1:])
    tokens_two = set(two.split('name="csrfmiddlewaretoken" value="')[1:])
    assert tokens_one and tokens_two and not tokens_one & tokens_two
    assert token_one is None or token_one not in two


@pytest.mark.django_db
def test_base_page_shows_this_requests_messages(client):
    user = UserFactory(roles=[Role.APPLICANT], language="en")
    client.force_login(user)
    assert 'role="alert"' not in client.get(reverse("my-settings")).content.decode()  # the frame is kept
    response = client.post(reverse("my-api-tokens-revoke"), {"token": "x"}, follow=True)
    html = response.content.decode()
    assert 'role="alert">No such token.</div>' in html
    assert 'role="alert"' not in client.get(reverse("my-settings")).content.decode()
