"""Take the screenshots of the user guides (``docs/img/*.png``) from a running portal with demo data.

    make run                                            # serves http://127.0.0.1:8000/ with demo data
    .venv/bin/python docs/screenshots.py                # in another terminal
    .venv/bin/python docs/screenshots.py http://127.0.0.1:8765 --lang en --only bureau

Drives Debian's Chromium (``CHROMIUM_PATH``, default ``/usr/bin/chromium``) through Playwright at a
1280x800 viewport, logs in as the demo users of ``portal/demo.py`` and changes nothing: it only reads
pages (no approval, no invitation, nothing marked read; opening the expert's scoring page records, as
for any expert, that the material was seen). By default the browser asks for Chinese, so the
pictures show the site's default language (zh-hans); ``--lang en`` takes them in English. A PNG larger than
200 KB is reduced to a 256-colour palette. Any console error or failed request is printed as a warning.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, sync_playwright
from stdnum.cn import ric, uscc

IMG = Path(__file__).resolve().parent / "img"
VIEWPORT = {"width": 1280, "height": 800}
MAX_BYTES = 200 * 1024
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu",
                 "--no-first-run", "--disable-sync"]

# The demo logins of portal/demo.py (``manage.py demo_data``); all share one password.
DEMO_PASSWORD = "Demo#2026pass"  # noqa: S105 - the documented demo password
OFFICER = "13900000001"      # HR bureau officer of 乌鲁木齐市
HR_ACTIVE = "13900000002"    # HR admin of 新疆天山智能装备有限公司 (approved)
APPLICANT = "13900000003"    # employee of that enterprise
HR_PENDING = "13900000004"   # HR admin of 乌鲁木齐丝路软件科技有限公司 (waiting for approval)
NEWCOMER = "13900000006"     # born 1962, invited by 新疆天山智能装备有限公司, no employer yet (portal/demo.py)
SUBMITTED = "13900001101"    # 张建新: an application submitted, with its receipt (applications/demo.py)
AUDITOR = "13900000007"      # security auditor (reads the audit trail)
SUPERVISOR = "13900000060"   # supervisor (supervision/demo.py: demo_supervision)
SECRETARY = "13900001010"    # secretary of the demo engineering committee (applications/demo.py)
EXPERT = "13900002002"       # expert and member with a draft, one to score and a vote (review/demo.py)
EXAMPLE_ID_NUMBER = "65010219900101123" + ric.calc_check_digit("650102199001011230")
EXAMPLE_USCC = "91650100MA0000999" + uscc.calc_check_digit("91650100MA0000999")


@dataclass
class Shooter:
    page: Page
    base_url: str
    only: str | None
    problems: list[str] = field(default_factory=list)
    taken: list[Path] = field(default_factory=list)

    def watch(self) -> None:
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url} {r.failure}"))
        self.page.on("response", lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"))

    def go(self, path: str) -> None:
        response = self.page.goto(self.base_url + path)
        if response is None or response.status != 200:
            raise SystemExit(f"{path}: HTTP {response.status if response else '?'} (is the demo data loaded?)")
        self.page.wait_for_load_state("networkidle")

    def shot(self, name: str, *, full_page: bool = False) -> None:
        IMG.mkdir(parents=True, exist_ok=True)
        path = IMG / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        shrink(path)
        self.taken.append(path)
        for problem in self.problems:
            print(f"  WARNING on {name}: {problem}", file=sys.stderr)
        self.problems.clear()
        print(f"  {path.relative_to(IMG.parent.parent)}  {path.stat().st_size // 1024} KB")

    def login(self, mobile: str) -> None:
        self.page.context.clear_cookies()
        self.go("/accounts/login/")
        form = self.page.locator("main form")
        form.locator("input[name=username]").fill(mobile)
        form.locator("input[name=password]").fill(DEMO_PASSWORD)
        with self.page.expect_navigation():
            form.locator("button[type=submit]").click()
        if "/accounts/login/" in self.page.url:
            raise SystemExit(f"could not log in as {mobile}: run `manage.py demo_data` first")
        self.page.wait_for_load_state("networkidle")

    def wanted(self, group: str) -> bool:
        return self.only in (None, group)


def shrink(path: Path) -> None:
    """Keep a screenshot under ~200 KB: first re-save optimised, then as a 256-colour palette."""
    if path.stat().st_size <= MAX_BYTES:
        return
    with Image.open(path) as image:
        image = image.convert("RGB")
    image.save(path, "PNG", optimize=True)
    if path.stat().st_size > MAX_BYTES:
        image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
            path, "PNG", optimize=True)


def visitor(s: Shooter) -> None:
    s.page.context.clear_cookies()
    s.go("/")
    s.shot("home-visitor")
    s.go("/accounts/login/")
    s.shot("login")
    s.go("/accounts/signup/")
    s.shot("applicant-signup")
    s.go("/accounts/password/reset/")
    s.shot("password-reset")
    s.go("/api/docs/")
    s.page.locator("#swagger-ui .opblock").first.wait_for()
    s.shot("api-docs")
    # The enterprise registration form, filled in as an example (not submitted).
    s.go("/enterprises/register/")
    form = s.page.locator("[data-testid=enterprise-form]")
    form.locator("[name=name]").fill("新疆天池新材料科技有限公司")
    form.locator("select[name=region]").select_option(label="乌鲁木齐市")
    form.locator("[name=uscc]").fill(EXAMPLE_USCC)
    form.locator("[name=address]").fill("乌鲁木齐市经济技术开发区维泰南路88号")
    form.locator("[name=contact_name]").fill("古丽娜尔")
    form.locator("[name=contact_phone]").fill("13912345678")
    form.locator("[name=real_name]").fill("古丽娜尔")
    form.locator("[name=id_number]").fill(EXAMPLE_ID_NUMBER)
    form.locator("[name=mobile]").fill("13912345678")
    form.locator("[name=email]").fill("hr@tianchi.example.com")
    form.locator("[name=email]").blur()
    s.page.mouse.move(0, 0)
    s.page.evaluate("() => window.scrollTo(0, 0)")
    s.shot("hr-register")
    s.page.evaluate("() => window.scrollTo(0, 560)")
    s.shot("hr-register-account")


def enterprise_hr(s: Shooter) -> None:
    s.login(HR_PENDING)
    s.page.locator("nav a[href$='/enterprises/']").click()
    s.page.wait_for_load_state("networkidle")
    s.shot("hr-console-pending")
    s.login(HR_ACTIVE)
    s.shot("hr-home")
    s.page.locator("nav a[href$='/enterprises/']").click()
    s.page.wait_for_load_state("networkidle")
    s.shot("hr-console")
    s.go("/me/notifications/")
    s.shot("hr-notifications")


def bureau_officer(s: Shooter) -> None:
    s.login(OFFICER)
    s.shot("bureau-home")
    s.go("/bureau/enterprises/")
    s.shot("bureau-queue")
    detail = s.page.locator("[data-testid=queue] a[href*='/bureau/enterprises/']").first
    detail.click()
    s.page.wait_for_load_state("networkidle")
    s.shot("bureau-detail")
    s.go("/bureau/enterprises/?status=active")
    s.shot("bureau-queue-active")
    s.go("/me/notifications/")
    s.shot("bureau-notifications")


def applicant(s: Shooter) -> None:
    s.login(APPLICANT)
    s.shot("applicant-home")
    s.go("/me/employment/")
    s.shot("applicant-employment")
    s.go("/me/settings/")
    s.shot("applicant-settings", full_page=True)
    s.login(NEWCOMER)  # after signup: the invitation and the next step on the home page
    s.shot("applicant-home-next-step")
    s.go("/me/employment/?q=" + "天山")
    s.shot("applicant-employer-search")
    s.login(SUBMITTED)
    s.go("/applications/")
    s.page.locator("[data-testid=application-card] h2 a").first.click()
    s.page.wait_for_load_state("networkidle")
    s.page.locator("[data-testid=receipts] a").first.click()
    s.page.wait_for_load_state("networkidle")
    s.shot("applicant-receipt", full_page=True)


def auditor(s: Shooter) -> None:
    s.login(AUDITOR)
    s.go("/supervision/audit/")
    s.shot("audit-trail")


def supervision(s: Shooter) -> None:
    s.login(SUPERVISOR)
    s.go("/supervision/committees/")
    s.shot("supervision-committees")
    s.go("/supervision/alerts/")
    s.shot("supervision-alerts")
    s.go("/supervision/duplicates/")
    s.shot("supervision-duplicates")
    s.login(HR_ACTIVE)
    s.go("/enterprises/staff-titles/")
    s.shot("supervision-enterprise-staff")


def integrity(s: Shooter) -> None:
    s.page.context.clear_cookies()  # the public report form, as a visitor
    s.go("/integrity/report/")
    s.shot("integrity-report-form")
    s.login(SUPERVISOR)
    s.go("/integrity/reports/")
    s.shot("integrity-reports")
    s.go("/integrity/cases/")
    s.shot("integrity-cases")
    s.login(APPLICANT)
    s.go("/integrity/me/")
    s.shot("integrity-my-records")


def certificates(s: Shooter) -> None:
    """The demo certificates (certificates/demo.py): a batch of the 乌鲁木齐 bureau, one revoked."""
    s.login(OFFICER)
    s.go("/bureau/certificate-batches/")
    s.page.locator("[data-testid=batches] a[href*='/bureau/certificate-batches/']").first.click()
    s.page.wait_for_load_state("networkidle")
    s.shot("bureau-certificate-batch")
    s.go("/bureau/certificates/")
    s.shot("bureau-certificates")
    rows = s.page.locator("[data-testid=bureau-certificates] tbody tr")
    wanted = {}
    for n in range(rows.count()):
        cells = rows.nth(n).locator("td")
        wanted[cells.nth(1).inner_text().strip()] = cells.nth(0).inner_text().strip()
    s.login(APPLICANT)
    s.go("/me/certificates/")
    s.shot("applicant-certificates")
    s.page.locator("[data-testid=my-certificates] a[href*='/me/certificates/']:not([href$='/pdf/'])").first.click()
    s.page.wait_for_load_state("networkidle")
    s.shot("applicant-certificate-detail")
    s.login(HR_ACTIVE)
    s.page.locator("nav a[href$='/enterprises/']").click()
    s.page.wait_for_load_state("networkidle")
    s.page.locator("a[href*='/certificates/']", has_text="证书").first.click()
    s.page.wait_for_load_state("networkidle")
    s.shot("hr-certificates")
    s.page.context.clear_cookies()  # the public pages, as a visitor
    for name, shot in (("马天宇", "verify-valid"), ("李娜", "verify-revoked")):
        s.go("/verify/")
        form = s.page.locator("main form")
        form.locator("input[name=number]").fill(wanted.get(name, ""))
        form.locator("input[name=name]").fill(name)
        with s.page.expect_navigation():
            form.locator("button").click()
        s.page.wait_for_load_state("networkidle")
        s.shot(shot)
    s.go("/verify/file/")
    s.shot("verify-file")


def corrections(s: Shooter) -> None:
    """Returns for correction (applications/demo.py): the bureau's return form, filled in as an example
    and not sent; the comparison of an application that came back corrected; the applicant answering
    a return; the browser's check of an upload that is too large (nothing is sent)."""
    s.login(OFFICER)
    s.go("/review-queue/audit/")
    s.page.locator("[data-testid=queue] a", has_text="古丽娜尔").first.click()
    s.page.wait_for_load_state("networkidle")
    s.shot("bureau-corrections-compared")
    s.go("/review-queue/audit/")
    s.page.locator("[data-testid=queue] a", has_text="刘芳").first.click()
    s.page.wait_for_load_state("networkidle")
    s.page.locator("[data-testid=return-details] summary").click()
    form = s.page.locator("[data-testid=return-form]")
    rows = form.locator("[data-correction-row]")
    options = rows.nth(0).locator("select option").all_inner_texts()
    pick = lambda text: next(o for o in options if text in o)  # noqa: E731
    rows.nth(0).locator("select").select_option(label=pick(".pdf"))
    rows.nth(0).locator("textarea").fill("扫描件缺少单位公章。\n请上传盖章后的扫描件（PDF或照片均可）。")
    form.locator("[data-add-correction]").click()
    rows.nth(1).locator("select").select_option(label=pick("一种高效节能换热装置"))
    rows.nth(1).locator("textarea").fill("请补充专利的实施情况及本人的具体贡献。")
    form.locator("[data-add-correction]").click()
    s.page.mouse.move(0, 0)
    form.scroll_into_view_if_needed()
    s.shot("bureau-return-form")
    s.login("13900001102")  # 李娜: returned by her employer, one correction of three answered
    s.go("/applications/")
    application = s.page.locator("main a[href*='/edit/']").first.get_attribute("href").split("/")[2]
    s.go(f"/applications/{application}/edit/submit/")
    s.page.locator("#corrections").scroll_into_view_if_needed()
    s.shot("applicant-corrections")
    s.go(f"/applications/{application}/edit/materials/")
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf", prefix="扫描件-") as big:
        big.write(b"%PDF-1.7\n")
        big.truncate(55 * 1024 * 1024)  # sparse: 55 MB on paper, nothing on disk
        big.flush()
        s.page.locator("[data-testid=upload-form] input[type=file]").set_input_files(big.name)
        s.page.locator("[data-testid=upload-form] .invalid-feedback").wait_for()
    s.shot("applicant-upload-check")


def stats(s: Shooter) -> None:
    s.login("13900000010")  # officer of the regional bureau (650000): the whole region
    s.go("/stats/")
    s.shot("stats-region")
    s.login(OFFICER)  # a prefecture bureau: its own prefecture only
    s.go("/stats/")
    s.shot("stats-prefecture")


def secretary(s: Shooter) -> None:
    """The committee secretary's journey on the review demo (review/demo.py): nothing is clicked that writes."""
    s.login(SECRETARY)
    s.shot("secretary-home")
    todo = s.page.locator("[data-testid=secretary-todo]")
    call_url = todo.locator("a[href^='/review/calls/']").first.get_attribute("href")
    meeting_url = todo.locator("a[href^='/review/meetings/']").first.get_attribute("href")
    publicity_url = todo.locator("a[href^='/review/publicity/']").first.get_attribute("href")
    s.go(call_url)
    s.shot("secretary-call-dashboard")
    s.go(call_url + "defences/")
    s.shot("secretary-defences", full_page=True)
    s.go(call_url + "meetings/new/")
    s.shot("secretary-meeting-plan")
    s.go(meeting_url)
    s.shot("secretary-meeting-open")
    closed = s.page.locator("a[href^='/review/calls/']").first.get_attribute("href")
    s.go(closed)
    first = s.page.locator("a[href^='/review/meetings/']").last.get_attribute("href")
    s.go(first)
    s.shot("secretary-meeting-closed")
    s.go(publicity_url)
    s.shot("secretary-publicity")


def expert(s: Shooter) -> None:
    """An expert who is also a member present at the meeting in session (review/demo.py)."""
    s.login(EXPERT)
    s.shot("expert-home")
    s.go("/review/expert/")
    s.shot("expert-reviews")
    s.page.locator("[data-testid=assignments] a[href^='/review/expert/assignments/']").first.click()
    s.page.wait_for_load_state("networkidle")
    s.shot("expert-scoring")
    s.go("/review/expert/")
    s.page.locator("[data-testid=votes] a").first.click()
    s.page.wait_for_load_state("networkidle")
    s.shot("expert-vote")


PHONE = {"width": 390, "height": 844}


def phone(s: Shooter) -> None:
    """The same portal on a phone (390x844): tables become cards, buttons stay on the screen."""
    s.page.set_viewport_size(PHONE)
    try:
        s.login(APPLICANT)
        s.shot("phone-applicant-home")
        s.go("/applications/")
        s.page.locator("[data-testid=application-card] h2 a").first.click()
        s.page.wait_for_load_state("networkidle")
        s.shot("phone-applicant-application")
        s.go("/me/certificates/")
        s.shot("phone-applicant-certificates")
        s.login(HR_ACTIVE)
        s.page.locator("nav .navbar-toggler").click()
        s.page.locator("nav a[href$='/enterprises/']").click()
        s.page.wait_for_load_state("networkidle")
        s.shot("phone-hr-console", full_page=True)
        s.login(SECRETARY)
        call_url = s.page.locator("[data-testid=secretary-todo] a[href^='/review/calls/']").first.get_attribute("href")
        s.go(call_url)
        s.shot("phone-secretary-call-dashboard")
        s.login(EXPERT)
        s.go("/review/expert/")
        s.shot("phone-expert-reviews")
        s.login(OFFICER)
        s.go("/review-queue/audit/")
        s.shot("phone-bureau-queue")
        s.page.context.clear_cookies()
        s.go("/publicity/")
        s.shot("phone-publicity")
    finally:
        s.page.set_viewport_size(VIEWPORT)


GROUPS = {"visitor": visitor, "hr": enterprise_hr, "bureau": bureau_officer, "applicant": applicant,
          "audit": auditor, "supervision": supervision, "integrity": integrity, "stats": stats,
          "certificates": certificates, "secretary": secretary, "expert": expert, "corrections": corrections,
          "phone": phone}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url", nargs="?", default="http://127.0.0.1:8000")
    parser.add_argument("--lang", choices=["zh-hans", "en"], default="zh-hans")
    parser.add_argument("--only", choices=sorted(GROUPS))
    args = parser.parse_args(argv)
    chromium = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=VIEWPORT, locale="zh-CN" if args.lang == "zh-hans" else "en-US",
                                      timezone_id="Asia/Shanghai")
        shooter = Shooter(page=context.new_page(), base_url=args.base_url.rstrip("/"), only=args.only)
        shooter.watch()
        for name, take in GROUPS.items():
            if shooter.wanted(name):
                print(f"{name}:")
                take(shooter)
        browser.close()
    print(f"{len(shooter.taken)} screenshots in {IMG}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
