"""Sites and claims where a user expects them, in Chromium through the real stack: HR narrows
the employee list, the departments and today's dashboard to one site, and names an employee's
site on their page; an employee shows the kiosk code of the phone app, and a verify kiosk whose
camera sees it knows who claims to be there."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from faceclock_dev.processes import StackProcesses

from .conftest import DESKTOP, PHONE, Problems, context_of, link_account, sign_in, write_y4m

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def places(stack: StackProcesses, admin_headers: Callable[[], dict[str, str]]) -> dict[str, Any]:
    """Two sites: a plant with a department and two people, an office with one person."""
    suffix = uuid.uuid4().hex[:6]
    with httpx.Client(base_url=f"{stack.base_url}/api/v1", timeout=60,
                      headers=admin_headers()) as client:
        def made(path: str, body: dict[str, Any]) -> dict[str, Any]:
            reply = client.post(path, json=body)
            assert reply.status_code == 201, reply.text
            return dict(reply.json())

        plant = made("/sites", {"name": f"Plant {suffix}", "timezone": "UTC"})
        office = made("/sites", {"name": f"Office {suffix}", "timezone": "UTC"})
        line = made("/departments", {"code": f"L{suffix}".upper(), "name": f"Line {suffix}",
                                     "site_id": plant["id"]})
        kiosk = made("/kiosks", {"name": f"Plant gate {suffix}"})
        bound = client.put(f"/sites/{plant['id']}/kiosks/{kiosk['id']}")
        assert bound.status_code == 200, bound.text
        people = [made("/employees", {"employee_no": f"{code}-{suffix}",
                                      "name": f"{name} {suffix}", "site_id": site["id"]})
                  for code, name, site in (("P1", "Wen", plant), ("P2", "Ada", plant),
                                           ("O1", "Oskar", office))]
    return {"plant": plant, "office": office, "line": line, "people": people,
            "kiosk_secret": kiosk["device_secret"], "username": f"wen{suffix}"}


@pytest.fixture(scope="module")
def page(launch: Callable[[str], Browser], stack: StackProcesses,
         problems: Problems) -> Iterator[Page]:
    context = context_of(launch("people/biden/biden_1.jpg"), viewport=DESKTOP, locale="en-GB")
    page = context.new_page()
    problems.watch(page)
    sign_in(page, stack.base_url, "admin", "admin12345")
    yield page
    context.close()


def test_the_employee_list_narrows_to_one_site(page: Page, stack: StackProcesses,
                                               places: dict[str, Any],
                                               screenshots: Callable[[Page, str], None]) -> None:
    wen, ada, oskar = places["people"]
    page.goto(f"{stack.base_url}/employees")
    page.get_by_label("Site").select_option(label=places["plant"]["name"])
    rows = page.get_by_role("row")
    expect(page.get_by_text("2 in total")).to_be_visible()
    expect(rows.filter(has_text=wen["name"])).to_contain_text(places["plant"]["name"])
    expect(rows.filter(has_text=ada["name"])).to_be_visible()
    expect(rows.filter(has_text=oskar["name"])).to_have_count(0)
    screenshots(page, "55-employees-by-site")
    page.get_by_label("Site").select_option(label=places["office"]["name"])
    expect(page.get_by_text("1 in total")).to_be_visible()
    expect(rows.filter(has_text=oskar["name"])).to_be_visible()


def test_an_employee_page_names_their_site_and_moves_them(
        page: Page, stack: StackProcesses, places: dict[str, Any],
        admin_headers: Callable[[], dict[str, str]]) -> None:
    oskar = places["people"][2]
    page.goto(f"{stack.base_url}/employees/{oskar['id']}")
    site = page.get_by_label("Site")
    expect(site).to_have_value(str(places["office"]["id"]))
    site.select_option(label=places["plant"]["name"])
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    moved = httpx.get(f"{stack.base_url}/api/v1/employees/{oskar['id']}",
                      headers=admin_headers(), timeout=30).json()
    assert moved["site_id"] == places["plant"]["id"]


def test_departments_narrow_to_one_site(page: Page, stack: StackProcesses,
                                        places: dict[str, Any]) -> None:
    page.goto(f"{stack.base_url}/departments")
    line = page.get_by_role("row").filter(has_text=places["line"]["name"])
    expect(line).to_contain_text(places["plant"]["name"])
    page.get_by_label("Site").select_option(label=places["office"]["name"])
    expect(line).to_have_count(0)
    page.get_by_label("Site").select_option(label=places["plant"]["name"])
    expect(line).to_be_visible()


def test_the_dashboard_counts_one_site(page: Page, stack: StackProcesses,
                                       places: dict[str, Any]) -> None:
    page.goto(f"{stack.base_url}/")
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    with page.expect_response(lambda r: "/api/v1/attendance/daily" in r.url
                              and f"site_id={places['office']['id']}" in r.url) as answer:
        page.get_by_label("Site").select_option(label=places["office"]["name"])
    assert answer.value.status == 200
    # Oskar moved to the plant above: the office has nobody left today.
    assert answer.value.json()["items"] == []
    expect(page.locator(".stat-value").first).to_have_text("0")
    with page.expect_response(lambda r: "/api/v1/attendance/daily" in r.url
                              and f"site_id={places['plant']['id']}" in r.url) as answer:
        page.get_by_label("Site").select_option(label=places["plant"]["name"])
    assert {r["employee_id"] for r in answer.value.json()["items"]} == {
        p["id"] for p in places["people"]}
    expect(page.locator(".notice-error")).to_have_count(0)


PASSWORD = "marble orchard signal 64"


def test_her_phone_shows_a_kiosk_code_the_kiosk_camera_reads(
        page: Page, camera: Callable[[Path], Browser], stack: StackProcesses,
        places: dict[str, Any], admin_headers: Callable[[], dict[str, str]], problems: Problems,
        tmp_path: Path, screenshots: Callable[[Page, str], None]) -> None:
    wen = places["people"][0]
    link_account(stack, admin_headers, places["username"], PASSWORD, wen["id"])
    desk = page.context.browser
    assert desk is not None
    phone = desk.new_context(viewport=PHONE, locale="en-GB").new_page()
    problems.watch(phone)
    sign_in(phone, stack.base_url, places["username"], PASSWORD)
    phone.goto(f"{stack.base_url}/clock-in")
    with phone.expect_response("**/api/v1/clock-in-codes") as shown:
        phone.get_by_role("button", name="Show my kiosk code").click()
    expect(phone.get_by_role("img", name="Your kiosk code")).to_be_visible()
    expect(phone.locator("#claim-code")).to_contain_text("Valid until")
    screenshots(phone, "56-phone-kiosk-code")

    # The kiosk's camera sees her phone screen: the code she was shown. A 16:9 picture, as the
    # kiosk asks its camera for (a square one would be stretched, and so would the code).
    rows = shown.value.json()["modules"]
    qr = Image.new("L", (len(rows[0]), len(rows)), 255)
    qr.putdata([0 if cell == "1" else 255 for row in rows for cell in row])
    qr.resize((qr.width * 12, qr.height * 12), Image.Resampling.NEAREST).save(tmp_path / "qr.png")
    video = write_y4m(tmp_path / "qr.png", tmp_path / "screen.y4m", size=(1280, 720))
    kiosk = camera(video).new_page(
        viewport={"width": 1024, "height": 768})
    problems.watch(kiosk)
    kiosk.goto(f"{stack.base_url}/kiosk")
    kiosk.get_by_label("Device secret").fill(places["kiosk_secret"])
    kiosk.get_by_role("button", name="Start the kiosk").click()
    expect(kiosk.locator("#kiosk-headline")).to_have_text("Who are you?", timeout=60_000)
    kiosk.get_by_role("button", name="Scan my phone code").click()
    expect(kiosk.locator("#kiosk-claimed")).to_have_text(
        f"Now look at the camera, {wen['name']}", timeout=60_000)
    screenshots(kiosk, "57-kiosk-scanned-code")
