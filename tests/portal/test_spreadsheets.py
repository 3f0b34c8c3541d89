"""The spreadsheet guard (portal/spreadsheets.py), shared by every import:
a zip bomb is refused from the zip's directory, before openpyxl parses
anything; rows are capped before they are read; text loses NUL."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from portal import spreadsheets
from portal.errors import InvalidInput
from tests.uploads_helpers import no_parsing, nul_in_every_text_cell, upload, xlsx_bomb, xlsx_bomb_300mb  # noqa: F401


def workbook(rows, *, dimension: str | None = None) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    if dimension is None:
        return out.getvalue()
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    patched = io.BytesIO()
    with zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                start = data.index(b"<dimension ref=\"") + len(b"<dimension ref=\"")
                data = data[:start] + dimension.encode() + data[data.index(b'"', start):]
            target.writestr(info, data)
    return patched.getvalue()


def rows_of(data: bytes, **limits) -> list[tuple[int, tuple]]:
    options = {"max_bytes": 5 * 1024 * 1024, "max_rows": 100, "max_cols": 5, **limits}
    with spreadsheets.sheet_rows(upload("x.xlsx", data), **options) as rows:
        return list(rows)


def test_xlsx_of_300_kb_unpacking_to_300_mb_is_refused_before_parsing(xlsx_bomb_300mb, no_parsing):  # noqa: F811
    assert len(xlsx_bomb_300mb) < 400 * 1024
    with pytest.raises(InvalidInput) as error:
        rows_of(xlsx_bomb_300mb)
    assert "unpacks to 300.0" in str(error.value.message) and error.value.field == "file"


def test_xlsx_unpacking_to_many_times_its_size_is_refused_even_under_the_total_cap(no_parsing):  # noqa: F811
    ratio_bomb = xlsx_bomb(8 * 1024 * 1024)  # 8 MB: under the 40 MB cap, but about 1,000 times its size
    with pytest.raises(InvalidInput) as error:
        rows_of(ratio_bomb)
    assert "times its own size" in str(error.value.message)


def test_unpacked_caps_are_settings(settings):
    data = workbook([["a", "b"]] * 50)
    settings.SPREADSHEET_MAX_UNPACKED_BYTES = 1000
    with pytest.raises(InvalidInput):
        rows_of(data)
    settings.SPREADSHEET_MAX_UNPACKED_BYTES = 40 * 1024 * 1024
    settings.SPREADSHEET_MAX_RATIO = 2
    with pytest.raises(InvalidInput):
        rows_of(data)
    settings.SPREADSHEET_MAX_RATIO = 100
    assert len(rows_of(data)) == 50


def test_row_count_declared_by_the_sheet_is_refused_before_any_row_is_read(monkeypatch):
    data = workbook([["a"], ["b"]], dimension="A1:B200000")
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    monkeypatch.setattr(ReadOnlyWorksheet, "_cells_by_row",
                        lambda *a, **k: (_ for _ in ()).throw(AssertionError("rows were read")))
    with pytest.raises(InvalidInput) as error:
        rows_of(data, max_rows=5000)
    assert "At most 5000 rows" in str(error.value.message)


def test_rows_are_counted_while_read_when_the_sheet_does_not_say(monkeypatch):
    data = workbook([[n] for n in range(30)], dimension="A1")
    with pytest.raises(InvalidInput) as error:
        rows_of(data, max_rows=10)
    assert "At most 10 rows" in str(error.value.message)
    assert len(rows_of(data, max_rows=29)) == 30  # 29 rows and the header


def test_rows_are_read_at_most_max_cols_wide():
    assert rows_of(workbook([list(range(50))]), max_cols=3) == [(1, (0, 1, 2))]


def test_nul_and_control_characters_are_stripped_from_cells():
    assert spreadsheets.clean_cell("张\x00三\x07") == "张三"
    assert spreadsheets.clean_cell("第一行\n第二行\t") == "第一行\n第二行\t"
    assert spreadsheets.clean_cell(12.5) == 12.5


def test_nul_in_a_cell_never_leaves_the_guard(monkeypatch):
    nul_in_every_text_cell(monkeypatch)
    assert rows_of(workbook([["姓名", "mobile"], ["张三", 13900000000]])) == [
        (1, ("姓名", "mobile", None, None, None)), (2, ("张三", 13900000000, None, None, None))]


@pytest.mark.parametrize("data, words", [
    (b"", "choose an Excel file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Excel file (.xls)"),
    (b"not a workbook", "not an Excel file"),
    (b"PK\x03\x04broken zip", "cannot be read"),
])
def test_what_is_not_an_xlsx_is_refused_with_what_to_do(data, words):
    with pytest.raises(InvalidInput) as error:
        rows_of(data)
    assert words in str(error.value.message)


def test_file_size_is_capped_before_anything_else(no_parsing):  # noqa: F811
    with pytest.raises(InvalidInput) as error:
        rows_of(b"PK\x03\x04" + b"\x00" * 3000, max_bytes=2000)
    assert "the limit is 2.0" in str(error.value.message).replace("\xa0", " ")
