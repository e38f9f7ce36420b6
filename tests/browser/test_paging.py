"""Issue 15, "paging on every long list": the daily attendance view and the report history read
20 rows a page with a count and Previous/Next, instead of one big page (the daily view used to
stop at the first 1000 people without saying so).

The people, punches and reports are set up through the API; what HR sees happens in Chromium.
"""

# The page ranges ("1 to 20 of 25") are written with an en dash, as the UI does.
# ruff: noqa: RUF001

from __future__ import annotations

import re
import time

import httpx
import pytest
from playwright.sync_api import Browser, expect

from faceclock_dev.processes import StackProcesses

from .conftest import DESKTOP, SLOW, Problems, context_of, sign_in
from .office import Office

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]

DAY = "2026-11-18"  # a Wednesday, long over


def test_the_daily_view_pages_its_people_and_a_filter_starts_again_at_page_one(
        desk_browser: Browser, stack: StackProcesses, office: Office, problems: Problems) -> None:
    team = office.department("PG", "Paging team")
    people = [office.employee(f"Pager {n:02d}", team) for n in range(1, 26)]
    # A punch of someone on the second page, to be shown beside their day.
    late = people[22]
    office.call("POST", "/punches", 201, json={
        "employee_id": late["id"], "at": f"{DAY}T09:07:00+00:00", "source": "import"})
    context = context_of(desk_browser, viewport=DESKTOP, locale="en-GB", timezone_id="UTC")
    page = context.new_page()
    problems.watch(page)
    try:
        sign_in(page, stack.base_url, "admin", "admin12345")
        page.goto(f"{stack.base_url}/attendance?date={DAY}")
        daily = page.get_by_role("tabpanel")
        daily.get_by_label("Department").select_option(str(team["id"]))
        expect(daily.get_by_text("25 in total")).to_be_visible(timeout=SLOW)
        expect(daily.get_by_text("1–20 of 25")).to_be_visible()
        rows = daily.locator("tbody tr")
        expect(rows).to_have_count(20)
        expect(rows.first).to_contain_text("Pager 01")
        expect(rows.filter(has_text="Pager 21")).to_have_count(0)
        expect(daily.get_by_role("button", name="Previous")).to_be_disabled()

        daily.get_by_role("button", name="Next").click()
        expect(daily.get_by_text("21–25 of 25")).to_be_visible()
        expect(rows).to_have_count(5)
        expect(rows.filter(has_text="Pager 01")).to_have_count(0)
        # The punches column holds the punches of this page's people too.
        expect(rows.filter(has_text="Pager 23").locator("td.punches")).to_have_text(
            re.compile(r"^09:07"))
        expect(daily.get_by_role("button", name="Next")).to_be_disabled()

        # Another day: the list starts again at its first page.
        daily.get_by_label("Date").fill("2026-11-19")
        daily.get_by_role("button", name="Show").click()
        expect(daily.get_by_text("1–20 of 25")).to_be_visible()
        expect(rows.first).to_contain_text("Pager 01")
        # And so does another department (everyone: more than this team).
        daily.get_by_role("button", name="Next").click()
        expect(daily.get_by_text("21–25 of 25")).to_be_visible()
        daily.get_by_label("Department").select_option(index=0)
        expect(daily.get_by_text(re.compile(r"^1–20 of \d+$"))).to_be_visible()
        expect(daily.get_by_role("button", name="Previous")).to_be_disabled()
    finally:
        context.close()


def test_the_report_history_pages(desk_browser: Browser, stack: StackProcesses, office: Office,
                                  problems: Problems) -> None:
    team = office.department("RP", "Report team")
    for n in range(21):
        body = {"kind": "daily", "params": {"date": f"2026-10-{n + 1:02d}",
                                            "department_id": team["id"]}}
        # A person may have 10 reports waiting at once: the next waits for one to finish.
        deadline = time.monotonic() + 120
        while (reply := httpx.post(f"{office.base}/api/v1/reports", json=body, timeout=60,
                                   headers=office.headers())).status_code == 429:
            assert time.monotonic() < deadline, reply.text
            time.sleep(0.5)
        assert reply.status_code == 202, reply.text
    total = office.call("GET", "/reports", params={"limit": 1})["total"]
    assert total >= 21
    context = context_of(desk_browser, viewport=DESKTOP, locale="en-GB", timezone_id="UTC")
    page = context.new_page()
    problems.watch(page)
    try:
        sign_in(page, stack.base_url, "admin", "admin12345")
        page.goto(f"{stack.base_url}/reports")
        history = page.get_by_role("region", name="History")
        expect(history.get_by_text(f"{total} in total")).to_be_visible(timeout=SLOW)
        expect(history.get_by_text(f"1–20 of {total}")).to_be_visible()
        rows = history.locator("tbody tr")
        expect(rows).to_have_count(20)
        # Newest first: the last one requested heads the first page.
        expect(rows.first).to_contain_text("date=2026-10-21")
        history.get_by_role("button", name="Next").click()
        expect(history.get_by_text(f"21–{min(total, 40)} of {total}")).to_be_visible()
        expect(rows.filter(has_text="date=2026-10-21")).to_have_count(0)
        expect(rows.filter(has_text="date=2026-10-01")).to_have_count(1)
    finally:
        context.close()
