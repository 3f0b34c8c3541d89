"""Fonts of the certificate PDF.

* The *primary* font is the configured CJK font (Noto Serif CJK SC)
  reduced with HarfBuzz to the common characters (:func:`primary_charset`):
  WeasyPrint embeds a subset of whatever font it uses, and subsetting a
  2.7 MB font instead of a 25 MB collection halves the render time.
* The *fallbacks* (the full primary font, Noto Sans CJK SC, DejaVu Sans)
  print what the reduced font lacks: rare characters of names (堃, 喆,
  𠮷), Uyghur in Arabic script (UKIJ Tuz Tom, Noto Naskh Arabic), Latin with
  diacritics. Pango falls back
  through the CSS ``font-family`` list in this order.

:func:`uncovered` checks every character against the fonts' cmaps
(fontTools) before a certificate is issued or rendered, so no character
prints as a box: a character no font covers is refused with a clear
message instead.

Configure with ``CERTIFICATE_PDF_FONTS = {"primary": {"family": ...,
"path": ..., "index": ...}, "fallbacks": [...]}``; a missing ``path`` is
looked up with ``fc-match``. The primary font is required (the worker does
not start without it); a missing fallback is skipped with a warning, and
names it would have printed are refused as unprintable.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

DEFAULT_FONTS = {
    "primary": {"family": "Noto Serif CJK SC"},
    # Uyghur (Arabic script) prints in UKIJ Tuz Tom (fonts-ukij-uyghur), shaped by HarfBuzz; Noto Naskh
    # Arabic (fonts-noto-core) and DejaVu Sans cover it where UKIJ is not installed.
    "fallbacks": [{"family": "Noto Serif CJK SC"}, {"family": "Noto Sans CJK SC"}, {"family": "UKIJ Tuz Tom"},
                  {"family": "Noto Naskh Arabic"}, {"family": "DejaVu Sans"}],
}
PRIMARY_FAMILY = "Certificate Primary"
CHARSET_VERSION = "gb2312-l1-2"


class FontsUnavailable(RuntimeError):
    """A configured font is missing; the worker must not start."""


def _gb2312(first_row: int, last_row: int) -> set[int]:
    chars = set()
    for b1 in range(first_row, last_row + 1):
        for b2 in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes((b1, b2)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return chars


def _reference_texts() -> str:
    """Everything the catalogue, the regions and the template print."""
    from applications import catalogue_data
    from portal import reference_data

    texts = [repr(catalogue_data.SERIES), repr(catalogue_data.QUALIFICATION_CORRESPONDENCE),
             repr(reference_data.PROVINCE), repr(reference_data.PREFECTURES)]
    template = Path(__file__).resolve().parent.parent / "templates" / "certificates" / "pdf" / "certificate.html"
    if template.exists():
        texts.append(template.read_text(encoding="utf-8"))
    return "".join(texts)


def primary_charset() -> set[int]:
    """GB 2312 symbols and level-1 hanzi (the 3,755 most common), every
    character of the catalogue, region names and template, ASCII, Latin-1,
    general and CJK punctuation and full-width forms. Level-2 and rarer
    characters print from the fallback fonts."""
    chars = _gb2312(0xA1, 0xA9) | _gb2312(0xB0, 0xD7)
    chars.update(ord(c) for c in _reference_texts())
    for start, end in ((0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x3000, 0x303F), (0xFF00, 0xFFEF)):
        chars.update(range(start, end + 1))
    return chars


@dataclass(frozen=True)
class FontFile:
    family: str
    path: str
    index: int = 0

    @cached_property
    def cmap(self) -> frozenset[int]:
        from fontTools.ttLib import TTFont

        with TTFont(self.path, fontNumber=self.index, lazy=True) as font:
            return frozenset(font.getBestCmap() or ())


def _resolve(spec: dict) -> FontFile:
    family = spec["family"]
    if spec.get("path"):
        path, index = spec["path"], int(spec.get("index", 0))
    else:
        fc_match = shutil.which("fc-match")
        if not fc_match:
            raise FontsUnavailable("fc-match (fontconfig) is not installed")
        result = subprocess.run([fc_match, "-f", "%{family}|%{file}|%{index}", family],  # noqa: S603
                                capture_output=True, text=True, timeout=20, check=False)
        families, _sep, rest = result.stdout.partition("|")
        path, _sep, index = rest.partition("|")
        if family not in [f.strip() for f in families.split(",")]:
            raise FontsUnavailable(f"font {family!r} is not installed (install fonts-noto-cjk)")
        index = int(index or 0)
    if not os.path.isfile(path):
        raise FontsUnavailable(f"font file {path} of {family!r} does not exist")
    return FontFile(family, path, index)


def _hb():
    """HarfBuzz and HarfBuzz-subset through cffi (the libraries WeasyPrint loads)."""
    from cffi import FFI

    ffi = FFI()
    ffi.cdef("""
        typedef struct hb_blob_t hb_blob_t; typedef struct hb_face_t hb_face_t;
        typedef struct hb_set_t hb_set_t; typedef struct hb_subset_input_t hb_subset_input_t;
        hb_blob_t *hb_blob_create_from_file_or_fail (const char *file_name);
        void hb_blob_destroy (hb_blob_t *blob);
        const char *hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
        hb_face_t *hb_face_create (hb_blob_t *blob, unsigned int index);
        void hb_face_destroy (hb_face_t *face);
        hb_blob_t *hb_face_reference_blob (hb_face_t *face);
        void hb_set_add (hb_set_t *set, uint32_t codepoint);
        hb_subset_input_t *hb_subset_input_create_or_fail (void);
        void hb_subset_input_destroy (hb_subset_input_t *input);
        hb_set_t *hb_subset_input_unicode_set (hb_subset_input_t *input);
        hb_face_t *hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);
    """)
    harfbuzz = harfbuzz_subset = None
    for name in ("libharfbuzz.so.0", "libharfbuzz.0.dylib", "libharfbuzz-0.dll", "harfbuzz"):
        try:
            harfbuzz = ffi.dlopen(name)
            break
        except OSError:
            continue
    for name in ("libharfbuzz-subset.so.0", "libharfbuzz-subset.0.dylib", "libharfbuzz-subset-0.dll",
                 "harfbuzz-subset"):
        try:
            harfbuzz_subset = ffi.dlopen(name)
            break
        except OSError:
            continue
    if harfbuzz is None or harfbuzz_subset is None:
        raise FontsUnavailable("HarfBuzz subsetting (libharfbuzz-subset0) is not installed")
    return ffi, harfbuzz, harfbuzz_subset


def _subset_font(source: FontFile, codepoints: set[int], target: Path) -> None:
    ffi, hb, hbs = _hb()
    blob = hb.hb_blob_create_from_file_or_fail(source.path.encode())
    if blob == ffi.NULL:
        raise FontsUnavailable(f"cannot read {source.path}")
    face = hb.hb_face_create(blob, source.index)
    subset_input = hbs.hb_subset_input_create_or_fail()
    try:
        unicodes = hbs.hb_subset_input_unicode_set(subset_input)
        for codepoint in sorted(codepoints):
            hb.hb_set_add(unicodes, codepoint)
        subset = hbs.hb_subset_or_fail(face, subset_input)
        if subset == ffi.NULL:
            raise FontsUnavailable(f"HarfBuzz could not subset {source.family}")
        out_blob = hb.hb_face_reference_blob(subset)
        length = ffi.new("unsigned int *")
        data = ffi.buffer(hb.hb_blob_get_data(out_blob, length), length[0])[:]
        hb.hb_blob_destroy(out_blob)
        hb.hb_face_destroy(subset)
    finally:
        hbs.hb_subset_input_destroy(subset_input)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)
    if not data:
        raise FontsUnavailable(f"HarfBuzz produced an empty subset of {source.family}")
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temporary, target)  # atomic: concurrent workers never see half a file


def cache_dir() -> Path:
    configured = getattr(settings, "CERTIFICATE_FONT_CACHE_DIR", "")
    return Path(configured) if configured else Path(tempfile.gettempdir()) / "portal-certificate-fonts"


class FontSet:
    """The resolved fonts, the reduced primary font file and the coverage."""

    def __init__(self, config: dict | None = None):
        config = config or getattr(settings, "CERTIFICATE_PDF_FONTS", None) or DEFAULT_FONTS
        self.source = _resolve(config["primary"])
        self.fallbacks = []
        for spec in config.get("fallbacks", []):
            try:
                self.fallbacks.append(_resolve(spec))
            except FontsUnavailable as error:  # fewer rare characters print; uncovered() says which
                logger.warning("certificate fallback font skipped: %s", error)
        wanted = primary_charset()
        self.primary_cmap = frozenset(wanted & self.source.cmap)
        stat = os.stat(self.source.path)
        charset = ",".join(map(str, sorted(self.primary_cmap)))
        digest = hashlib.sha256(
            f"{self.source.path}|{self.source.index}|{stat.st_size}|{stat.st_mtime_ns}|{CHARSET_VERSION}|{charset}"
            .encode()).hexdigest()[:16]
        self.primary_path = cache_dir() / f"certificate-primary-{digest}.otf"
        if not self.primary_path.exists():
            _subset_font(self.source, set(self.primary_cmap), self.primary_path)
        self.covered = frozenset(self.primary_cmap.union(*(f.cmap for f in self.fallbacks)))

    @property
    def families(self) -> list[str]:
        names = [PRIMARY_FAMILY]
        for font in self.fallbacks:
            if font.family not in names:
                names.append(font.family)
        return names

    def css_font_face(self) -> str:
        return (f'@font-face {{ font-family: "{PRIMARY_FAMILY}"; '
                f'src: url("{self.primary_path.as_uri()}"); }}\n')

    def css_family_list(self) -> str:
        return ", ".join(f'"{name}"' for name in self.families)

    def uncovered(self, text: str) -> list[str]:
        return [c for c in dict.fromkeys(text) if not c.isspace() and ord(c) not in self.covered]


_fontset: FontSet | None = None
_lock = threading.Lock()


def fontset() -> FontSet:
    """The process's fonts, loaded once (cmaps take a second to read)."""
    global _fontset
    if _fontset is None:
        with _lock:
            if _fontset is None:
                _fontset = FontSet()
    return _fontset


def uncovered(text: str) -> list[str]:
    """Characters of ``text`` that no certificate font can print."""
    return fontset().uncovered(text)
