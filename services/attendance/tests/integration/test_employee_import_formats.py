"""The employee import reads what HR offices have: a CSV saved by Chinese Excel (GBK), an .xlsx
workbook, Chinese column headers; and hands out the template to fill in."""

# Chinese text uses full-width punctuation, which is correct there.
# ruff: noqa: RUF001

from __future__ import annotations

import io
from datetime import date
from typing import Any

from openpyxl import Workbook, load_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload(api: Any, name: str, content: bytes, kind: str, **kwargs: Any) -> Any:
    return api.post("/api/v1/employees/import", "hr", files={"file": (name, content, kind)},
                    **kwargs)


def test_a_gbk_csv_with_chinese_headers_is_read_as_written(api: Any) -> None:
    api.ok("POST", "/api/v1/departments", "hr", status=201, json={"code": "RD", "name": "研发"})
    text = ("工号,姓名,部门编码,电子邮箱,入职日期,状态\n"
            "G1,王芳,RD,wang@example.cn,2024-03-01,在职\n"
            "G2,李娜,,,,离职\n"
            "G3,,RD,,,\n")
    content = text.encode("gbk")
    assert content.decode("utf-8", errors="replace") != text  # really not UTF-8
    reply = _upload(api, "员工.csv", content, "text/csv")
    assert reply.status_code == 200, reply.text
    report = reply.json()
    assert (report["created"], report["failed"]) == (2, 1)
    assert report["errors"][0]["row"] == 4
    wang = api.ok("GET", "/api/v1/employees?q=G1", "hr")["items"][0]
    assert (wang["name"], wang["hired_on"], wang["status"]) == ("王芳", "2024-03-01", "active")
    assert wang["department_id"] is not None
    li = api.ok("GET", "/api/v1/employees?q=G2", "hr")["items"][0]
    assert (li["name"], li["status"]) == ("李娜", "left")
    # UTF-8 with a BOM (Excel's "CSV UTF-8") still works.
    utf8 = _upload(api, "x.csv", "\ufeff工号,姓名\nG4,赵强\n".encode(), "text/csv")
    assert utf8.json()["created"] == 1
    assert api.ok("GET", "/api/v1/employees?q=G4", "hr")["items"][0]["name"] == "赵强"


def test_an_xlsx_workbook_is_imported_with_dates_and_numbers_as_typed(api: Any) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["工号", "姓名", "职位", "入职日期", "时区"])
    sheet.append([2001, "陈静", "会计", date(2023, 9, 4), "Asia/Shanghai"])
    sheet.append(["X2", "Bad Date", None, "2023-13-40", None])
    sheet.append([None, None, None, None, None])  # a blank row is skipped
    out = io.BytesIO()
    book.save(out)
    reply = _upload(api, "staff.xlsx", out.getvalue(), XLSX)
    assert reply.status_code == 200, reply.text
    report = reply.json()
    assert (report["created"], report["failed"]) == (1, 1)
    assert report["errors"][0]["row"] == 3 and report["errors"][0]["employee_no"] == "X2"
    chen = api.ok("GET", "/api/v1/employees?q=2001", "hr")["items"][0]
    assert (chen["employee_no"], chen["name"], chen["title"]) == ("2001", "陈静", "会计")
    assert (chen["hired_on"], chen["timezone"]) == ("2023-09-04", "Asia/Shanghai")


def test_the_template_is_headed_in_the_reader_s_language_and_imports_back(api: Any) -> None:
    zh = api.get("/api/v1/employees/import-template", "hr", headers={"Accept-Language": "zh-CN"})
    assert zh.status_code == 200 and zh.headers["content-type"] == XLSX
    assert "attachment" in zh.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(zh.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("工号", "姓名", "部门编码")
    en = api.get("/api/v1/employees/import-template", "hr")
    header = next(load_workbook(io.BytesIO(en.content)).worksheets[0].iter_rows(
        values_only=True))
    assert header[:2] == ("employee_no", "name")
    # HR fills in the template (the example row replaced) and imports it.
    sheet.delete_rows(2)
    sheet.append(["T-1", "孙丽", None, None, None, None, None, "在职", None, None])
    out = io.BytesIO()
    sheet.parent.save(out)
    report = _upload(api, "filled.xlsx", out.getvalue(), XLSX).json()
    assert (report["created"], report["failed"]) == (1, 0)
    assert api.get("/api/v1/employees/import-template", "employee").status_code == 403


def test_unreadable_files_are_refused_with_a_sentence_in_both_languages(api: Any) -> None:
    junk = bytes(range(128, 256)) * 4  # neither UTF-8 nor GBK
    english = _upload(api, "x.csv", junk, "text/csv")
    assert english.status_code == 400
    assert english.json()["error"]["message"] == "The file is neither UTF-8 nor GBK text."
    chinese = _upload(api, "x.csv", junk, "text/csv", headers={"Accept-Language": "zh-CN"})
    assert chinese.json()["error"]["message"].startswith("无法读取该文件")
    broken = _upload(api, "x.xlsx", b"PK\x03\x04" + b"\x00" * 64, XLSX)
    assert broken.status_code == 400
    assert broken.json()["error"]["message"] == "The file is not a readable .xlsx workbook."


def test_a_chinese_reader_is_told_why_rows_were_refused_in_chinese(api: Any) -> None:
    text = ("工号,姓名,部门编码,电子邮箱\n"
            "Z1,甲,NOPE,\n"
            "Z2,,,\n"
            "Z3,丙,,not-an-email\n"
            "Z4,丁,,\n"
            "Z4,戊,,\n")
    reply = _upload(api, "z.csv", text.encode("gbk"), "text/csv",
                    headers={"Accept-Language": "zh-CN"})
    rows = {e["row"]: e["errors"] for e in reply.json()["errors"]}
    assert rows[2] == ["部门编码：没有编码为“NOPE”的部门"]
    assert rows[3] == ["请填写姓名。"]
    assert len(rows[4]) == 1 and "电子邮箱" in rows[4][0]
    assert rows[6] == ["工号：在文件中出现了两次"]
    for errors in rows.values():
        assert not any(c.isascii() and c.isalpha() and c.islower() for e in errors
                       for c in e.replace("NOPE", "")), errors
