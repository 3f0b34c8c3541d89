"""Spreadsheets people upload (.xlsx): one guard for every import.

Used by the expert pool import (``review.services.experts``) and the
enterprise's bulk certificate check (``certificates.services``). An .xlsx
is a zip: 300 KB can unpack to 300 MB, and openpyxl unpacks the shared
strings before it yields a row. So before openpyxl reads anything:

- the file's own size (the caller's limit) and its first bytes (a zip; an
  old .xls is told to be saved as .xlsx);
- the zip's directory: at most ``SPREADSHEET_MAX_MEMBERS`` members, their
  unpacked sizes (``ZipInfo.file_size``; zipfile never inflates a member
  past it, a member that lies fails its CRC) at most
  ``SPREADSHEET_MAX_UNPACKED_BYTES`` together and at most
  ``SPREADSHEET_MAX_RATIO`` times the file;
- the first sheet's dimension (its used range) at most the caller's row
  limit; rows are counted again while they are read, in case it lies.

Then rows are read one at a time (openpyxl's read-only mode), at most
``max_cols`` cells wide. Text cells lose NUL and the other control
characters (``_x0000_`` in a cell is a NUL once openpyxl unescapes it, and
PostgreSQL refuses NUL in text).
"""

from __future__ import annotations

import contextlib
import re
import zipfile
from collections.abc import Iterator

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from portal.errors import InvalidInput
from portal.uploads import sizes_text

#: What makes a spreadsheet read a cell as a formula (openpyxl writes a text starting with ``=`` as one;
#: Excel and LibreOffice also evaluate ``+``, ``-`` and ``@``, and a leading tab or CR hides it).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def excel_safe(value):
    """Text a person typed (a name, a position, a certificate number), written into a workbook we
    make, never starts a formula: it gets a leading apostrophe, which shows it is text. Anything
    not text (numbers, dates, None) is returned as it is."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def sheet_title(text) -> str:
    """A sheet's name as Excel opens it: none of ``[]:*?/\\``, at most 31 characters (Excel refuses a
    file with a longer one), cut at a word's end when a translation is longer."""
    text = re.sub(r"[\[\]:*?/\\]", " ", str(text)).strip()
    if len(text) > 31:
        cut = text[:31]
        text = (cut.rsplit(" ", 1)[0] if " " in cut else cut).strip()
    return text


#: Control characters never kept from a cell (tab, newline and carriage return are).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"


def max_unpacked_bytes() -> int:
    return int(getattr(settings, "SPREADSHEET_MAX_UNPACKED_BYTES", 40 * 1024 * 1024))


def max_ratio() -> int:
    return int(getattr(settings, "SPREADSHEET_MAX_RATIO", 100))


def max_members() -> int:
    return int(getattr(settings, "SPREADSHEET_MAX_MEMBERS", 1000))


def clean_cell(value):
    """A cell's value with NUL and other control characters removed from text."""
    if isinstance(value, str):
        return CONTROL_CHARACTERS.sub("", value)
    return value


def _unreadable() -> InvalidInput:
    return InvalidInput(_("The Excel file cannot be read; save it as .xlsx and try again."), field="file")


def _too_many_rows(max_rows: int) -> InvalidInput:
    return InvalidInput(_("At most %(n)d rows per sheet: split it into several files (empty rows that carry "
                          "formatting count too: delete them).") % {"n": max_rows}, field="file")


def check_workbook(upload, *, max_bytes: int) -> None:
    """Everything that can be judged without parsing (see the module's text).
    Raises ``InvalidInput`` with what to do."""
    if upload is None or not getattr(upload, "size", 0):
        raise InvalidInput(_("Please choose an Excel file (.xlsx)."), field="file")
    if upload.size > max_bytes:
        size, limit = sizes_text(upload.size, max_bytes)
        raise InvalidInput(_("The file is %(size)s; the limit is %(limit)s. Split it into several files.")
                           % {"size": size, "limit": limit}, field="file")
    upload.seek(0)
    magic = upload.read(4)
    upload.seek(0)
    if magic == XLS_MAGIC:
        raise InvalidInput(_("This is an old Excel file (.xls). Open it in Excel or WPS and save it as .xlsx."),
                           field="file")
    if magic != XLSX_MAGIC:
        raise InvalidInput(_("This is not an Excel file (.xlsx)."), field="file")
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _unreadable()
    finally:
        upload.seek(0)
    unpacked = sum(info.file_size for info in members)
    limit = max_unpacked_bytes()
    if len(members) > max_members() or unpacked > limit or unpacked > max_ratio() * upload.size:
        raise InvalidInput(
            _("The workbook unpacks to %(size)s, %(ratio)d times its own size (at most %(limit)s and %(max)d "
              "times). It may hold formatting or content far beyond your rows: copy the rows into a new "
              "workbook and save it as .xlsx.")
            % {"size": filesizeformat(unpacked), "ratio": unpacked // max(upload.size, 1),
               "limit": filesizeformat(limit), "max": max_ratio()}, field="file")


@contextlib.contextmanager
def sheet_rows(upload, *, max_bytes: int, max_rows: int, max_cols: int,
               header_rows: int = 1) -> Iterator[Iterator[tuple[int, tuple]]]:
    """The first sheet's rows as ``(row number, cell values)``, checked by
    ``check_workbook`` first; at most ``max_rows`` rows besides
    ``header_rows`` and ``max_cols`` cells each, text cleaned by
    ``clean_cell``. Raises ``InvalidInput`` for anything the file's fault,
    also while the rows are read."""
    from openpyxl import load_workbook

    check_workbook(upload, max_bytes=max_bytes)
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any failure of the Excel reader is the file's fault
        raise _unreadable()
    try:
        if not workbook.worksheets:
            raise InvalidInput(_("The workbook has no sheet."), field="file")
        sheet = workbook.worksheets[0]
        try:
            declared = sheet.max_row  # the <dimension> element: known before any row is read
        except Exception:  # noqa: BLE001
            declared = None
        if declared is not None and declared > max_rows + header_rows:
            raise _too_many_rows(max_rows)
        # openpyxl would stop at the declared last row; a sheet that declares too few
        # would lose rows silently. Read to the end instead, counting as we go.
        sheet.reset_dimensions()

        def rows() -> Iterator[tuple[int, tuple]]:
            try:
                for number, values in enumerate(sheet.iter_rows(max_col=max_cols, values_only=True), start=1):
                    if number > max_rows + header_rows:
                        raise _too_many_rows(max_rows)
                    yield number, tuple(clean_cell(v) for v in values)
            except InvalidInput:
                raise
            except Exception:  # noqa: BLE001 - a broken sheet XML is the file's fault
                raise _unreadable()

        yield rows()
    finally:
        workbook.close()
