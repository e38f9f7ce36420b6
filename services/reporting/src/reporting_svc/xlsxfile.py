"""A finished report's CSV as an .xlsx workbook, made when it is downloaded (the CSV stays the
one file a worker writes). Numbers stay numbers; text cells keep the CSV's guard against
formulas (a leading '), so nothing in a cell runs when the workbook is opened."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_to_xlsx(path: Path, title: str) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31] or "Report")
    bold = Font(bold=True)
    with open(path, encoding="utf-8-sig", newline="") as stream:
        # Unquoted cells are the numbers (the CSV quotes every text cell).
        reader = csv.reader(stream, quoting=csv.QUOTE_NONNUMERIC)
        for line, cells in enumerate(reader):
            if line == 0:
                row: list[object] = []
                for name in cells:
                    cell = WriteOnlyCell(sheet, value=str(name))
                    cell.font = bold
                    row.append(cell)
                sheet.append(row)
                continue
            sheet.append([int(c) if isinstance(c, float) and c.is_integer() else c
                          for c in cells])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
