"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's ``live_server``.

* ``browser`` (session): Chromium from ``CHROMIUM_PATH`` (default ``/usr/bin/chromium``). Missing Chromium
  skips the browser tests on a laptop but FAILS them when ``CI`` is set: in CI they must run.
* ``page`` (per test): a fresh context (1280x800, ``zh-CN`` like a user in Xinjiang, so the site shows its
  default language zh-hans) whose console errors, uncaught page errors, failed requests, HTTP errors and
  requests to other hosts are collected in ``watch``. A CSP violation is a console error, so every test
  proves the pages need nothing beyond the site's own assets and no inline script. The ``page`` fixture
  asserts at teardown that nothing was collected; tests call ``watch.assert_clean()`` at their own steps.
* ``shot(page, name)`` saves a full-page screenshot into ``tests/artifacts/`` (gitignored).

Playwright's sync API keeps an asyncio event loop running in the main thread, which Django's ORM refuses to
share unless ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set. The browser fixture sets it while Chromium is up, and
browser tests are moved to the end of the run so that no other test runs beside a live event loop.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
    "--no-first-run",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}
#: What a browser in Xinjiang sends; Django maps ``zh-CN`` to the site's default ``zh-hans``.
BROWSER_LOCALE = "zh-CN"
#: The password ``tests.factories.UserFactory`` gives every user.
FACTORY_PASSWORD = "Passw0rd!x"
#: Time limit for one browser action or navigation (ms): pages are server-rendered and local.
TIMEOUT_MS = 15_000


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def pytest_collection_modifyitems(config, items):
    """Run browser tests last (see the module docstring), keeping their relative order."""
    browser = [item for item in items if item.get_closest_marker("browser")]
    if browser:
        items[:] = [item for item in items if not item.get_closest_marker("browser")] + browser


def chromium_executable() -> str:
    """The Chromium binary, or skip (laptop) / fail (CI) with the reason."""
    wanted = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    found = shutil.which(wanted)
    problem = None
    if found is None:
        problem = f"Chromium not found at {wanted!r} (set CHROMIUM_PATH or install Debian's chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "playwright is not installed (requirements-dev.txt)"
    if problem:
        if in_ci():
            pytest.fail(f"{problem}; CI must run the browser tests, not skip them.", pytrace=False)
        pytest.skip(problem)
    return found


@pytest.fixture(scope="session")
def browser():
    executable = chromium_executable()
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _english():
    """Overrides the suite-wide fixture that sets ``LANGUAGE_CODE = "en"``: the live server runs in this
    process, so that would change the site's default language too. Browser tests see the site as deployed
    (zh-hans by default); they compare against messages translated with ``translation.override``."""
    yield


@dataclass
class PageWatch:
    """Everything that went wrong in the browser while a test ran."""

    base_url: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    http_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    #: (status, path regex) pairs a test expects, e.g. a 404 for another region's enterprise.
    allowed_http_errors: list[tuple[int, str]] = field(default_factory=list)

    def allow_http_error(self, status: int, path_pattern: str) -> None:
        """Expect one kind of HTTP error (and the console line Chromium prints for it)."""
        self.allowed_http_errors.append((status, path_pattern))

    def _allowed(self, status: int, url: str) -> bool:
        path = url.removeprefix(self.base_url)
        return any(status == s and re.search(p, path) for s, p in self.allowed_http_errors)

    def attach(self, context) -> None:
        context.on("console", self._on_console)
        context.on("weberror", lambda error: self.page_errors.append(str(error.error)))
        context.on("request", self._on_request)
        context.on("requestfailed", self._on_request_failed)
        context.on("response", self._on_response)

    def _on_console(self, message) -> None:
        if message.type != "error":
            return
        text = message.text
        location = message.location.get("url", "") if message.location else ""
        # Chromium echoes every HTTP error response as a console error; expected ones are not problems.
        if text.startswith("Failed to load resource") and any(
            re.search(p, location.removeprefix(self.base_url)) for _s, p in self.allowed_http_errors
        ):
            return
        self.console_errors.append(f"{text} ({location})" if location else text)

    def _on_request(self, request) -> None:
        url = request.url
        if not url.startswith((self.base_url, "data:", "blob:", "about:")):
            self.external_requests.append(f"{request.method} {url}")

    def _on_request_failed(self, request) -> None:
        # The browser cancels a favicon fetch when the test navigates on at once; nothing failed.
        if "favicon" in request.url and "ERR_ABORTED" in str(request.failure):
            return
        self.failed_requests.append(f"{request.method} {request.url}: {request.failure}")

    def _on_response(self, response) -> None:
        if response.status >= 400 and not self._allowed(response.status, response.url):
            self.http_errors.append(f"{response.status} {response.request.method} {response.url}")

    def problems(self) -> list[str]:
        return [
            *(f"console error: {e}" for e in self.console_errors),
            *(f"page error: {e}" for e in self.page_errors),
            *(f"failed request: {e}" for e in self.failed_requests),
            *(f"HTTP error: {e}" for e in self.http_errors),
            *(f"request to another host: {e}" for e in self.external_requests),
        ]

    def take(self) -> list[str]:
        """The problems so far, forgetting them (to check one page after another)."""
        problems = self.problems()
        for collected in (self.console_errors, self.page_errors, self.failed_requests, self.http_errors,
                          self.external_requests):
            collected.clear()
        return problems

    def assert_clean(self) -> None:
        problems = self.take()
        assert not problems, "The browser reported:\n  " + "\n  ".join(problems)


@pytest.fixture
def watch(live_server) -> PageWatch:
    return PageWatch(base_url=live_server.url)


@pytest.fixture
def context(browser, live_server, watch):
    ctx = browser.new_context(base_url=live_server.url, locale=BROWSER_LOCALE, viewport=VIEWPORT,
                              timezone_id="Asia/Shanghai")
    ctx.set_default_timeout(TIMEOUT_MS)
    watch.attach(ctx)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context, watch, request):
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is None or report.passed:
        watch.assert_clean()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep the call report on the item, so ``page`` checks the browser only after a passing test
    (a failing test already says what went wrong)."""
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report


# --- Helpers the tests share ----------------------------------------------


def shot(page, name: str) -> Path:
    """Save a full-page screenshot as ``tests/artifacts/<name>.png``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, username: str, password: str = FACTORY_PASSWORD) -> None:
    """Log in through the login page (username = mobile or ID number) and land on the home page."""
    page.goto("/accounts/login/")
    form = page.locator("main form")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "/accounts/login/" not in page.url, f"login as {username} failed: {page.inner_text('main')}"


def logout(page) -> None:
    """Log out with the navigation bar's button."""
    with page.expect_navigation():
        page.locator("nav form[action$='/accounts/logout/'] button").click()
    assert page.locator("nav a[href$='/accounts/login/']").is_visible()


def switch_language(page, code: str | None = None) -> None:
    """Press the navigation bar's button of language ``code`` (中文 / ئۇيغۇرچە / English); without
    one, English ⇄ 中文."""
    if code is None:
        code = "zh-hans" if page.locator("html").get_attribute("lang") == "en" else "en"
    with page.expect_navigation():
        page.locator(f"nav button[name=language][value={code}]").click()
