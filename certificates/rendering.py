"""The certificate PDF (WeasyPrint).

One :class:`Renderer` per process holds the ``FontConfiguration``, the
parsed CSS and the compiled template; Celery workers build it when a child
process starts (``certificates.tasks``) and refuse to start at all when
HarfBuzz subsetting is missing, because without it WeasyPrint falls back
to fontTools and a Chinese page takes seconds instead of a tenth of one.

The signed record (compact JWS) is attached to the PDF as
``certificate.jws``, so the file can be checked without the database.
"""

from __future__ import annotations

import atexit
import gc
import logging
import re
import threading
from pathlib import Path

import segno
from django.conf import settings
from django.template.loader import get_template
from django.urls import reverse

from certificates import fonts

TEMPLATE_VERSION = "2026.1"
ATTACHMENT_NAME = "certificate.jws"
CSS_PATH = Path(__file__).resolve().parent / "pdf" / "certificate.css"

LEVEL_ZH = {
    "assistant_junior": "员级",
    "junior": "助理级",
    "intermediate": "中级",
    "deputy_senior": "副高级",
    "senior": "正高级",
}
METHOD_ZH = {
    "review": "评审",
    "recognition": "考核认定",
    "green_channel": "绿色通道评审",
    "postdoc": "博士后直接认定",
    "crossover": "技能人才贯通评价",
    "qualification": "职业资格对应认定",
}


class RendererUnavailable(RuntimeError):
    """The machine cannot render certificates properly (missing library or font)."""


def require_harfbuzz_subset() -> None:
    """Raise unless WeasyPrint subsets fonts with HarfBuzz (>= 4.1)."""
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    if harfbuzz_subset is None:
        raise RendererUnavailable(
            "HarfBuzz subsetting is missing: install libharfbuzz-subset0 (Debian/Ubuntu) or "
            "harfbuzz >= 4.1 with hb-subset; without it a Chinese certificate takes seconds to render.")
    if not harfbuzz.hb_version_atleast(4, 1, 0):
        raise RendererUnavailable("HarfBuzz >= 4.1 is required for font subsetting.")


def issuer_name(region) -> str:
    suffix = "人力资源和社会保障厅" if region.parent_id is None else "人力资源和社会保障局"
    return f"{region.name}{suffix}"


def chinese_date(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


_DARK_RUN = re.compile(b"\x01+")


def qr_svg(url: str, *, border: int = 4) -> str:
    """The QR code as inline SVG: one path, a horizontal stroke per run of
    dark modules (the shape segno's own SVG writer draws, found by a regular
    expression over each row instead of module by module, a third of the
    time). The mask pattern is fixed: any mask is valid for readers
    (ISO/IEC 18004), and scoring all eight in Python would cost more than
    the rest of the page's bookkeeping."""
    matrix = segno.make(url, error="m", mask=0, micro=False).matrix
    size = len(matrix) + 2 * border
    strokes = [f"M{run.start() + border} {y}.5h{run.end() - run.start()}"
               for y, row in enumerate(matrix, start=border) for run in _DARK_RUN.finditer(row)]
    return f'<svg viewBox="0 0 {size} {size}" class="qr-code"><path stroke="#000" d="{"".join(strokes)}"/></svg>'


#: What a bilingual certificate adds in Uyghur (the Chinese stays the legal text; docs/glossary-ug.md).
UYGHUR_HEADING = "كەسپىي ئۇنۋان گۇۋاھنامىسى"
UYGHUR_LEGAL_NOTE = "بۇ گۇۋاھنامىدە خەنزۇچە تېكىست ئاساس قىلىنىدۇ."


def uyghur_texts(certificate) -> dict[str, str]:
    """The Uyghur texts of a bilingual certificate: empty unless the HR bureau of the granting
    region turned ``certificate_bilingual`` on. The title's Uyghur name comes from the catalogue
    (``TitleName.name_ug``, read from the database, not the per-process copy pages use: a printed
    certificate follows the catalogue as it is) and the holder's from their account
    (``User.name_ug``); either may be empty, and then only the Chinese prints. Neither is in the
    signed record: the Chinese text is the legal one. Read once per certificate object."""
    uyghur_texts_prime([certificate])
    return certificate._uyghur_texts


def uyghur_texts_prime(certificates) -> None:
    """Read the Uyghur texts of several certificates at once (a batch task's chunk): one query
    for which of their granting regions print bilingual, and only if one does, one for the
    titles' Uyghur names and one for holders not loaded yet."""
    from applications.models import TitleName
    from portal.models import Organization, User

    todo = [c for c in certificates if getattr(c, "_uyghur_texts", None) is None]
    if not todo:
        return
    bilingual = set(Organization.objects.filter(
        kind=Organization.Kind.HR_BUREAU, region_id__in={c.granting_body_region_id for c in todo},
        certificate_bilingual=True).values_list("region_id", flat=True).distinct())
    both = [c for c in todo if c.granting_body_region_id in bilingual]
    titles: dict[tuple[int, str], str] = {}
    if both:
        titles = {(s, level): name for s, level, name in TitleName.objects.filter(
            series_id__in={c.series_id for c in both}).values_list("series_id", "level", "name_ug")}
        unloaded = {c.holder_id for c in both if not type(c).holder.is_cached(c)}
        holders = User.objects.in_bulk(unloaded) if unloaded else {}
        for c in both:
            if c.holder_id in holders:
                c.holder = holders[c.holder_id]
    for c in todo:
        c._uyghur_texts = ({"heading_ug": UYGHUR_HEADING, "legal_note_ug": UYGHUR_LEGAL_NOTE,
                            "title_name_ug": titles.get((c.series_id, c.level)) or "",
                            "holder_name_ug": c.holder.name_ug}
                           if c.granting_body_region_id in bilingual else {})


def printed_texts(certificate) -> list[str]:
    """The variable texts printed on the certificate (checked against the fonts)."""
    return [certificate.holder_name, certificate.series_name, certificate.specialty_name, certificate.title_name,
            certificate.granting_body_name, certificate.filing_number, certificate.approval_number,
            certificate.granting_body_region.name, *uyghur_texts(certificate).values()]


def context_for(certificate, *, qr_url: str) -> dict:
    return {
        "number": certificate.number,
        "holder_name": certificate.holder_name,
        "holder_id_masked": certificate.holder_id_masked,
        "series_name": certificate.series_name,
        "specialty_name": certificate.specialty_name,
        "level_zh": LEVEL_ZH.get(certificate.level, certificate.level),
        "title_name": certificate.title_name,
        "method_zh": METHOD_ZH.get(certificate.method, certificate.method),
        "granting_body_name": certificate.granting_body_name,
        "filing_number": certificate.filing_number,
        "approval_number": certificate.approval_number,
        "date_granted": chinese_date(certificate.date_granted),
        "date_issued": chinese_date(certificate.date_issued),
        "issuer": issuer_name(certificate.granting_body_region),
        "qr_svg": qr_svg(qr_url),
        "algorithm": certificate.signing_key.algorithm,
        "kid": certificate.signing_key.kid,
        "template_version": certificate.template_version,
        "verify_url": site_url(reverse("certificate-verify")),
        "verify_file_url": site_url(reverse("certificate-verify-file")),
        "ug": uyghur_texts(certificate),
    }


class Renderer:
    def __init__(self):
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration
        from weasyprint.urls import URLFetcher

        require_harfbuzz_subset()
        # Seven INFO lines per page would flood a worker's log.
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
        try:
            self.fonts = fonts.fontset()
        except fonts.FontsUnavailable as error:
            raise RendererUnavailable(str(error))
        self.font_config = FontConfiguration()
        css = self.fonts.css_font_face() + CSS_PATH.read_text(encoding="utf-8").replace(
            "FONT_FAMILIES", self.fonts.css_family_list())
        self.css = CSS(string=css, font_config=self.font_config)
        self.template = get_template("certificates/pdf/certificate.html")
        # One fetcher for the process (each new one builds an SSL context),
        # and one that fetches nothing but data: URLs from certificate HTML.
        self.url_fetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
        self._lock = threading.Lock()

    def html(self, certificate, *, qr_url: str) -> str:
        return self.template.render(context_for(certificate, qr_url=qr_url))

    def write_pdf(self, html: str, *, jws: str) -> bytes:
        from weasyprint import HTML, Attachment

        with self._lock:
            attachment = Attachment(string=jws, name=ATTACHMENT_NAME, url_fetcher=self.url_fetcher,
                                    description="Signed certificate record (compact JWS)")
            return HTML(string=html, url_fetcher=self.url_fetcher).write_pdf(
                stylesheets=[self.css], font_config=self.font_config, attachments=[attachment])


_renderer: Renderer | None = None
_renderer_lock = threading.Lock()


def _drop_renderer() -> None:
    """Release the FontConfiguration before the interpreter tears modules
    down (its finaliser needs them to remove its temporary folder)."""
    global _renderer
    _renderer = None


atexit.register(_drop_renderer)


def prepare_worker_process() -> Renderer:
    """Build the renderer of a worker process, then move everything alive
    into the garbage collector's permanent generation (``gc.freeze``).

    A render makes thousands of boxes with reference cycles, so the
    collector runs often, and each full collection used to walk the
    hundreds of thousands of objects of Django, WeasyPrint and the fonts
    that live as long as the process: freezing them makes a render about
    8 % faster (``bench/certificates.py``). Nothing is leaked: objects
    made later are collected as before.
    """
    renderer = get_renderer()
    gc.collect()
    gc.freeze()
    return renderer


def get_renderer() -> Renderer:
    """The process's renderer, built on first use."""
    global _renderer
    if _renderer is None:
        with _renderer_lock:
            if _renderer is None:
                _renderer = Renderer()
    return _renderer
