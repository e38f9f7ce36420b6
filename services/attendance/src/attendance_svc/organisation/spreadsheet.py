"""The employee list as HR offices keep it: a CSV in UTF-8 or in GBK (what Chinese Excel
writes), or an .xlsx workbook; column headers in English or Chinese. And the template to fill.
"""

# Chinese text uses full-width punctuation, which is correct there.
# ruff: noqa: RUF001

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from faceclock_common.errors import Unreadable
from faceclock_common.i18n import validation_sentence

COLUMNS = ("employee_no", "name", "department", "email", "title", "phone", "hired_on",
           "status", "timezone", "notes")
# What a column is called in the template for a Chinese reader (and accepted in a file).
CHINESE = {"employee_no": "工号", "name": "姓名", "department": "部门编码", "email": "电子邮箱",
           "title": "职位", "phone": "电话", "hired_on": "入职日期", "status": "状态",
           "timezone": "时区", "notes": "备注"}
# Other headers seen in HR files, each meaning one column.
_ALIASES = {**{v: k for k, v in CHINESE.items()},
            "员工编号": "employee_no", "员工号": "employee_no", "名字": "name", "部门": "department",
            "邮箱": "email", "职务": "title", "手机": "phone", "手机号": "phone",
            "入职时间": "hired_on"}
# Status words a Chinese sheet uses.
STATUS_WORDS = {"在职": "active", "离职": "left"}
# Why a row was refused, in the reader's language (English as it always read).
_PROBLEMS = {
    "extra_cells": ("more cells than header columns", "这一行的单元格比表头的列多"),
    "unknown_department": ("department: unknown department code {code!r}",
                           "部门编码：没有编码为“{code}”的部门"),
    "twice": ("employee_no: appears twice in the file", "工号：在文件中出现了两次"),
    "exists": ("employee_no: already exists", "工号：已存在"),
}
_XLSX_MAGIC = b"PK\x03\x04"
MAX_ROWS = 20_000


def problem(key: str, language: str, **values: str) -> str:
    english, chinese = _PROBLEMS[key]
    return (chinese if language == "zh-CN" else english).format(**values)


def field_problem(error: dict[str, Any], language: str) -> str:
    """One validation problem of a row: "field: message" in English (as it always read), a
    plain sentence for a Chinese reader."""
    location = ".".join(str(p) for p in error["loc"])
    if language != "zh-CN":
        return f"{location}: {error['msg']}"
    context = {k: v for k, v in (error.get("ctx") or {}).items()
               if isinstance(v, str | int | float)}
    return validation_sentence(location, str(error["type"]), context, str(error["msg"]),
                               language)


def column_of(header: str) -> str:
    """The column a header names: "employee_no", "Employee no", "工号" → employee_no; other
    headers are kept (and reported as unknown)."""
    text = header.strip().lstrip("\ufeff")
    if text in _ALIASES:
        return _ALIASES[text]
    return text.lower().replace(" ", "_").replace(".", "")


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # GB18030 reads every GBK file
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Unreadable("bad_csv", "The file is neither UTF-8 nor GBK text.")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else (
            value.isoformat(sep=" ", timespec="minutes"))
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a number typed as 1001 is read back as 1001.0
    return str(value)


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged or foreign file
        raise Unreadable("bad_csv", "The file is not a readable .xlsx workbook.") from exc
    try:
        sheet = book.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [_cell(v).strip() for v in values]
    finally:
        book.close()


def read_rows(content: bytes) -> tuple[list[str], Iterator[tuple[int, dict[str, str] | None]]]:
    """(columns, rows): each row with its line (or sheet row) number, None for a row with more
    cells than the header has columns. Blank rows are skipped."""
    if content.startswith(_XLSX_MAGIC):
        lines: Iterator[list[str]] = _xlsx_rows(content)
    else:
        lines = csv.reader(io.StringIO(_decode(content)))
    header_cells = next(lines, [])
    while header_cells and header_cells[-1] == "":  # a sheet's empty trailing columns
        header_cells.pop()
    columns = [column_of(h) for h in header_cells]

    def rows() -> Iterator[tuple[int, dict[str, str] | None]]:
        for number, cells in enumerate(lines, start=2):
            if number > MAX_ROWS + 1:
                raise Unreadable("bad_csv", f"The file has more than {MAX_ROWS} rows.")
            if not any(c.strip() for c in cells):
                continue
            extra = cells[len(columns):]
            if any(c.strip() for c in extra):
                yield number, None
                continue
            values = {c: (cells[i].strip() if i < len(cells) else "")
                      for i, c in enumerate(columns)}
            if values.get("status") in STATUS_WORDS:
                values["status"] = STATUS_WORDS[values["status"]]
            yield number, values

    return columns, rows()


def template(language: str) -> bytes:
    """An .xlsx with the header row (in the reader's language) and one example row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    zh = language == "zh-CN"
    sheet.title = "员工" if zh else "Employees"
    sheet.append([CHINESE[c] if zh else c for c in COLUMNS])
    sheet.append(["1001", "张伟" if zh else "Jane Doe", "ENG", "jane@example.com",
                  "工程师" if zh else "Engineer", "", date.today().isoformat(),
                  "在职" if zh else "active", "Asia/Shanghai" if zh else "", ""])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter in "ABCDEFGHIJ":
        sheet.column_dimensions[letter].width = 16
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
