"""Issue 12 §6: every page of every demo role fits a phone and passes axe-core.

On the demo data of ``manage.py demo_data`` (what ``make run`` shows), one browser logs in once as each
demo login of the README and opens that role's pages: its home page, every page of the site the home page
and its navigation link to, and the pages those link to. Each kind of page (``/x/7/`` and ``/x/8/`` are
one kind) is opened once per role; the public pages once, as a visitor. A page is checked when no role
has had a page of its kind *and shape* checked (the kinds of element its ``main`` holds: a returned
application and one in publicity differ in shape), and each role's home page always. A check looks at the
page at 390x844 (a phone) and at 1280x800 (a desk), in one load, for

(a) no visible control (link, button, field) that reaches outside the viewport horizontally or that an
    ancestor clips or hides behind a horizontal scroll;
(b) a document no wider than the viewport;
(c) axe-core: no violation of impact critical or serious.

Every problem of every page is listed in the one failure, with the role, the page, the size and the element.
``tests/artifacts/phone-<role>-home.png`` holds a phone screenshot of each role's home page.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from io import StringIO

import pytest
from django.core.management import call_command

from portal.demo import DEMO_PASSWORD
from tests.e2e.conftest import BROWSER_LOCALE, TIMEOUT_MS, PageWatch, login, shot
from tests.e2e.layout import DESKTOP, PHONE, axe_problems, layout_problems, page_key, page_links, page_shape

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: The README's demo logins (``make run``), one per role and situation; "visitor" is nobody logged in.
#: Django's admin (the system and security administrators' only pages) is left out: it has its own
#: stylesheet, not the portal's.
DEMO_LOGINS = {
    "visitor": None,
    "bureau-officer": "13900000001",
    "regional-officer": "13900000010",
    "hr-admin": "13900000002",
    "applicant": "13900000003",
    "applicant-invited": "13900000006",
    "hr-admin-pending": "13900000004",
    "auditor": "13900000007",
    "secretary": "13900001010",
    "chair": "13900002001",
    "expert-draft": "13900002002",
    "expert": "13900002003",
    "agency-officer": "13900001013",
    "university-hr": "13900001014",
    "dispatch-hr": "13900001011",
    "applicant-returned": "13900001102",
    "applicant-freelancer": "13900001110",
    "applicant-objected": "13900002102",
    "applicant-not-passed": "13900002103",
    "applicant-waiting": "13900002106",
    "supervisor": "13900000060",
}
#: How far from the home page the walk goes (home = 0), and at most how many pages one role opens.
DEPTH = 2
MAX_PAGES_PER_ROLE = 40


@dataclass
class Walk:
    """What the walk has seen so far, across roles."""

    base_url: str
    public: set[str] = field(default_factory=set)  # kinds of page the visitor walked: not walked again
    checked: set[tuple[str, str]] = field(default_factory=set)  # (kind, shape) of every page checked
    problems: list[str] = field(default_factory=list)
    opened: dict[str, int] = field(default_factory=dict)  # per role: pages opened
    checks: dict[str, int] = field(default_factory=dict)  # per role: pages checked
    #: False: a page is checked when no role has had a page of its *kind* checked (shape left aside),
    #: for a shorter walk (the Uyghur walk, beside this one in CI).
    by_shape: bool = True
    #: The checks of one page: ``(page, path) -> [problem]``.
    check: Callable[[object, str], list[str]] | None = None

    def role(self, role: str, page) -> None:
        """Open the pages of one role (logged in on ``page``) from its home page, breadth first, and check
        every one whose kind and shape no role has had checked yet (always the home page). A page of a
        kind already checked is opened only to follow its links, and not at the last level."""
        queue, mine = deque([("/", 0)]), set()
        opened = checks = 0
        while queue and opened < MAX_PAGES_PER_ROLE:
            path, depth = queue.popleft()
            key = page_key(path.split("?")[0])
            if key in mine or (key in self.public and key != "/"):
                continue
            mine.add(key)
            if key != "/" and depth >= DEPTH and any(kind == key for kind, _shape in self.checked):
                continue
            response = page.goto(path)
            opened += 1
            content_type = (response.headers.get("content-type") or "") if response else ""
            if response is None or response.status >= 400 or "text/html" not in content_type:
                self.problems.append(f"{role}: {path}: HTTP {response.status if response else '—'} {content_type}")
                continue
            shape = (key, page_shape(page) if self.by_shape else "")
            if key == "/" or shape not in self.checked:
                self.checked.add(shape)
                checks += 1
                self.problems += [f"{role}: {line}" for line in (self.check or check_page)(page, path)]
            if depth < DEPTH:
                queue.extend((link, depth + 1) for link in page_links(page, self.base_url))
        if role == "visitor":
            self.public |= mine
        self.opened[role], self.checks[role] = opened, checks


def check_page(page, path: str) -> list[str]:
    """Problems of the page now open, at a phone's size and then a desk's (one load, resized)."""
    problems = []
    for name, size in (("390x844", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        found = layout_problems(page) + axe_problems(page)
        problems += [f"{path} [{name}] {line}" for line in dict.fromkeys(found)]
    page.set_viewport_size(PHONE)
    return problems


@pytest.fixture
def demo():
    call_command("demo_data", stdout=StringIO())


def test_every_page_of_every_demo_role_fits_a_phone_and_passes_axe(browser, live_server, demo):
    walk = Walk(base_url=live_server.url)
    started = time.monotonic()
    for role, mobile in DEMO_LOGINS.items():
        watch = PageWatch(base_url=live_server.url)
        context = browser.new_context(base_url=live_server.url, locale=BROWSER_LOCALE, viewport=PHONE,
                                      timezone_id="Asia/Shanghai")
        context.set_default_timeout(TIMEOUT_MS)
        watch.attach(context)
        try:
            page = context.new_page()
            if mobile:
                login(page, mobile, DEMO_PASSWORD)
            walk.role(role, page)
            page.goto("/")
            shot(page, f"phone-{role}-home")
        finally:
            context.close()
        walk.problems += [f"{role}: browser: {line}" for line in watch.take() if "favicon" not in line]
    print(f"\nopened {sum(walk.opened.values())} pages, checked {sum(walk.checks.values())}, for "
          f"{len(DEMO_LOGINS)} roles in {time.monotonic() - started:.0f} s: {walk.checks}")
    # The walk must reach each role's own pages, not stop at a login form or an error page.
    assert all(walk.opened[role] >= 2 for role in DEMO_LOGINS), walk.opened
    assert not walk.problems, f"{len(walk.problems)} problems on phone or desktop:\n  " + "\n  ".join(walk.problems)


BROKEN = """<!doctype html><html lang="en"><head><meta name="viewport" content="width=device-width, initial-scale=1">
<title>broken</title><style>
  body { margin: 0; font: 16px sans-serif; }
  .far { position: absolute; left: 420px; top: 10px; }
  .box { width: 120px; overflow: hidden; white-space: nowrap; }
  .box button { width: 300px; }
  .wide { width: 600px; height: 10px; }
  .pale { color: #bbb; background: #fff; }
</style></head><body><main>
  <h1>A broken page</h1>
  <a class="far" href="#x">off the screen</a>
  <div class="box"><button type="button">a clipped button</button></div>
  <div class="wide"></div>
  <p class="pale">grey on white</p>
  <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
</main></body></html>"""

FINE = """<!doctype html><html lang="en"><head><meta name="viewport" content="width=device-width, initial-scale=1">
<title>fine</title></head><body><main><h1>A fine page</h1><p>Black on white.</p>
<a href="#x">a link</a> <button type="button">a button</button></main></body></html>"""


def test_the_checks_find_what_a_broken_page_does_wrong(browser):
    """The walk above passes only because the pages are right: the same checks on a page that breaks each
    rule report each break (and nothing on a page that breaks none)."""
    page = browser.new_page(viewport=PHONE)
    try:
        page.set_content(FINE)
        assert layout_problems(page) == [] and axe_problems(page) == []
        page.set_content(BROKEN)
        layout = "\n".join(layout_problems(page))
        assert '<a.far> "off the screen" reaches outside the viewport' in layout
        assert '<button> "a clipped button" is clipped by <div.box>' in layout
        assert "the page is 600px wide in a 390px viewport" in layout
        axe = "\n".join(axe_problems(page))
        assert "axe serious color-contrast" in axe
        assert "axe critical image-alt" in axe
    finally:
        page.close()
