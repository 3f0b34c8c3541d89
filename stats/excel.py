"""One statistics table as an Excel workbook (openpyxl): header rows stating
the scope, the filters and the time of the figures, then the same numbers as
the page. Aggregates only: no person is ever listed."""

from __future__ import annotations

from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from portal.spreadsheets import excel_safe, sheet_title


def columns() -> list[tuple[str, str]]:
    return [("applications", _("Applications")), ("passed", _("Passes")), ("failed", _("Not passed")),
            ("pass_rate", _("Pass rate (%)")), ("certificates", _("Certificates")),
            ("private_applications", _("Private-enterprise applications")),
            ("reached", _("Private-enterprise professionals reached"))]


def table_workbook(*, title: str, dimension_label: str, rows: list[dict], total: dict, scope: str, filters: str,
                   as_of: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title(_("Statistics"))
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([_("Scope"), scope])
    sheet.append([_("Filters"), filters])
    sheet.append([_("Figures as of"), as_of])
    sheet.append([_("Applications are submitted applications; passes are titles granted; certificates are valid "
                    "certificates; professionals reached are distinct persons and do not add up across rows.")])
    sheet.append([])
    sheet.append([dimension_label] + [label for _key, label in columns()])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([excel_safe(str(row["label"]))] + [row[key] for key, _label in columns()])
    sheet.append([_("Total")] + [total[key] for key, _label in columns()])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 34
    for letter in "BCDEFGH":
        sheet.column_dimensions[letter].width = 16
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
