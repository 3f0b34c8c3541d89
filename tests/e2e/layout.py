"""What a person on a phone (and a screen reader) would run into, measured in the browser.

Shared by ``tests/e2e/test_phone_and_a11y.py`` (every page of every demo role, at 390x844 and at desktop
size) and by ``docs/screenshots.py --phone``. Three checks, each returning plain lines that say what is wrong
and where:

* ``layout_problems(page)``: a visible control (link, button, field, ``summary`` …) that reaches outside the
  viewport horizontally, or that an ancestor clips or hides behind a horizontal scroll (``overflow`` other
  than ``visible``); and a document wider than the viewport (``scrollWidth > innerWidth``);
* ``axe_problems(page)``: axe-core's violations of impact *critical* or *serious* (axe-core is bundled by the
  PyPI package ``axe-playwright-python``; no CDN);
* ``page_links(page)``: the site's own pages a page links to, for the crawl that finds "every page".
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

#: Phones in Xinjiang: 390x844 CSS px (an iPhone 12-15 and most Android phones of that size).
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
#: Rounding slack (CSS px) when comparing boxes.
SLACK = 1

_LAYOUT_JS = (Path(__file__).with_name("layout.js")).read_text(encoding="utf-8")


def layout_problems(page) -> list[str]:
    """Controls outside the viewport or clipped by an ancestor, and a page wider than the viewport."""
    return page.evaluate(_LAYOUT_JS, SLACK)


_AXE_SOURCE: str | None = None


def _axe_source() -> str:
    """axe-core as bundled by ``axe-playwright-python`` (read once)."""
    global _AXE_SOURCE
    if _AXE_SOURCE is None:
        from importlib.resources import files

        _AXE_SOURCE = files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")
    return _AXE_SOURCE


def axe_problems(page, impacts: tuple[str, ...] = ("critical", "serious")) -> list[str]:
    """axe-core's violations of the given impacts, one line per rule with up to three offending nodes.

    axe is put into the page once per document (through the DevTools protocol, so the site's CSP, which
    allows no inline script, does not apply) and run on the whole document as it is laid out now.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    lines = []
    for violation in results["violations"]:
        if violation.get("impact") not in impacts:
            continue
        nodes = violation["nodes"]
        targets = "; ".join(" ".join(map(str, node["target"])) for node in nodes[:3])
        more = f" (+{len(nodes) - 3} more)" if len(nodes) > 3 else ""
        lines.append(f"axe {violation['impact']} {violation['id']}: {violation['help']} — {targets}{more}")
    return lines


#: Paths that are not pages to look at: leaving, switching language, files and machine interfaces, and
#: Django's own admin (its own stylesheet, not the portal's pages).
SKIP_PATHS = re.compile(
    r"^/(accounts/logout/|i18n/|admin/|api/|static/|media/|healthz|favicon)"
    r"|/(pdf|download|export|excel|xlsx|csv|files/\d+|licence|attachment|receipt\.pdf|qr)(/|\.|$)"
    r"|\.(pdf|xlsx|csv|png|jpg|jpeg|zip|ics|json)$"
)

_LINKS_JS = r"""
() => [...document.querySelectorAll('a[href]')]
  .filter(a => !a.hasAttribute('download') && !a.target)
  .map(a => a.href)
"""


_SHAPE_JS = r"""
() => {
  const root = document.querySelector('main') || document.body;
  return [...new Set([...root.querySelectorAll('[data-testid]')].map((el) => el.dataset.testid))].sort().join(' ');
}
"""


def page_shape(page) -> str:
    """The sections (``data-testid``) the page's ``main`` shows: two pages of one kind in different states
    (a returned application with its corrections, one in publicity) differ in shape, two lists of
    different length do not."""
    return page.evaluate(_SHAPE_JS)


def page_key(path: str) -> str:
    """One key per kind of page: ids (and other numbers) become ``N``, the query string is dropped."""
    return re.sub(r"\d+", "N", path)


def page_links(page, base_url: str) -> list[str]:
    """The site's own page paths (with query) that ``page`` links to, in document order, without repeats."""
    seen, out = set(), []
    for href in page.evaluate(_LINKS_JS):
        if not href.startswith(base_url):
            continue
        parts = urlsplit(href)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if SKIP_PATHS.search(parts.path) or path in seen:
            continue
        seen.add(path)
        out.append(path)
    return out
