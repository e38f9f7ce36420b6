"""Issue 7's "must show", in a real browser through the real stack, one step after the other:
register → sign in → create an employee → enrol a face with the camera → set a kiosk PIN →
clock in at the kiosk with the camera, and by badge number + PIN → the punch in the daily view →
roll call with a group photo → its CSV →
forgot password → the e-mailed link → sign in with the new password.

The steps share one browser session and run in file order; each asserts what a person would see.
"""

from __future__ import annotations

import datetime
import email
import re
import time
import uuid
from calendar import monthrange
from collections.abc import Callable, Iterator
from email import policy
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from faceclock_dev.processes import StackProcesses
from faceclock_dev.testing import FACES_DIR

from .conftest import DESKTOP, PHONE, SLOW, Problems, choose_employee, context_of, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]



class Flow:
    """What the steps hand on to each other."""

    def __init__(self) -> None:
        suffix = uuid.uuid4().hex[:6]
        self.username = f"hana{suffix}"
        self.email = f"hana.{suffix}@example.com"
        self.password = "violet tractor umbrella 42"
        self.new_password = "copper lantern meadow 77"
        self.employee_name = "Barack Obama"
        self.employee_no = f"E-{suffix}"
        self.employee_url = ""
        self.values: dict[str, Any] = {}


@pytest.fixture(scope="module")
def flow() -> Flow:
    return Flow()


@pytest.fixture(scope="module")
def problems() -> Problems:
    return Problems()


@pytest.fixture(scope="module")
def context(launch: Callable[[str], Browser], problems: Problems) -> Iterator[BrowserContext]:
    # This browser's camera shows one photo of Obama: the enrolment sample.
    browser = launch("people/obama/obama_1.jpg")
    ctx = context_of(browser, viewport=DESKTOP, accept_downloads=True, locale="en-GB")
    yield ctx
    ctx.close()


@pytest.fixture(scope="module")
def api_log() -> list[tuple[str, str, int, float]]:
    return []


@pytest.fixture(scope="module")
def page(context: BrowserContext, problems: Problems, api_log: list[tuple[str, str, int, float]]) -> Page:
    page = context.new_page()
    problems.watch(page)
    page.on("response", lambda r: api_log.append(
        (r.request.method, r.url.split("?")[0], r.status, time.monotonic()))
            if "/api/v1/" in r.url else None)
    return page


def sign_out(page: Page) -> None:
    page.set_viewport_size(DESKTOP)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_register_and_sign_in(page: Page, stack: StackProcesses, flow: Flow,
                              screenshots: Callable[[Page, str], None]) -> None:
    base = stack.base_url
    page.goto(f"{base}/login")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    screenshots(page, "01-sign-in")
    page.get_by_role("link", name="Create an account").click()
    expect(page).to_have_url(re.compile(r"/register$"))
    page.get_by_label("User name").fill(flow.username)
    page.get_by_label("E-mail address").fill(flow.email)
    page.get_by_label("Password").fill("password")  # on every common-password list
    screenshots(page, "02-register")
    page.get_by_role("button", name="Create an account").click()
    expect(page.get_by_role("alert")).to_be_visible()  # the API's reason, shown as it is
    page.get_by_label("Password").fill(flow.password)
    page.get_by_role("button", name="Create an account").click()
    # Registered and signed in: a new account is an employee.
    expect(page.get_by_text(f"Signed in as {flow.username}.")).to_be_visible()
    expect(page.get_by_role("link", name="Employees")).to_have_count(0)
    # The session survives a reload (refresh token in localStorage, access token re-issued).
    page.reload()
    expect(page.get_by_text(f"Signed in as {flow.username}.")).to_be_visible()
    screenshots(page, "03-dashboard-employee")
    sign_out(page)
    # A wrong password is refused with the API's message.
    page.get_by_label("User name").fill(flow.username)
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()


def test_admin_makes_the_new_account_hr(page: Page, stack: StackProcesses, flow: Flow,
                                        screenshots: Callable[[Page, str], None]) -> None:
    sign_in(page, stack.base_url, "admin", "admin12345")
    page.get_by_role("link", name="Administration").click()
    row = page.get_by_role("row").filter(has_text=flow.username)
    expect(row).to_be_visible()
    screenshots(page, "04-administration")
    row.get_by_role("button", name="Edit").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("HR").check()
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_role("row").filter(has_text=flow.username)).to_contain_text("HR")
    # Kiosk devices: the secret is shown once; a revoked device is marked so.
    page.get_by_label("Device name").fill("Back door")
    page.get_by_role("button", name="Add kiosk").click()
    expect(page.locator("#kiosk-secret")).to_have_text(re.compile(r"\S{20,}"))
    device = page.get_by_role("row").filter(has_text="Back door")
    device.get_by_role("button", name="Revoke").click()
    page.get_by_role("dialog").get_by_role("button", name="Revoke").click()
    expect(device).to_contain_text("Revoked")
    sign_out(page)


def test_sign_in_and_create_an_employee(page: Page, stack: StackProcesses, flow: Flow,
                                        screenshots: Callable[[Page, str], None]) -> None:
    sign_in(page, stack.base_url, flow.username, flow.password)
    expect(page.get_by_text(f"Signed in as {flow.username}.")).to_be_visible()
    page.get_by_role("link", name="Employees").click()
    page.get_by_role("button", name="Add employee").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Employee no.").fill(flow.employee_no)
    dialog.get_by_label("Name").fill(flow.employee_name)
    dialog.get_by_label("Job title").fill("Analyst")
    screenshots(page, "05-employee-create")
    dialog.get_by_role("button", name="Create").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_role("status")).to_contain_text(f"{flow.employee_name} was added.")
    page.get_by_label("Search").fill(flow.employee_no)
    page.get_by_role("button", name="Search").click()
    link = page.get_by_role("link", name=flow.employee_name)
    expect(link).to_have_count(1)
    screenshots(page, "06-employees")
    link.click()
    expect(page.get_by_role("heading", name=flow.employee_name, level=1)).to_be_visible()
    flow.employee_url = page.url


def test_enrol_a_face_with_the_camera_and_by_upload(page: Page, flow: Flow,
                                                    screenshots: Callable[[Page, str], None]) -> None:
    expect(page.get_by_text("No face enrolled yet")).to_be_visible()
    page.get_by_role("button", name="Start camera").click()
    take = page.get_by_role("button", name="Take a sample")
    expect(take).to_be_enabled()
    take.click()
    results = page.get_by_role("list", name="Results of this session")
    expect(results.get_by_text("Accepted")).to_have_count(1, timeout=SLOW)
    expect(page.locator("#sample-count")).to_have_text("1 of at most 10 samples", timeout=SLOW)
    # Several files at once, each with its own verdict: a second good sample and a group photo.
    page.get_by_label("Photos (JPEG, PNG, WEBP or HEIC)").set_input_files([
        FACES_DIR / "people/obama/obama_3.jpg", FACES_DIR / "group/kit_with_rose.jpg"])
    page.get_by_role("button", name="Enrol the photos").click()
    expect(results.get_by_text("Refused")).to_have_count(1, timeout=SLOW)
    expect(results.get_by_text("Accepted")).to_have_count(2, timeout=SLOW)
    expect(page.locator("#sample-count")).to_have_text("2 of at most 10 samples")
    page.get_by_role("button", name="Stop camera").click()
    screenshots(page, "07-employee-faces")


def test_hr_sets_a_kiosk_pin(page: Page, flow: Flow,
                             screenshots: Callable[[Page, str], None]) -> None:
    expect(page.locator("#pin-status")).to_have_text("No PIN is set.")
    page.get_by_label("New PIN").fill("12a")
    page.get_by_role("button", name="Set the PIN").click()
    expect(page.locator("#pin-status")).to_have_text("No PIN is set.")  # the browser refuses it
    page.get_by_label("New PIN").fill("4826")
    page.get_by_role("button", name="Set the PIN").click()
    expect(page.locator("#pin-status")).to_have_text("A PIN is set.")
    expect(page.get_by_label("New PIN")).to_have_value("")
    screenshots(page, "29-employee-pin")
    flow.values["pin"] = "4826"


def test_clock_in_at_the_kiosk(launch: Callable[[str], Browser], stack: StackProcesses, flow: Flow,
                               admin_headers: Callable[[], dict[str, str]], problems: Problems,
                               screenshots: Callable[[Page, str], None]) -> None:
    reply = httpx.post(f"{stack.base_url}/api/v1/kiosks", json={"name": "Front door"},
                       headers=admin_headers(), timeout=30)
    assert reply.status_code == 201, reply.text
    secret = reply.json()["device_secret"]
    flow.values["kiosk_secret"] = secret
    # The kiosk stands at a site (it verifies claims there by default), as does the employee.
    site = httpx.post(f"{stack.base_url}/api/v1/sites", headers=admin_headers(), timeout=30,
                      json={"name": "Head office", "timezone": "UTC"})
    assert site.status_code == 201, site.text
    bound = httpx.put(f"{stack.base_url}/api/v1/sites/{site.json()['id']}/kiosks/"
                      f"{reply.json()['id']}", headers=admin_headers(), timeout=30)
    assert bound.status_code == 200, bound.text
    employee_id = flow.employee_url.rstrip("/").rsplit("/", 1)[-1]
    moved = httpx.patch(f"{stack.base_url}/api/v1/employees/{employee_id}", timeout=30,
                        headers=admin_headers(), json={"site_id": site.json()["id"]})
    assert moved.status_code == 200, moved.text
    # Another photo of the same man in front of the kiosk's camera.
    kiosk_browser = launch("people/obama/obama_2.jpg")
    context = kiosk_browser.new_context(viewport={"width": 1024, "height": 768})
    kiosk = context.new_page()
    problems.watch(kiosk)
    try:
        kiosk.goto(f"{stack.base_url}/kiosk")
        kiosk.get_by_label("Device secret").fill(secret)
        screenshots(kiosk, "08-kiosk-setup")
        kiosk.get_by_role("button", name="Start the kiosk").click()
        # The kiosk verifies: the person says who they are, then the photo is checked 1:1.
        expect(kiosk.locator("#kiosk-headline")).to_have_text("Who are you?", timeout=SLOW)
        expect(kiosk.locator("#kiosk-mode")).to_have_text("Checks the person you say you are")
        screenshots(kiosk, "08-kiosk-claim")
        kiosk.get_by_label("Your badge number").fill(flow.employee_no)
        kiosk.get_by_role("button", name="Continue").click()
        panel = kiosk.locator("#kiosk-panel")
        expect(panel).to_have_class(re.compile(r"kiosk-ok"), timeout=SLOW)
        expect(kiosk.locator("#kiosk-headline")).to_have_text(flow.employee_name)
        # In or out, the time, and the verdict (on time, late, ... or recorded outside a shift).
        detail = kiosk.locator("#kiosk-detail")
        expect(detail).to_have_text(re.compile(r"^(In|Out) · \d\d:\d\d · \w"))
        flow.values["punch_time"] = re.search(r"\d\d:\d\d", detail.inner_text() or "").group(0)  # type: ignore[union-attr]
        expect(kiosk.get_by_role("list", name="Recent punches")).to_contain_text(flow.employee_name)
        screenshots(kiosk, "09-kiosk-punch")
        # The kiosk keeps going: back to "look at the camera" after showing the result.
        expect(panel).to_have_class(re.compile(r"kiosk-(idle|ok)"))
        # A reload keeps the device signed in (the device secret is its long-lived credential).
        kiosk.reload()
        expect(kiosk.locator("#kiosk-panel")).to_be_visible()
    finally:
        context.close()


def test_kiosk_says_not_recognised_and_several_faces(launch: Callable[[str], Browser],
                                                     stack: StackProcesses, flow: Flow,
                                                     problems: Problems,
                                                     screenshots: Callable[[Page, str], None]) -> None:
    cases = (("people/kit_harington/kit_harington_1.jpg", "That is not you", "24-kiosk-unknown"),
             ("group/two_people.jpg", "Several faces", "25-kiosk-several"))
    for photo, headline, shot in cases:
        context = launch(photo).new_context(viewport={"width": 1024, "height": 768})
        kiosk = context.new_page()
        problems.watch(kiosk)
        try:
            kiosk.goto(f"{stack.base_url}/kiosk")
            kiosk.get_by_label("Device secret").fill(flow.values["kiosk_secret"])
            kiosk.get_by_role("button", name="Start the kiosk").click()
            # Somebody picks Obama's name from the site's list, with another face in view.
            kiosk.get_by_label("Or find your name").fill("Obama")
            kiosk.get_by_role("list", name="Matching names").get_by_role(
                "button", name=flow.employee_name).click()
            expect(kiosk.locator("#kiosk-headline")).to_have_text(headline, timeout=SLOW)
            expect(kiosk.locator("#kiosk-panel")).to_have_class(re.compile(r"kiosk-(bad|warn)"))
            screenshots(kiosk, shot)
            # After a refusal the next person says who they are afresh.
            expect(kiosk.locator("#kiosk-headline")).to_have_text("Who are you?", timeout=SLOW)
            if headline == "Several faces":
                # The kiosk account may call the roll too, here with its own camera.
                kiosk.get_by_role("link", name="Roll call").click()
                kiosk.get_by_role("button", name="Start camera").click()
                kiosk.get_by_role("button", name="Take the photo").click()
                result = kiosk.locator("#roll-result")
                expect(result.locator("svg.roll-overlay rect.face-box")).to_have_count(2, timeout=SLOW)
                expect(result.locator(".roll-present")).to_contain_text(flow.employee_name)
                screenshots(kiosk, "26-roll-call-camera")
        finally:
            context.close()


def test_clock_in_at_the_kiosk_by_badge_and_pin(launch: Callable[[str], Browser],
                                               stack: StackProcesses, flow: Flow,
                                               problems: Problems,
                                               screenshots: Callable[[Page, str], None]) -> None:
    # A face the kiosk does not know is in front of the camera: the fallback is needed.
    context = launch("people/kit_harington/kit_harington_1.jpg").new_context(
        viewport={"width": 1024, "height": 768})
    kiosk = context.new_page()
    problems.watch(kiosk)
    try:
        kiosk.goto(f"{stack.base_url}/kiosk")
        kiosk.get_by_label("Device secret").fill(flow.values["kiosk_secret"])
        kiosk.get_by_role("button", name="Start the kiosk").click()
        toggle = kiosk.get_by_role("button", name="Use badge and PIN")
        toggle.click()
        form = kiosk.get_by_role("form", name="Clock in with badge and PIN")
        # Typed on the form's own keypad: the tablet's keyboard must not pop up over it.
        expect(form.get_by_label("PIN", exact=True)).to_have_attribute("inputmode", "none")
        expect(form.get_by_role("group", name="PIN keypad")).to_be_visible()
        form.get_by_label("Badge number").fill(flow.employee_no)
        form.get_by_label("PIN", exact=True).fill("0000")
        form.get_by_role("button", name="Clock in").click()
        # The same round trip as the right PIN below (the kiosk's heartbeat to auth, the try
        # stored and counted, a PIN hash checked): as slow as it under CI's load.
        expect(kiosk.locator("#kiosk-headline")).to_have_text("Wrong badge number or PIN",
                                                              timeout=SLOW)
        expect(kiosk.locator("#kiosk-panel")).to_have_class(re.compile(r"kiosk-bad"))
        form.get_by_label("PIN", exact=True).fill(flow.values["pin"])
        form.get_by_role("button", name="Clock in").click()
        expect(kiosk.locator("#kiosk-headline")).to_have_text(flow.employee_name, timeout=SLOW)
        expect(kiosk.locator("#kiosk-panel")).to_have_class(re.compile(r"kiosk-ok"))
        # Minutes after his face punch: inside the per-person cooldown (or the first half of the
        # shift period) the kiosk says he is already clocked in rather than storing a second
        # punch (issue 15); later it is a punch of its own.
        expect(kiosk.locator("#kiosk-detail")).to_have_text(re.compile(
            rf"^(Already clocked in at {flow.values['punch_time']}|(In|Out) · \d\d:\d\d · \w)"))
        expect(form).to_be_hidden()
        screenshots(kiosk, "30-kiosk-badge-pin")
    finally:
        context.close()


def test_a_badge_and_pin_answer_given_while_the_camera_starts_stays_up(
        launch: Callable[[str], Browser], stack: StackProcesses, flow: Flow,
        problems: Problems) -> None:
    """A wrong PIN answered before the kiosk has finished starting (its camera and who it may
    identify) stays on the screen: the start used to replace it with "Who are you?" (seen in
    CI once PIN checks got faster). The start is held back here until the answer is shown."""
    context = launch("people/kit_harington/kit_harington_1.jpg").new_context(
        viewport={"width": 1024, "height": 768})
    kiosk = context.new_page()
    problems.watch(kiosk)
    held: list[Any] = []
    kiosk.route("**/api/v1/kiosk/identification", lambda route: held.append(route))
    try:
        kiosk.goto(f"{stack.base_url}/kiosk")
        kiosk.get_by_label("Device secret").fill(flow.values["kiosk_secret"])
        kiosk.get_by_role("button", name="Start the kiosk").click()
        kiosk.get_by_role("button", name="Use badge and PIN").click()
        form = kiosk.get_by_role("form", name="Clock in with badge and PIN")
        form.get_by_label("Badge number").fill(flow.employee_no)
        form.get_by_label("PIN", exact=True).fill("0000")
        form.get_by_role("button", name="Clock in").click()
        headline = kiosk.locator("#kiosk-headline")
        expect(headline).to_have_text("Wrong badge number or PIN", timeout=SLOW)
        assert len(held) == 1  # the start is still waiting for its identification settings
        with kiosk.expect_response("**/api/v1/kiosk/identification"):
            held[0].continue_()
        kiosk.wait_for_timeout(1500)  # the start's last step runs right after that answer
        expect(headline).to_have_text("Wrong badge number or PIN")
    finally:
        context.close()


def test_the_punch_appears_in_the_daily_view(page: Page, flow: Flow,
                                             screenshots: Callable[[Page, str], None]) -> None:
    page.get_by_role("link", name="Attendance").click()
    daily = page.get_by_role("tabpanel")
    # Other modules share this stack: the person may be on any page until the list is filtered.
    choose_employee(daily, flow.employee_name, flow.employee_no)
    row = daily.get_by_role("row").filter(has_text=flow.employee_name)
    expect(row).to_have_count(1, timeout=SLOW)
    # The kiosk's punch, at the time the kiosk showed, beside the day's verdict and explanation.
    expect(row).to_contain_text(flow.values["punch_time"])
    expect(row.locator("td.explanation")).not_to_be_empty()
    screenshots(page, "10-attendance-daily")
    # The tabs work from the keyboard too.
    page.get_by_role("tab", name="Daily view").focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="Punch log")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tab", name="Punch log")).to_be_focused()
    punch = page.get_by_role("tabpanel").get_by_role("row").filter(has_text=flow.employee_name)
    expect(punch.first).to_be_visible()
    screenshots(page, "11-attendance-punches")
    page.get_by_role("tab", name="Monthly summary").click()
    monthly = page.get_by_role("tabpanel")
    expect(monthly.locator("svg.chart rect.chart-bar")).to_have_count(5)
    monthly.get_by_role("row").filter(has_text=flow.employee_name).get_by_role("button", name="Show").click()
    calendar = monthly.get_by_role("list", name=re.compile(flow.employee_name))
    today = datetime.date.today()
    expect(calendar.locator("li.cal-day")).to_have_count(monthrange(today.year, today.month)[1])
    screenshots(page, "12-attendance-monthly")


def test_roll_call_with_a_group_photo_and_its_csv(page: Page, flow: Flow, tmp_path: Path,
                                                  screenshots: Callable[[Page, str], None]) -> None:
    page.get_by_role("link", name="Roll call").click()
    # A roll call covers one site or department, never the whole company.
    page.get_by_label("Site").select_option(label="Head office")
    page.get_by_label("Photo (JPEG, PNG, WEBP or HEIC)").set_input_files(FACES_DIR / "group/two_people.jpg")
    page.get_by_role("button", name="Call the roll").click()
    result = page.locator("#roll-result")
    expect(result.locator("svg.roll-overlay rect.face-box")).to_have_count(2, timeout=SLOW)
    labels = result.locator("svg.roll-overlay text")
    expect(labels.filter(has_text=flow.employee_name)).to_have_count(1)
    expect(labels.filter(has_text="Unknown")).to_have_count(1)  # Biden is nobody's enrolled face
    expect(result.locator(".roll-present")).to_contain_text(flow.employee_name)
    download_button = page.get_by_role("button", name="Download the roll-call CSV")
    expect(download_button).to_be_enabled(timeout=SLOW)
    screenshots(page, "13-roll-call")
    with page.expect_download() as waiting:
        download_button.click()
    download = waiting.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.name.endswith(".csv")
    text = saved.read_text(encoding="utf-8-sig")
    line = next(row for row in text.splitlines() if flow.employee_name in row)
    assert "present" in line.lower()


def test_departments_and_csv_import_with_a_row_report(page: Page, flow: Flow, tmp_path: Path,
                                                      screenshots: Callable[[Page, str], None]) -> None:
    code = f"OPS{flow.employee_no[-4:]}".upper()
    page.get_by_role("link", name="Departments").click()
    page.get_by_role("button", name="Add department").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Code").fill(code)
    dialog.get_by_label("Name").fill("Operations")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_role("row").filter(has_text=code)).to_have_count(1)
    # Two good rows, a row with an unknown department, and a duplicate of an existing number.
    sheet = tmp_path / "people.csv"
    sheet.write_text(
        "employee_no,name,department,email\n"
        f"{flow.employee_no}-1,Kit Harington,{code},kit@example.com\n"
        f"{flow.employee_no}-2,Rose Leslie,{code},\n"
        f"{flow.employee_no}-3,Nobody Known,NOPE,\n"
        f"{flow.employee_no},Barack Again,,\n", encoding="utf-8")
    page.get_by_role("link", name="Employees").click()
    page.get_by_label("CSV or Excel file").set_input_files(sheet)
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("2 created, 0 updated, 2 rows refused.")).to_be_visible()
    report = page.get_by_role("table").filter(has=page.get_by_text("Rows that were not imported"))
    unknown_department = report.get_by_role("row").filter(has_text="unknown department code")
    expect(unknown_department.get_by_role("cell").first).to_have_text("4")
    duplicate = report.get_by_role("row").filter(has_text="already exists")
    expect(duplicate.get_by_role("cell").first).to_have_text("5")
    page.get_by_label("Department").select_option(label=f"Operations ({code})")
    expect(page.get_by_role("link", name="Rose Leslie")).to_be_visible()
    expect(page.get_by_role("link", name=flow.employee_name)).to_have_count(0)
    screenshots(page, "22-employees-import")


def test_file_and_approve_a_leave_request(page: Page, stack: StackProcesses, flow: Flow,
                                          screenshots: Callable[[Page, str], None]) -> None:
    page.get_by_role("link", name="Requests").click()
    form = page.get_by_role("tabpanel")
    choose_employee(form, flow.employee_name, flow.employee_no)
    form.get_by_label("Leave type").select_option("annual")
    form.get_by_label("Length").select_option(label="Hours")
    form.get_by_label("Start").fill("2026-12-01T08:00")
    form.get_by_label("End").fill("2026-12-01T18:00")
    form.get_by_label("Reason").fill("Family visit")
    form.get_by_role("button", name="Submit the request").click()
    expect(form.get_by_text("The request was filed and waits for approval.")).to_be_visible()
    page.get_by_role("tab", name="To approve").click()
    pending = page.get_by_role("tabpanel").get_by_role("row").filter(has_text="Family visit")
    expect(pending).to_contain_text(flow.employee_name)
    screenshots(page, "23-requests-approve")
    # Whoever filed a request never approves it (issue 17): another approver does.
    pending.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("alert")).to_contain_text("Someone other than the person who filed")
    sign_out(page)
    sign_in(page, stack.base_url, "admin", "admin12345")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Requests").click()
    page.get_by_role("tab", name="To approve").click()
    pending = page.get_by_role("tabpanel").get_by_role("row").filter(has_text="Family visit")
    pending.get_by_label("Comment").fill("Enjoy")
    pending.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text("Approved.")
    page.get_by_role("tab", name="My requests").click()
    page.get_by_role("tab", name="To approve").click()
    expect(page.get_by_role("tabpanel").get_by_role("row").filter(has_text="Family visit")).to_have_count(0)
    sign_out(page)
    sign_in(page, stack.base_url, flow.username, flow.password)


def test_rules_shift_holiday_and_assignment(page: Page, flow: Flow,
                                           screenshots: Callable[[Page, str], None]) -> None:
    page.get_by_role("link", name="Rules").click()
    page.get_by_role("button", name="Add shift").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Start").first).to_have_value("08:00")  # the default office day
    dialog.get_by_label("Name", exact=True).fill("Night watch")
    # The defaults come from the server's office day, also when filled in again after edits.
    dialog.get_by_label("Start").first.fill("07:00")
    dialog.get_by_label("Check-out accepted until (min after end)").fill("30")
    dialog.get_by_role("button", name="Fill in the default").click()
    expect(dialog.get_by_label("Start").first).to_have_value("08:00")
    expect(dialog.get_by_label("Check-out accepted until (min after end)")).to_have_value("240")
    expect(dialog.get_by_label("Name", exact=True)).to_have_value("Night watch")
    dialog.get_by_label("Start").first.fill("22:00")
    dialog.get_by_label("End").first.fill("06:00")
    dialog.get_by_role("button", name="Remove").last.click()
    dialog.get_by_label("Late grace (min)").fill("5")
    screenshots(page, "27-rules-shift")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_have_count(0)
    shift = page.get_by_role("row").filter(has_text="Night watch")
    expect(shift).to_contain_text("22:00\u201306:00")
    # Restore the default office day, in place.
    page.get_by_role("button", name="Restore the default").click()
    page.get_by_role("dialog").get_by_role("button", name="Restore the default").click()
    expect(page.get_by_role("row").filter(has_text="08:00\u201312:00, 14:00\u201318:00")).to_have_count(1)
    page.get_by_role("button", name="Assign a shift").click()
    dialog = page.get_by_role("dialog")
    # The employee picker searches the server as one types.
    choose_employee(dialog, flow.employee_name, flow.employee_no)
    dialog.get_by_label("Shift").select_option(label="Night watch")
    dialog.get_by_label("From").fill("2026-12-01")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_have_count(0)
    assigned = page.get_by_role("row").filter(has_text="Night watch").filter(has_text=flow.employee_name)
    expect(assigned).to_have_count(1)
    page.get_by_label("Date", exact=True).fill("2026-12-25")
    page.get_by_label("Holiday name").fill("Christmas Day")
    page.get_by_role("button", name="Add holiday").click()
    expect(page.get_by_role("row").filter(has_text="Christmas Day")).to_contain_text("2026-12-25")
    screenshots(page, "18-rules")


def test_rules_v2_roster_preview_calendar_and_leave_allocation(
        page: Page, flow: Flow, screenshots: Callable[[Page, str], None]) -> None:
    """Issue 12's UI: the shift form's new rules, a roster with its calendar preview, a holiday
    calendar and a leave allocation, on the rules page."""
    page.get_by_role("link", name="Rules").click()
    page.get_by_role("button", name="Add shift").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Punch policy")).to_have_value("first_last")
    expect(dialog.get_by_label("Worked time")).to_have_value("first_last")
    dialog.get_by_role("button", name="Cancel").click()
    page.get_by_role("button", name="Add roster").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name", exact=True).fill("Four on four off")
    dialog.get_by_label("Cycle starts on").fill("2026-12-07")
    dialog.get_by_label("Cycle length (days)").fill("8")
    dialog.get_by_label("Cycle length (days)").dispatch_event("change")
    for day in range(1, 5):
        dialog.get_by_label(f"Day {day}", exact=True).select_option(label="Night watch")
    preview = dialog.get_by_role("list", name="Calendar preview")
    expect(preview.get_by_role("listitem")).to_have_count(28)
    expect(preview.get_by_role("listitem").nth(3)).to_contain_text("Night watch")
    expect(preview.get_by_role("listitem").nth(4)).to_contain_text("Rest day")
    expect(preview.get_by_role("listitem").nth(8)).to_contain_text("Night watch")
    screenshots(page, "28-rules-roster")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_role("row").filter(has_text="Four on four off")).to_contain_text(
        "Night watch · Night watch · Night watch · Night watch · Rest day")
    page.get_by_label("Calendar name").fill("Bavaria")
    page.get_by_role("button", name="Add calendar").click()
    expect(page.get_by_role("row").filter(has_text="Bavaria")).to_have_count(1)
    allocation = page.get_by_role("region", name="Leave allocation")
    choose_employee(allocation, flow.employee_name, flow.employee_no)
    allocation.get_by_label("Leave type").select_option(label="Annual leave")
    allocation.get_by_label("Days").fill("20")
    allocation.get_by_role("button", name="Save allocation").click()
    expect(allocation.get_by_role("row").filter(has_text="Annual leave")).to_contain_text("20")
    screenshots(page, "29-rules-calendars-allocation")


def test_request_a_report_watch_it_and_download_it(page: Page, tmp_path: Path,
                                                   screenshots: Callable[[Page, str], None]) -> None:
    page.get_by_role("link", name="Reports").click()
    history = page.get_by_role("table").filter(has=page.get_by_role("columnheader", name="Progress"))
    # The roll call's CSV is already in the history.
    expect(history.get_by_role("row").filter(has_text="Roll call")).to_have_count(1)
    page.get_by_label("Report", exact=True).select_option("daily")
    page.get_by_role("button", name="Request").click()
    expect(page.get_by_text(re.compile(r"Report \S+ is queued"))).to_be_visible()
    row = history.get_by_role("row").filter(has_text="Daily attendance")
    expect(row.get_by_role("progressbar")).to_be_visible()
    expect(row.get_by_role("button", name="Download")).to_be_visible(timeout=SLOW)
    expect(row).to_contain_text("100%")
    screenshots(page, "20-reports")
    with page.expect_download() as waiting:
        row.get_by_role("button", name="Download").click()
    saved = tmp_path / waiting.value.suggested_filename
    waiting.value.save_as(saved)
    assert saved.suffix == ".csv" and saved.stat().st_size > 0
    # The same report as an Excel workbook (issue 15).
    with page.expect_download() as waiting:
        row.get_by_role("button", name="Excel (.xlsx)").click()
    workbook = tmp_path / waiting.value.suggested_filename
    waiting.value.save_as(workbook)
    from openpyxl import load_workbook

    header = next(load_workbook(workbook).worksheets[0].iter_rows(values_only=True))
    assert workbook.suffix == ".xlsx" and header[:3] == ("Employee ID", "Employee No", "Name")


def test_an_expired_access_token_is_renewed_in_place(page: Page, flow: Flow,
                                                     api_log: list[tuple[str, str, int, float]]) -> None:
    """Access tokens live 30 s in this stack (+10 s leeway): once that has passed since the last
    token was issued, the next call meets a 401, the UI refreshes and retries, and the person sees
    nothing."""
    issued = max(at for _, url, status, at in api_log
                 if status == 200 and url.endswith(("/auth/login", "/auth/refresh")))
    time.sleep(max(0.0, 42 - (time.monotonic() - issued)))
    start = len(api_log)
    page.get_by_role("link", name="Employees").click()
    page.get_by_role("searchbox").fill(flow.employee_name)
    page.get_by_role("searchbox").press("Enter")
    expect(page.get_by_role("link", name=flow.employee_name)).to_be_visible()

    def refused_call_retried() -> bool:
        # The refused call may be a background one (the notices' poll) whose retry lands after
        # the page is drawn: it must come, not necessarily first.
        calls = [call[:3] for call in api_log[start:]]
        first_401 = next(i for i, call in enumerate(calls) if call[2] == 401)
        refreshes = [(i, c[2]) for i, c in enumerate(calls) if c[1].endswith("/auth/refresh")]
        assert len(refreshes) == 1 and refreshes[0][0] > first_401 and refreshes[0][1] == 200, calls
        refused = calls[first_401][:2]
        return any(c[:2] == refused and c[2] == 200 for c in calls[refreshes[0][0]:])

    deadline = time.monotonic() + 10
    while not refused_call_retried() and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert refused_call_retried(), api_log[start:]
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def _reset_link(mail_dir: Path, address: str, after: float, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(mail_dir.glob("*.eml")):
            if path.stat().st_mtime < after:
                continue
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            if address not in str(message["To"]):
                continue
            for part in message.walk():
                if part.get_content_maintype() == "text":
                    found = re.search(r"https?://\S+/reset-password\?token=[A-Za-z0-9_\-.~%]+",
                                      part.get_content())
                    if found:
                        return found.group(0)
        time.sleep(0.5)
    raise AssertionError(f"no reset e-mail for {address} in {mail_dir}")


def test_forgot_password_and_the_emailed_link(page: Page, stack: StackProcesses, flow: Flow,
                                              screenshots: Callable[[Page, str], None]) -> None:
    sign_out(page)
    page.get_by_role("link", name="Forgot password?").click()
    page.get_by_label("E-mail address").fill(flow.email)
    asked = time.time() - 1
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_text("an e-mail with a reset link is on its way")).to_be_visible()
    screenshots(page, "14-forgot-password")
    link = _reset_link(stack.stack.var_dir / "mail", flow.email, asked)
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill(flow.new_password)
    page.get_by_label("New password again").fill(flow.new_password)
    screenshots(page, "15-reset-password")
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_text("Your password has been changed")).to_be_visible()
    assert "token=" not in page.url
    # The link works once.
    page.goto(link)
    page.get_by_label("New password", exact=True).fill("another fine password 9")
    page.get_by_label("New password again").fill("another fine password 9")
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_role("alert")).to_be_visible()
    # The old password no longer works; the new one does.
    page.goto(f"{stack.base_url}/login")
    page.get_by_label("User name").fill(flow.username)
    page.get_by_label("Password", exact=True).fill(flow.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    sign_in(page, stack.base_url, flow.username, flow.new_password)
    expect(page.get_by_text(f"Signed in as {flow.username}.")).to_be_visible()


PAGES = [
    ("16-dashboard", "Dashboard"),
    ("17-departments", "Departments"),
    ("19-requests", "Requests"),
]


def test_every_page_renders_with_labels_at_both_widths(page: Page, stack: StackProcesses, flow: Flow,
                                                       screenshots: Callable[[Page, str], None]) -> None:
    # Moving around by the menu, as a person does: the app routes without reloading.
    for name, heading in PAGES:
        page.get_by_role("navigation", name="Main").get_by_role("link", name=heading).click()
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        page.wait_for_load_state("networkidle")
        unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
            .filter((el) => el.type !== 'hidden' && !el.labels.length && !el.getAttribute('aria-label'))
            .map((el) => el.name || el.outerHTML)""")
        assert unlabelled == [], f"{heading}: controls without a label: {unlabelled}"
        screenshots(page, name)
    # The phone layout: no sideways scrolling, the menu opens from a button.
    page.set_viewport_size(PHONE)
    expect(page.get_by_role("link", name="Employees")).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="Employees").click()
    expect(page.get_by_role("heading", name="Employees", level=1)).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.set_viewport_size(DESKTOP)


def test_language_switch_is_remembered(page: Page, stack: StackProcesses,
                                       screenshots: Callable[[Page, str], None]) -> None:
    page.get_by_role("link", name="Dashboard").click()
    page.get_by_label("Language").select_option("zh-CN")
    expect(page.get_by_role("heading", name="概览", level=1)).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="概览", level=1)).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    page.get_by_role("link", name="点名").click()
    expect(page.get_by_role("heading", name="点名", level=1)).to_be_visible()
    screenshots(page, "21-roll-call-zh")
    page.get_by_label("语言").select_option("en")
    expect(page.get_by_role("heading", name="Roll call", level=1)).to_be_visible()


def test_an_employee_clocks_in_on_their_phone(page: Page, stack: StackProcesses, flow: Flow,
                                              admin_headers: Callable[[], dict[str, str]],
                                              screenshots: Callable[[Page, str], None]) -> None:
    admin = admin_headers()
    users = httpx.get(f"{stack.base_url}/api/v1/users", headers=admin, timeout=30).json()["items"]
    user = next(u for u in users if u["username"] == flow.username)
    employees = httpx.get(f"{stack.base_url}/api/v1/employees", params={"q": flow.employee_no},
                          headers=admin, timeout=30).json()["items"]
    employee = next(e for e in employees if e["employee_no"] == flow.employee_no)
    linked = httpx.patch(f"{stack.base_url}/api/v1/users/{user['id']}", headers=admin, timeout=30,
                         json={"employee_id": employee["id"]})
    assert linked.status_code == 200, linked.text
    # The link travels in the token: sign in again to get it.
    sign_out(page)
    sign_in(page, stack.base_url, flow.username, flow.new_password)
    page.set_viewport_size(PHONE)
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="Clock in").click()
    page.get_by_role("button", name="Clock in now").click()
    # This browser's camera shows the employee's own face: the punch is theirs.
    result = page.locator("#clockin-result")
    expect(result).to_contain_text(flow.employee_name, timeout=SLOW)
    expect(result).to_contain_text(re.compile(r"(In|Out) · \d\d:\d\d"))
    screenshots(page, "28-clock-in")


def test_no_csp_violation_or_script_error(problems: Problems) -> None:
    assert problems.items == []
