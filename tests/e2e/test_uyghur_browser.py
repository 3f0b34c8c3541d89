"""Issue 13: every page of every demo role, in Uyghur, in a real browser, on a phone and on a desk.

The sibling of ``test_phone_and_a11y.py`` (same walk, same checks of layout and axe-core), with every
demo person's language set to Uyghur (``User.language = "ug"``) and the visitor's language cookie too.
To stay short beside the suite in CI, a page is checked once per *kind* (``/x/7/`` and ``/x/8/`` are one
kind), whatever its shape, and each role's home page always. On each checked page, at 390x844 and at
1280x800:

(a) ``<html lang="ug" dir="rtl">`` and Bootstrap's RTL stylesheet;
(b) no visible control outside the viewport or clipped, no document wider than the viewport;
(c) axe-core: no violation of impact critical or serious (on the desk, each role's home page: its
    navigation bar; the rest on the phone);
(d) no date or number run outside an isolate, and no word of the portal left in Chinese
    (``tests/bidi_check.py``, on the page's HTML as the browser holds it).

``tests/artifacts/ug-phone-<role>-home.png`` holds a phone screenshot of each role's home page.
"""

from __future__ import annotations

import time
from io import StringIO

import pytest
from django.core.management import call_command

from portal.demo import DEMO_PASSWORD
from portal.models import Organization, User
from tests.bidi_check import chinese_catalogue_words, unisolated_runs
from tests.e2e.conftest import TIMEOUT_MS, PageWatch, login, shot
from tests.e2e.layout import DESKTOP, PHONE, axe_problems, layout_problems
from tests.e2e.test_phone_and_a11y import DEMO_LOGINS, Walk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RTL_JS = """() => {
  const html = document.documentElement, out = [];
  if (html.dir !== 'rtl' || html.lang !== 'ug') out.push(`<html dir="${html.dir}" lang="${html.lang}">`);
  if (!document.querySelector('link[href*="bootstrap.rtl"]')) out.push('no Bootstrap RTL stylesheet');
  return out;
}"""


def check_uyghur_page(page, path: str, words: frozenset[str] = frozenset()) -> list[str]:
    """Problems of the Uyghur page now open: direction, mixed content and the portal's words left in
    Chinese, then layout and axe at both sizes."""
    problems = [f"{path} {line}" for line in page.evaluate(RTL_JS)]
    problems += [f"{path} {line}" for line in unisolated_runs(page.content(), words)]
    for name, size in (("390x844", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        # axe on the desk only for a role's home page: what differs from the phone is the navigation bar
        # (collapsed on a phone), the same on every page of a role; the page's own content is checked on
        # the phone. Half the time of axe, for the CI budget of this walk.
        found = layout_problems(page) + (axe_problems(page) if name == "390x844" or path == "/" else [])
        problems += [f"{path} [{name}] {line}" for line in dict.fromkeys(found)]
    page.set_viewport_size(PHONE)
    return problems


@pytest.fixture
def demo_in_uyghur():
    call_command("demo_data", stdout=StringIO())
    User.objects.update(language="ug")


def test_every_page_of_every_demo_role_in_uyghur_is_rtl_fits_a_phone_and_passes_axe(
        browser, live_server, demo_in_uyghur):
    words = chinese_catalogue_words() - set(Organization.objects.values_list("name", flat=True))
    walk = Walk(base_url=live_server.url, by_shape=False,
                check=lambda page, path: check_uyghur_page(page, path, words))
    started = time.monotonic()
    for role, mobile in DEMO_LOGINS.items():
        watch = PageWatch(base_url=live_server.url)
        context = browser.new_context(base_url=live_server.url, locale="ug", viewport=PHONE,
                                      timezone_id="Asia/Shanghai")
        context.add_cookies([{"name": "django_language", "value": "ug", "url": live_server.url}])
        context.set_default_timeout(TIMEOUT_MS)
        watch.attach(context)
        try:
            page = context.new_page()
            if mobile:
                login(page, mobile, DEMO_PASSWORD)
            walk.role(role, page)
            page.goto("/")
            shot(page, f"ug-phone-{role}-home")
        finally:
            context.close()
        walk.problems += [f"{role}: browser: {line}" for line in watch.take() if "favicon" not in line]
    print(f"\nopened {sum(walk.opened.values())} pages, checked {sum(walk.checks.values())}, for "
          f"{len(DEMO_LOGINS)} roles in {time.monotonic() - started:.0f} s: {walk.checks}")
    assert all(walk.opened[role] >= 2 for role in DEMO_LOGINS), walk.opened
    assert not walk.problems, f"{len(walk.problems)} problems in Uyghur:\n  " + "\n  ".join(walk.problems)
