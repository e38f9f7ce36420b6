"""Issue 15, "lists truncate silently": pages of a large organisation used to load one page of
employees (500), departments, sites, shifts... and drop the rest without a word; the requests
to approve stopped at 200 of each kind and the monthly summary's chart summed the first 1000.

Now employee pickers search the server, an employee's name is asked for by id, look-up lists are
read page by page, and the merged request list and the monthly summary page with a total. The
people, sites and requests are set up through the API (520 people in one CSV import); what a
person sees happens in Chromium.
"""

# The page ranges ("1 to 20 of 25") are written with an en dash, as the UI does.
# ruff: noqa: RUF001

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from faceclock_dev.processes import StackProcesses

from .conftest import DESKTOP, SLOW, Problems, choose_employee, context_of, sign_in
from .office import Office

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]

CROWD = 520  # more than the 500 people the pickers used to hold
SITES = 205  # more than the 200 the sites lists used to hold, and than a look-up page (100)
PAGE_RANGE = re.compile(r"^\d+–\d+ of \d+$")


@pytest.fixture(scope="module")
def crowd(office: Office) -> dict[str, Any]:
    """520 people in one import, then one more: past the first 500 by any order."""
    tag = office.suffix
    rows = "".join(f"C{tag}-{n:04d},Crowd {tag} {n:04d}\n" for n in range(CROWD))
    reply = httpx.post(f"{office.base}/api/v1/employees/import", headers=office.headers(),
                       files={"file": ("crowd.csv", f"employee_no,name\n{rows}", "text/csv")},
                       timeout=300)
    assert reply.status_code == 200, reply.text
    assert office.call("GET", "/employees", params={"limit": 1})["total"] > 500
    last = office.employee(f"Zora Farlist {tag}")
    first_page = office.call("GET", "/employees", params={"limit": 500})["items"]
    assert last["id"] not in {e["id"] for e in first_page}
    return last


@pytest.fixture
def page(desk_browser: Browser, stack: StackProcesses, problems: Problems) -> Iterator[Page]:
    context = context_of(desk_browser, viewport=DESKTOP, locale="en-GB", timezone_id="UTC")
    page = context.new_page()
    problems.watch(page)
    sign_in(page, stack.base_url, "admin", "admin12345")
    yield page
    context.close()


def turn(panel: Any, button: str) -> None:
    """Previous or Next, and wait for the page it brings."""
    shown = panel.get_by_text(PAGE_RANGE).inner_text()
    panel.get_by_role("button", name=button).click()
    expect(panel.get_by_text(PAGE_RANGE)).not_to_have_text(shown)


def test_a_person_past_the_first_500_is_found_in_the_allocation_and_request_forms(
        page: Page, stack: StackProcesses, office: Office, crowd: dict[str, Any]) -> None:
    page.goto(f"{stack.base_url}/rules")
    allocation = page.get_by_role("region", name="Leave allocation")
    choose_employee(allocation, crowd["name"], crowd["employee_no"])
    allocation.get_by_label("Leave type").select_option(label="Annual leave")
    allocation.get_by_label("Days").fill("17")
    allocation.get_by_role("button", name="Save allocation").click()
    expect(allocation.get_by_role("row").filter(has_text="Annual leave")).to_contain_text(
        "17", timeout=SLOW)
    balances = office.call("GET", "/leave-balances", params={"employee_id": crowd["id"]})
    assert [b["entitled_days"] for b in balances["items"] if b["leave_type"] == "annual"] == [17]

    page.goto(f"{stack.base_url}/requests")
    form = page.get_by_role("tabpanel")
    choose_employee(form, crowd["name"], crowd["employee_no"])
    form.get_by_label("Kind", exact=True).select_option(label="Overtime")
    form.get_by_label("Date", exact=True).fill("2026-11-20")
    form.get_by_label("Start", exact=True).fill("18:00")
    form.get_by_label("End", exact=True).fill("20:00")
    form.get_by_label("Reason").fill(f"Stocktake {office.suffix}")
    form.get_by_role("button", name="Submit the request").click()
    expect(form.get_by_text("The request was filed and waits for approval.")).to_be_visible()
    filed = office.call("GET", "/overtime", params={"employee_id": crowd["id"]})["items"]
    assert [r["reason"] for r in filed] == [f"Stocktake {office.suffix}"]

    # A department whose manager is past the first 500 shows the manager's name.
    department = office.call("POST", "/departments", 201, json={
        "code": f"FAR{office.suffix}".upper(), "name": f"Far end {office.suffix}",
        "manager_employee_id": crowd["id"]})
    page.goto(f"{stack.base_url}/departments")
    row = page.get_by_role("row").filter(has_text=department["name"])
    expect(row).to_contain_text(crowd["name"], timeout=SLOW)


def test_the_requests_to_approve_page_through_all_three_kinds(
        page: Page, stack: StackProcesses, office: Office) -> None:
    person = office.employee(f"Many asks {office.suffix}")
    reasons = []
    for n in range(9):
        office.call("POST", "/overtime", 201, json={
            "employee_id": person["id"], "date": f"2026-10-{n + 1:02d}", "start": "18:00",
            "end": "19:00", "reason": f"Ask {office.suffix} overtime {n}"})
        office.call("POST", "/corrections", 201, json={
            "employee_id": person["id"], "at": f"2026-10-{n + 1:02d}T08:0{n}:00+00:00",
            "kind": "in", "reason": f"Ask {office.suffix} correction {n}"})
        reasons += [f"Ask {office.suffix} overtime {n}", f"Ask {office.suffix} correction {n}"]
    for n in range(5):
        office.call("POST", "/leave-requests", 201, json={
            "employee_id": person["id"], "leave_type": "sick", "start": f"2027-01-{n + 4:02d}",
            "end": f"2027-01-{n + 4:02d}", "reason": f"Ask {office.suffix} leave {n}"})
        reasons.append(f"Ask {office.suffix} leave {n}")
    total = sum(office.call("GET", path, params={"status": "pending", "limit": 1})["total"]
                for path in ("/leave-requests", "/overtime", "/corrections"))
    assert total >= len(reasons) > 20

    page.goto(f"{stack.base_url}/requests?tab=approve")
    panel = page.get_by_role("tabpanel")
    expect(panel.get_by_text(f"{total} in total")).to_be_visible(timeout=SLOW)
    expect(panel.get_by_text(f"1–20 of {total}")).to_be_visible()
    rows = panel.locator("tbody tr")
    seen: list[str] = []
    pages = 1
    while True:
        expect(rows.first).to_be_visible()
        seen += [text for text in rows.all_inner_texts() if f"Ask {office.suffix}" in text]
        if panel.get_by_role("button", name="Next").is_disabled():
            break
        turn(panel, "Next")
        pages += 1
    assert pages >= 2
    # Every one of them, once: none dropped past 20, none shown on two pages.
    found = [r for text in seen for r in reasons if r in text]
    assert sorted(found) == sorted(reasons)
    # Newest first across the three kinds: the last filed heads the first page.
    for _ in range(pages - 1):
        turn(panel, "Previous")
    expect(panel.get_by_text(f"1–20 of {total}")).to_be_visible()
    expect(rows.first).to_contain_text(f"Ask {office.suffix} leave 4")


def test_look_up_lists_longer_than_a_page_are_whole(
        page: Page, stack: StackProcesses, office: Office) -> None:
    tag = office.suffix
    names = [f"Depot {tag} {n:03d}" for n in range(SITES)]
    for name in names:
        office.call("POST", "/sites", 201, json={"name": name, "timezone": "Europe/Berlin"})
    total = office.call("GET", "/sites", params={"limit": 1})["total"]
    assert total > 100

    # The admin's sites table and its kiosk-binding picker hold every site.
    page.goto(f"{stack.base_url}/admin")
    sites = page.get_by_role("region", name="Sites")
    expect(sites.get_by_role("row").filter(has_text=f"Depot {tag}")).to_have_count(SITES,
                                                                                    timeout=SLOW)
    expect(sites.get_by_role("row").filter(has_text=names[-1])).to_have_count(1)

    # So does the site picker of the employee list: the last one filters to its people.
    last = office.call("GET", "/sites", params={"limit": 1, "offset": total - 1})["items"][0]
    far = office.employee(f"Depot worker {tag}", site=last["id"])
    page.goto(f"{stack.base_url}/employees")
    site = page.get_by_label("Site", exact=True)
    expect(site.locator("option")).to_have_count(total + 1, timeout=SLOW)
    site.select_option(label=last["name"])
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name=far["name"])).to_be_visible(timeout=SLOW)
    expect(page.get_by_text("1 in total")).to_be_visible()


def test_the_monthly_summary_counts_everyone_and_pages_its_table(
        page: Page, stack: StackProcesses, office: Office, crowd: dict[str, Any]) -> None:
    page.goto(f"{stack.base_url}/attendance?tab=monthly")
    panel = page.get_by_role("tabpanel")
    month = panel.get_by_label("Month", exact=True).input_value()
    everyone: list[dict[str, Any]] = []
    total = 1
    while len(everyone) < total:
        answer = office.call("GET", "/attendance/monthly", params={
            "month": month, "limit": 1000, "offset": len(everyone)})
        everyone += answer["items"]
        total = answer["total"]
    assert total > 500
    expect(panel.get_by_text(f"{total} in total")).to_be_visible(timeout=SLOW)
    # The chart sums everyone, not the page of them the table shows.
    title = panel.locator("svg.chart title")
    expect(title).to_contain_text(month)
    for label, key in (("Present", "days_present"), ("Absent", "days_absent"),
                       ("Late", "late_count")):
        shown = re.search(rf"{label}: ([\d,.]+)", title.text_content() or "")
        assert shown, (label, title.text_content())
        assert float(shown.group(1).replace(",", "")) == sum(r[key] for r in everyone), label
    expect(panel.get_by_text(f"1–50 of {total}")).to_be_visible()
    rows = panel.locator("tbody tr")
    expect(rows).to_have_count(50)
    expect(rows.first).to_contain_text(everyone[0]["name"])
    panel.get_by_role("button", name="Next").click()
    expect(panel.get_by_text(f"51–100 of {total}")).to_be_visible()
    expect(rows.first).to_contain_text(everyone[50]["name"])
