"""Issue 15: base.html's frame, the navigation menus with it, is rendered once per process for
each language and set of roles (``{% shell %}``, portal/templatetags/shell.py); each person still
sees the menus of their own roles, in their language, and their own name, unread count and CSRF
token."""

from __future__ import annotations

from django.template import loader
from django.urls import reverse

from portal.models import Organization, Role
from portal.templatetags.shell import ShellNode
from tests.factories import EnterpriseFactory, UserFactory, hr_admin_of


def _base_frames() -> dict:
    (shell,) = loader.get_template("base.html").template.nodelist.get_nodes_by_type(ShellNode)
    return shell.frames


def _home(client, user, language: str = "zh-hans") -> str:
    client.force_login(user)
    return client.get(reverse("notifications"), HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_navigation_menus_cached_per_roles_and_language(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    applicant = UserFactory(roles=[Role.APPLICANT], language="zh-hans")
    officer = UserFactory(roles=[Role.BUREAU_OFFICER], language="zh-hans")
    hr = hr_admin_of(EnterpriseFactory(), language="zh-hans")
    institution = EnterpriseFactory(kind=Organization.Kind.INSTITUTION)
    first = _home(client, applicant)
    assert len(_base_frames()) == 1  # the frame and its menus are kept from now on
    assert reverse("applications-dashboard") in first and 'data-testid="nav-work"' not in first
    work = _home(client, officer)
    assert 'data-testid="nav-work"' in work and reverse("applications-dashboard") not in work
    assert officer.real_name in work and applicant.real_name not in work  # the name is never cached
    staff = _home(client, hr)
    assert 'data-testid="nav-staff-titles"' in staff  # HR of an enterprise
    other = hr_admin_of(institution, language="zh-hans")
    assert 'data-testid="nav-staff-titles"' not in _home(client, other)  # same role, no enterprise
    again = _home(client, applicant)
    assert again.split('id="nav"')[1].split("navbar-nav align-items-lg-center")[0] \
        == first.split('id="nav"')[1].split("navbar-nav align-items-lg-center")[0]
    assert len(_base_frames()) == 4  # one per set of roles, the applicant's reused
    assert all(type(value) in (str, bool) for key in _base_frames() for value in key)  # no request's objects


def test_navigation_menus_follow_the_language(client):
    applicant = UserFactory(roles=[Role.APPLICANT], language="zh-hans")
    chinese = _home(client, applicant)
    applicant.language = "ug"
    applicant.save(update_fields=["language"])
    uyghur = _home(client, applicant)
    assert "我的申报" in chinese and "我的申报" not in uyghur
