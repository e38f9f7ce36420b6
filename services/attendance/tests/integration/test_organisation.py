from __future__ import annotations

from typing import Any


def test_department_and_employee_crud(api: Any) -> None:
    dept = api.ok("POST", "/api/v1/departments", "hr", status=201,
                  json={"code": "ENG", "name": "Engineering", "description": "builders"})
    assert dept["code"] == "ENG" and dept["id"] > 0
    dup = api.post("/api/v1/departments", "hr", json={"code": "ENG", "name": "Again"})
    assert dup.status_code == 409 and dup.json()["error"]["code"] == "duplicate_department_code"

    body = {"employee_no": "E-001", "name": "Ada Lovelace", "department_id": dept["id"],
            "email": "ada@example.org", "title": "Engineer", "phone": "+44 1", "hired_on":
            "2024-01-15", "timezone": "Europe/London"}
    created = api.ok("POST", "/api/v1/employees", "hr", status=201, json=body)
    assert created["status"] == "active" and created["timezone"] == "Europe/London"
    again = api.post("/api/v1/employees", "hr", json=body)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "duplicate_employee_no"

    got = api.ok("GET", f"/api/v1/employees/{created['id']}", "hr")
    assert got["name"] == "Ada Lovelace" and got["hired_on"] == "2024-01-15"
    patched = api.ok("PATCH", f"/api/v1/employees/{created['id']}", "hr",
                     json={"status": "left", "notes": "moved away"})
    assert patched["status"] == "left" and patched["notes"] == "moved away"
    missing = api.get("/api/v1/employees/999999", "hr")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "employee_not_found"
    assert api.get("/api/v1/departments/999999", "hr").status_code == 404

    api.ok("DELETE", f"/api/v1/employees/{created['id']}", "hr", status=204)
    assert api.get(f"/api/v1/employees/{created['id']}", "hr").status_code == 404
    api.ok("DELETE", f"/api/v1/departments/{dept['id']}", "admin", status=204)


def test_employee_search_filter_and_pages(api: Any) -> None:
    a = api.ok("POST", "/api/v1/departments", "hr", status=201, json={"code": "A", "name": "A"})
    b = api.ok("POST", "/api/v1/departments", "hr", status=201, json={"code": "B", "name": "B"})
    for index in range(5):
        api.employee(f"A{index}", department_id=a["id"], name=f"Alice {index}")
    api.employee("B0", department_id=b["id"], name="Bob Smith", email="bob@corp.example")
    page = api.ok("GET", "/api/v1/employees?limit=2&offset=1", "hr")
    assert page["total"] == 6 and [e["employee_no"] for e in page["items"]] == ["A1", "A2"]
    by_dept = api.ok("GET", f"/api/v1/employees?department_id={b['id']}", "hr")
    assert by_dept["total"] == 1 and by_dept["items"][0]["name"] == "Bob Smith"
    by_q = api.ok("GET", "/api/v1/employees?q=CORP.example", "hr")
    assert [e["employee_no"] for e in by_q["items"]] == ["B0"]
    assert api.ok("GET", "/api/v1/employees?q=alice%203", "hr")["total"] == 1
    assert api.ok("GET", "/api/v1/employees?status=left", "hr")["total"] == 0


def test_bad_input_is_a_clear_4xx(api: Any) -> None:
    bad_tz = api.post("/api/v1/employees", "hr",
                      json={"employee_no": "X", "name": "X", "timezone": "Mars/Olympus"})
    assert bad_tz.status_code == 422 and "timezone" in bad_tz.json()["error"]["message"]
    blank = api.post("/api/v1/employees", "hr", json={"employee_no": "  ", "name": "X"})
    assert blank.status_code == 422
    unknown_dept = api.post("/api/v1/employees", "hr",
                            json={"employee_no": "Y", "name": "Y", "department_id": 4242})
    assert unknown_dept.status_code == 422
    assert unknown_dept.json()["error"]["code"] == "unknown_department"
    extra = api.post("/api/v1/employees", "hr", json={"employee_no": "Z", "name": "Z", "x": 1})
    assert extra.status_code == 422
    assert api.get("/api/v1/employees?limit=0", "hr").status_code == 422
    assert api.get("/api/v1/employees?limit=100000", "hr").status_code == 422
    null_name = api.ok("POST", "/api/v1/employees", "hr", status=201,
                       json={"employee_no": "N", "name": "N"})
    resp = api.patch(f"/api/v1/employees/{null_name['id']}", "hr", json={"name": None})
    assert resp.status_code == 422


def test_roles_and_object_level_access(api: Any) -> None:
    eng = api.ok("POST", "/api/v1/departments", "hr", status=201, json={"code": "E", "name": "E"})
    ops = api.ok("POST", "/api/v1/departments", "hr", status=201, json={"code": "O", "name": "O"})
    me = api.employee("M1", department_id=eng["id"])
    colleague = api.employee("M2", department_id=eng["id"])
    other = api.employee("O1", department_id=ops["id"])

    assert api.get("/api/v1/employees").status_code == 401
    assert api.post("/api/v1/employees", "employee", json={"employee_no": "q", "name": "q"}
                    ).status_code == 403
    assert api.post("/api/v1/employees", "manager", json={"employee_no": "q", "name": "q"}
                    ).status_code == 403
    assert api.get("/api/v1/employees", "kiosk").status_code == 403

    own = {"token_claims": {"employee_id": me["id"]}}
    mine = api.ok("GET", "/api/v1/employees", "employee", **own)
    assert [e["id"] for e in mine["items"]] == [me["id"]]
    assert api.get(f"/api/v1/employees/{colleague['id']}", "employee", **own).status_code == 404
    assert api.get(f"/api/v1/employees/{me['id']}", "employee", **own).status_code == 200

    manager = {"token_claims": {"employee_id": me["id"], "department_id": eng["id"]}}
    seen = api.ok("GET", "/api/v1/employees", "manager", **manager)
    assert {e["id"] for e in seen["items"]} == {me["id"], colleague["id"]}
    assert api.get(f"/api/v1/employees/{other['id']}", "manager", **manager).status_code == 404
    depts = api.ok("GET", "/api/v1/departments", "manager", **manager)
    assert [d["id"] for d in depts["items"]] == [eng["id"]]

    everyone = api.ok("GET", "/api/v1/employees", "service", token_claims={"sub": "service:rep"})
    assert everyone["total"] == 3
    assert api.post("/api/v1/employees", "service", json={"employee_no": "s", "name": "s"}
                    ).status_code == 403


def test_csv_import_reports_each_bad_row(api: Any) -> None:
    api.ok("POST", "/api/v1/departments", "hr", status=201, json={"code": "OPS", "name": "Ops"})
    api.employee("EXIST")
    csv_text = (
        "employee_no,name,department,email,hired_on,timezone\n"
        "C1,Carol,OPS,carol@example.org,2023-04-01,Europe/Paris\n"
        "C2,Dan,NOPE,,,\n"
        "C3,,OPS,,,\n"
        "EXIST,Again,,,,\n"
        "C4,Eve,,not-an-email,2023-13-01,\n"
        "C1,Carol twice,,,,\n"
        "C5,Frank,,,,UTC\n"
    )
    report = api.ok("POST", "/api/v1/employees/import", "hr",
                    files={"file": ("staff.csv", csv_text.encode(), "text/csv")})
    assert report["created"] == 2 and report["failed"] == 5
    rows = {e["row"]: e for e in report["errors"]}
    assert set(rows) == {3, 4, 5, 6, 7}
    assert "unknown department" in rows[3]["errors"][0]
    assert rows[5]["errors"] == ["employee_no: already exists"]
    assert len(rows[6]["errors"]) == 2  # bad e-mail and bad date, both reported
    assert "twice" in rows[7]["errors"][0]
    carol = api.ok("GET", "/api/v1/employees?q=carol", "hr")["items"][0]
    assert carol["timezone"] == "Europe/Paris" and carol["department_id"] is not None

    bad_header = api.post("/api/v1/employees/import", "hr",
                          files={"file": ("x.csv", b"who,what\n1,2\n", "text/csv")})
    assert bad_header.status_code == 400
    update = api.ok("POST", "/api/v1/employees/import?update_existing=true", "hr",
                    files={"file": ("u.csv", b"employee_no,name,title\nEXIST,Renamed,Boss\n",
                                    "text/csv")})
    assert update["updated"] == 1 and update["failed"] == 0
    assert api.ok("GET", "/api/v1/employees?q=renamed", "hr")["items"][0]["title"] == "Boss"


def test_absurd_ids_are_422_not_500(api: Any) -> None:
    huge = 10**20
    for path in (f"/api/v1/employees/{huge}", f"/api/v1/employees?department_id={huge}",
                 f"/api/v1/punches?employee_id={huge}", f"/api/v1/leave-requests/{huge}",
                 "/api/v1/employees/0", f"/api/v1/attendance/daily?employee_id={huge}",
                 f"/api/v1/departments?offset={huge}", f"/api/v1/shifts?offset={huge}"):
        assert api.get(path, "hr").status_code == 422, path
    body = {"employee_no": "H", "name": "H", "department_id": huge}
    assert api.post("/api/v1/employees", "hr", json=body).status_code == 422
    punch = {"employee_id": huge, "at": "2026-01-01T08:00:00Z"}
    assert api.post("/api/v1/punches", "hr", json=punch).status_code == 422


def test_dates_at_the_ends_of_the_calendar_are_422(api: Any) -> None:
    person = api.employee("T1", timezone="Asia/Tokyo")
    checks = [
        ("POST", "/api/v1/punches", {"employee_id": person["id"], "at": "0001-01-01T00:00:30Z"}),
        ("POST", "/api/v1/leave-requests", {"employee_id": person["id"], "start": "0001-01-01",
                                            "end": "0001-01-02"}),
        ("POST", "/api/v1/leave-requests", {"employee_id": person["id"], "start": "9999-12-30",
                                            "end": "9999-12-31"}),
        ("POST", "/api/v1/overtime", {"employee_id": person["id"], "date": "0001-01-01",
                                      "start": "18:00", "hours": 1}),
        ("POST", "/api/v1/holidays", {"date": "9999-12-31", "name": "End"}),
        ("POST", "/api/v1/employees", {"employee_no": "T2", "name": "x", "hired_on": "0001-01-01"}),
    ]
    for method, path, body in checks:
        assert api.call(method, path, "hr", json=body).status_code == 422, (path, body)
    for path in ("/api/v1/attendance/daily?date=0001-01-01", "/api/v1/attendance/monthly?month=9999-12",
                 "/api/v1/attendance/daily?from=9999-12-30&to=9999-12-31"):
        assert api.get(path, "hr").status_code == 422, path


def test_employees_by_id_only_those_the_reader_may_see(api: Any) -> None:
    eng = api.ok("POST", "/api/v1/departments", "hr", status=201, json={"code": "E", "name": "E"})
    ops = api.ok("POST", "/api/v1/departments", "hr", status=201, json={"code": "O", "name": "O"})
    ann = api.employee("I1", department_id=eng["id"], name="Ann")
    ben = api.employee("I2", department_id=eng["id"], name="Ben")
    cid = api.employee("I3", department_id=ops["id"], name="Cid")
    # The names of a page's rows: just the ids asked for (repeated), in one call.
    two = api.ok("GET", "/api/v1/employees", "hr", params=[("id", ann["id"]), ("id", cid["id"])])
    assert two["total"] == 2 and [e["name"] for e in two["items"]] == ["Ann", "Cid"]
    one = api.ok("GET", "/api/v1/employees", "hr", params=[("id", ben["id"])])
    assert [e["name"] for e in one["items"]] == ["Ben"]
    # Another department's person is simply not in a manager's answer.
    manager = {"token_claims": {"department_id": eng["id"]}}
    seen = api.ok("GET", "/api/v1/employees", "manager", **manager,
                  params=[("id", ann["id"]), ("id", cid["id"])])
    assert [e["id"] for e in seen["items"]] == [ann["id"]]
    many = "&".join(f"id={n}" for n in range(1, 102))
    assert api.get(f"/api/v1/employees?{many}", "hr").status_code == 422
    assert api.get("/api/v1/employees?id=0", "hr").status_code == 422
