from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def _site(api: Any, name: str = "Shanghai plant", **fields: Any) -> dict[str, Any]:
    body = {"name": name, "timezone": "Asia/Shanghai", "address": "1 Century Ave", **fields}
    return dict(api.ok("POST", "/api/v1/sites", "hr", status=201, json=body))


def test_site_crud_and_clear_errors(api: Any) -> None:
    site = _site(api)
    assert site["timezone"] == "Asia/Shanghai" and site["address"] == "1 Century Ave"
    dup = api.post("/api/v1/sites", "hr", json={"name": "Shanghai plant", "timezone": "UTC"})
    assert dup.status_code == 409 and dup.json()["error"]["code"] == "duplicate_site_name"
    bad_zone = api.post("/api/v1/sites", "admin", json={"name": "Moon", "timezone": "Moon/Base"})
    assert bad_zone.status_code == 422 and "timezone" in bad_zone.json()["error"]["message"]
    assert api.post("/api/v1/sites", "hr", json={"name": "  ", "timezone": "UTC"}).status_code == 422

    renamed = api.ok("PATCH", f"/api/v1/sites/{site['id']}", "admin",
                     json={"name": "Shanghai HQ", "timezone": "Asia/Shanghai"})
    assert renamed["name"] == "Shanghai HQ"
    null_zone = api.patch(f"/api/v1/sites/{site['id']}", "hr", json={"timezone": None})
    assert null_zone.status_code == 422
    other = _site(api, "Berlin office", timezone="Europe/Berlin")
    clash = api.patch(f"/api/v1/sites/{other['id']}", "hr", json={"name": "Shanghai HQ"})
    assert clash.status_code == 409

    listed = api.ok("GET", "/api/v1/sites?limit=1&offset=1", "employee")
    assert listed["total"] == 2 and [s["name"] for s in listed["items"]] == ["Berlin office"]
    assert api.ok("GET", f"/api/v1/sites/{site['id']}", "manager")["name"] == "Shanghai HQ"
    missing = api.get("/api/v1/sites/999999", "hr")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "site_not_found"

    api.ok("DELETE", f"/api/v1/sites/{other['id']}", "hr", status=204)
    assert api.get(f"/api/v1/sites/{other['id']}", "hr").status_code == 404
    audit = api.ok("GET", "/api/v1/audit?entity=site", "hr")
    assert {e["action"] for e in audit["items"]} >= {"create", "update", "delete"}


def test_only_hr_and_admin_edit_sites(api: Any) -> None:
    site = _site(api)
    for role in ("manager", "employee", "kiosk"):
        assert api.post("/api/v1/sites", role,
                        json={"name": f"by {role}", "timezone": "UTC"}).status_code == 403
        assert api.patch(f"/api/v1/sites/{site['id']}", role,
                         json={"name": "x"}).status_code == 403
        assert api.delete(f"/api/v1/sites/{site['id']}", role).status_code == 403
        assert api.put(f"/api/v1/sites/{site['id']}/kiosks/7", role).status_code == 403
        assert api.get(f"/api/v1/sites/{site['id']}/kiosks", role).status_code == 403
    assert api.get("/api/v1/sites", "kiosk").status_code == 403
    assert api.get("/api/v1/sites").status_code == 401


def test_employees_departments_and_kiosks_attach_to_a_site(api: Any) -> None:
    shanghai = _site(api)
    berlin = _site(api, "Berlin office", timezone="Europe/Berlin")
    dept = api.ok("POST", "/api/v1/departments", "hr", status=201,
                  json={"code": "OPS", "name": "Operations", "site_id": shanghai["id"]})
    assert dept["site_id"] == shanghai["id"]
    li = api.employee("S-1", site_id=shanghai["id"], department_id=dept["id"])
    api.employee("B-1", site_id=berlin["id"])
    api.employee("N-1")
    assert li["site_id"] == shanghai["id"]
    at_shanghai = api.ok("GET", f"/api/v1/employees?site_id={shanghai['id']}", "hr")
    assert [e["employee_no"] for e in at_shanghai["items"]] == ["S-1"]
    depts = api.ok("GET", f"/api/v1/departments?site_id={berlin['id']}", "hr")
    assert depts["total"] == 0
    unknown = api.post("/api/v1/employees", "hr",
                       json={"employee_no": "U", "name": "U", "site_id": 4242})
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "unknown_site"
    moved = api.ok("PATCH", f"/api/v1/employees/{li['id']}", "hr", json={"site_id": berlin["id"]})
    assert moved["site_id"] == berlin["id"]
    bad_dept = api.patch(f"/api/v1/departments/{dept['id']}", "hr", json={"site_id": 4242})
    assert bad_dept.status_code == 422

    bound = api.ok("PUT", f"/api/v1/sites/{shanghai['id']}/kiosks/7", "admin")
    assert bound["kiosk_id"] == 7 and bound["site_id"] == shanghai["id"]
    api.ok("PUT", f"/api/v1/sites/{shanghai['id']}/kiosks/8", "hr")
    # Binding a kiosk elsewhere moves it: a device stands at one place at a time.
    api.ok("PUT", f"/api/v1/sites/{berlin['id']}/kiosks/8", "hr")
    kiosks = api.ok("GET", f"/api/v1/sites/{shanghai['id']}/kiosks", "hr")
    assert [k["kiosk_id"] for k in kiosks["items"]] == [7]
    wrong_site = api.delete(f"/api/v1/sites/{shanghai['id']}/kiosks/8", "hr")
    assert wrong_site.status_code == 404

    # Nothing is silently detached: a site in use is not deleted.
    in_use = api.delete(f"/api/v1/sites/{shanghai['id']}", "hr")
    assert in_use.status_code == 409 and in_use.json()["error"]["code"] == "site_in_use"
    assert "1 departments" in in_use.json()["error"]["message"]
    api.ok("DELETE", f"/api/v1/sites/{shanghai['id']}/kiosks/7", "hr", status=204)
    api.ok("PATCH", f"/api/v1/departments/{dept['id']}", "hr", json={"site_id": None})
    api.ok("DELETE", f"/api/v1/sites/{shanghai['id']}", "hr", status=204)


def test_kiosk_policy_claims_and_rosters_for_the_gateway(api: Any) -> None:
    site = _site(api, identification_mode="identify")
    assert site["identification_mode"] == "identify"
    other = _site(api, "Berlin office", timezone="Europe/Berlin")
    ops = api.ok("POST", "/api/v1/departments", "hr", status=201,
                 json={"code": "OPS", "name": "Operations", "site_id": site["id"]})
    here = api.employee("S-1", name="Li Wei", site_id=site["id"], department_id=ops["id"])
    also = api.employee("S-2", name="Li Na", site_id=site["id"])
    api.employee("S-3", name="Li Gone", site_id=site["id"], status="left")
    away = api.employee("B-1", name="Lisa Berg", site_id=other["id"])

    # A kiosk bound nowhere verifies: 1:N over everyone is never a default.
    unbound = api.ok("GET", "/internal/kiosks/5/policy", "service")
    assert unbound["identification_mode"] == "verify" and unbound["site_id"] is None
    assert unbound["gallery_employee_ids"] is None
    api.ok("PUT", f"/api/v1/sites/{site['id']}/kiosks/5", "hr")
    policy = api.ok("GET", "/internal/kiosks/5/policy", "service")
    assert policy["identification_mode"] == "identify" and policy["site_name"] == "Shanghai plant"
    assert policy["gallery_employee_ids"] == [here["id"], also["id"]]
    # A kiosk of its own mode and department.
    bound = api.ok("PUT", f"/api/v1/sites/{site['id']}/kiosks/5", "hr",
                   json={"identification_mode": "identify", "department_id": ops["id"]})
    assert bound["department_id"] == ops["id"]
    policy = api.ok("GET", "/internal/kiosks/5/policy", "service")
    assert policy["gallery_employee_ids"] == [here["id"]]
    api.ok("PUT", f"/api/v1/sites/{site['id']}/kiosks/5", "hr",
           json={"identification_mode": "verify"})
    verify = api.ok("GET", "/internal/kiosks/5/policy", "service")
    assert verify["identification_mode"] == "verify" and verify["gallery_employee_ids"] is None
    bad = api.put(f"/api/v1/sites/{site['id']}/kiosks/5", "hr", json={"identification_mode": "x"})
    assert bad.status_code == 422

    people = api.ok("GET", "/internal/kiosks/5/people?q=li", "service")
    assert [p["name"] for p in people["items"]] == ["Li Na", "Li Wei"]  # this site, active only
    assert api.get("/internal/kiosks/5/people?q=l", "service").status_code == 422
    claimed = api.ok("POST", "/internal/claims", "service", json={"employee_no": "B-1"})
    assert claimed == {"employee_id": away["id"], "employee_no": "B-1", "name": "Lisa Berg"}
    by_id = api.ok("POST", "/internal/claims", "service", json={"employee_id": here["id"]})
    assert by_id["name"] == "Li Wei"
    for body in ({"employee_no": "S-3"}, {"employee_no": "NOPE"}, {"employee_id": 999999}):
        refused = api.post("/internal/claims", "service", json=body)
        assert refused.status_code == 404 and refused.json()["error"]["code"] == "unknown_claim"
    both = api.post("/internal/claims", "service", json={"employee_no": "S-1", "employee_id": 1})
    assert both.status_code == 422

    roster = api.ok("GET", f"/internal/rosters?department_id={ops['id']}", "service")
    assert roster["employee_ids"] == [here["id"]]
    whole = api.ok("GET", f"/internal/rosters?site_id={other['id']}", "service")
    assert whole["employee_ids"] == [away["id"]]
    assert api.get("/internal/rosters", "hr").status_code == 403
    assert api.get("/internal/rosters", "service").status_code == 422


def test_lists_the_dashboard_and_reports_filter_by_site(api: Any) -> None:
    """`site_id` narrows the employee list, the punch log and the daily and monthly results;
    a manager filtering by site still sees only their own departments' people there."""
    shanghai = _site(api)
    berlin = _site(api, "Berlin office", timezone="Europe/Berlin")
    ops = api.ok("POST", "/api/v1/departments", "hr", status=201,
                 json={"code": "OPS", "name": "Operations"})
    here = api.employee("SH-1", site_id=shanghai["id"], department_id=ops["id"])
    also_here = api.employee("SH-2", site_id=shanghai["id"])
    there = api.employee("BE-1", site_id=berlin["id"], department_id=ops["id"])
    at = datetime(2026, 3, 2, 8, 3, tzinfo=UTC)
    for person in (here, also_here, there):
        api.ok("POST", "/api/v1/punches", "hr", status=201,
               json={"employee_id": person["id"], "at": at.isoformat()})

    def ids(path: str, role: str = "hr", key: str = "employee_id", **params: Any) -> set[int]:
        page = api.ok("GET", path, role, params=params, token_claims=(
            {"department_id": ops["id"]} if role == "manager" else None))
        return {row[key] for row in page["items"]}

    site = {"site_id": shanghai["id"]}
    assert ids("/api/v1/employees", key="id", **site) == {here["id"], also_here["id"]}
    assert ids("/api/v1/punches", **site) == {here["id"], also_here["id"]}
    assert ids("/api/v1/punches") == {here["id"], also_here["id"], there["id"]}
    assert ids("/api/v1/attendance/daily", date="2026-03-02", **site) == {
        here["id"], also_here["id"]}
    assert ids("/api/v1/attendance/monthly", month="2026-03", site_id=berlin["id"]) == {
        there["id"]}
    # The manager of Operations: its people at both sites, and only them at one.
    assert ids("/api/v1/employees", "manager", key="id") == {here["id"], there["id"]}
    assert ids("/api/v1/employees", "manager", key="id", **site) == {here["id"]}
    assert ids("/api/v1/punches", "manager", **site) == {here["id"]}
    assert ids("/api/v1/attendance/daily", "manager", date="2026-03-02", **site) == {here["id"]}
    # One person at another site than asked: not found under that site's filter.
    elsewhere = api.get(f"/api/v1/punches?employee_id={there['id']}&site_id={shanghai['id']}",
                        "hr")
    assert elsewhere.status_code == 404
    for path in ("/api/v1/employees", "/api/v1/punches", "/api/v1/attendance/daily"):
        unknown = api.get(f"{path}?site_id=4242", "hr")
        assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "site_not_found"
        assert api.get(f"{path}?site_id=zero", "hr").status_code == 422


def test_people_without_a_site_of_their_own_are_at_their_departments_site(api: Any) -> None:
    """One definition of a site's people everywhere: the gallery an identify kiosk searches, the
    names it lists, the site filter on lists, and a roll call's expected people."""
    site = _site(api, identification_mode="identify")
    other = _site(api, "Berlin office", timezone="Europe/Berlin")
    ops = api.ok("POST", "/api/v1/departments", "hr", status=201,
                 json={"code": "OPS2", "name": "Operations", "site_id": site["id"]})
    via_department = api.employee("D-1", name="Wang Fang", department_id=ops["id"])
    posted_away = api.employee("D-2", name="Wang Lei", department_id=ops["id"],
                               site_id=other["id"])
    api.ok("PUT", f"/api/v1/sites/{site['id']}/kiosks/7", "hr")

    policy = api.ok("GET", "/internal/kiosks/7/policy", "service")
    assert policy["gallery_employee_ids"] == [via_department["id"]]
    people = api.ok("GET", "/internal/kiosks/7/people?q=wang", "service")
    assert [p["name"] for p in people["items"]] == ["Wang Fang"]
    listed = api.ok("GET", f"/api/v1/employees?site_id={site['id']}", "hr")
    assert [e["id"] for e in listed["items"]] == [via_department["id"]]
    berlin = api.ok("GET", f"/api/v1/employees?site_id={other['id']}", "hr")
    assert [e["id"] for e in berlin["items"]] == [posted_away["id"]]
    # A name search is a substring, not a pattern: "%" matches nobody.
    assert api.ok("GET", "/internal/kiosks/7/people?q=%25%25", "service")["items"] == []
    # A kiosk bound to no site lists nobody.
    assert api.ok("GET", "/internal/kiosks/8/people?q=wang", "service")["items"] == []
