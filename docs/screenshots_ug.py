"""Check the Uyghur (right-to-left) pages in a real browser and take their screenshots
(``docs/img/ug-*.png``) from a running portal with demo data.

    make run                                            # serves http://127.0.0.1:8000/ with demo data
    .venv/bin/python docs/screenshots_ug.py             # in another terminal
    .venv/bin/python docs/screenshots_ug.py http://127.0.0.1:8765 --only applicant

For each role it logs in with the browser asking for Uyghur, opens the role's pages on a desktop
(1280x800) and on a phone (390x844), and checks on each: ``<html dir="rtl" lang="ug">``, Bootstrap's
RTL stylesheet, nothing wider than the screen, and no button, link or field cut off at the screen's
edge (a control inside a horizontally scrolling box, such as a wide table on a phone, is reached
by scrolling and is not counted). It prints every problem and exits 1 when there was one. It
changes nothing (pages are only read).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, sync_playwright

IMG = Path(__file__).resolve().parent / "img"
MAX_BYTES = 200 * 1024
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu",
                 "--no-first-run", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
DEMO_PASSWORD = "Demo#2026pass"  # noqa: S105 - the documented demo password (portal/demo.py)

# role -> (login or None, [(name, path)])
ROLES = {
    "public": (None, [("home", "/"), ("login", "/accounts/login/"), ("verify", "/verify/"),
                      ("eligibility", "/eligibility/")]),
    "applicant": ("13900000003", [("home", "/"), ("applications", "/applications/"), ("settings", "/me/settings/"),
                                  ("certificate", "/me/certificates/1/")]),
    "hr": ("13900000002", [("home", "/"), ("console", "/enterprises/")]),
    "bureau": ("13900000001", [("home", "/"), ("queue", "/bureau/enterprises/"),
                               ("certificates", "/bureau/certificates/"), ("review", "/review-queue/")]),
    "secretary": ("13900001010", [("home", "/"), ("office", "/review/secretary/")]),
    "expert": ("13900002002", [("home", "/"), ("reviews", "/review/expert/"),
                               ("scoring", "/review/expert/assignments/1/")]),
}

CHECK = """() => {
  const html = document.documentElement, width = window.innerWidth, out = [];
  if (html.dir !== 'rtl' || html.lang !== 'ug') out.push(`html dir=${html.dir} lang=${html.lang}`);
  if (!document.querySelector('link[href*="bootstrap.rtl"]')) out.push('no Bootstrap RTL stylesheet');
  if (document.documentElement.scrollWidth > width + 1) out.push(`page ${document.documentElement.scrollWidth}px wide`);
  for (const el of document.querySelectorAll('button, a.btn, input:not([type=hidden]), select, textarea')) {
    const r = el.getBoundingClientRect(), style = getComputedStyle(el);
    if (!r.width || !r.height || style.visibility === 'hidden') continue;
    if (el.closest('.collapse:not(.show), .dropdown-menu:not(.show), .visually-hidden')) continue;
    // Inside a horizontally scrolling box (a wide table on a phone) a control is reached by scrolling.
    let box = el.parentElement, scrolls = false;
    for (; box && box !== document.body; box = box.parentElement)
      if (['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) { scrolls = true; break; }
    if (scrolls) continue;
    const label = (el.innerText || el.name || '').trim().slice(0, 30);
    if (r.left < -1 || r.right > width + 1)
      out.push(`cut off: <${el.tagName.toLowerCase()}> "${label}" ${Math.round(r.left)}..${Math.round(r.right)}`);
  }
  return out;
}"""


def shrink(path: Path) -> None:
    if path.stat().st_size > MAX_BYTES:
        Image.open(path).convert("RGB").quantize(256).save(path, optimize=True)


def log_in(page: Page, base: str, mobile: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", mobile)
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("base", nargs="?", default="http://127.0.0.1:8000")
    parser.add_argument("--only")
    args = parser.parse_args()
    base = args.base.rstrip("/")
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
                                    args=CHROMIUM_ARGS)
        for role, (mobile, pages) in ROLES.items():
            if args.only and role != args.only:
                continue
            for device, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
                context = browser.new_context(viewport=viewport, locale="ug", extra_http_headers={
                    "Accept-Language": "ug"}, is_mobile=device == "phone", device_scale_factor=1)
                context.add_cookies([{"name": "django_language", "value": "ug", "url": base}])
                page = context.new_page()
                page.on("response", lambda r: r.status >= 400 and problems.append(f"HTTP {r.status}: {r.url}"))
                if mobile:
                    log_in(page, base, mobile)
                for name, path in pages:
                    page.goto(f"{base}{path}")
                    for problem in page.evaluate(CHECK):
                        problems.append(f"{role} {name} {device}: {problem}")
                    target = IMG / f"ug-{role}-{name}-{device}.png"
                    page.screenshot(path=str(target), full_page=device == "desktop")
                    shrink(target)
                    print(f"{target.name}")
                context.close()
        browser.close()
    for problem in problems:
        print("PROBLEM", problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
