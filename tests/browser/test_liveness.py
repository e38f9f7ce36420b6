"""Liveness in Chromium with a fake camera, through the real stack. At the kiosk of a site that
checks liveness, a recorded live person clocks in by following the prompts; her still photo in
front of the camera does not. Then the admin turns the check on for phones too with the site's
selector, and the same holds for her clock-in on her own phone."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Browser, Locator, Page, Route, expect

from faceclock_dev.liveness_data import jpeg, live_frames
from faceclock_dev.processes import StackProcesses

from .conftest import PHONE, SLOW, Problems, link_account, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# What the recorded frames perform, in this order (tests/data/liveness/iris_example/SOURCE.md).
RECORDED_STEPS = ["turn_right", "blink"]
SIZE = (400, 400)
PASSWORD = "saffron ladder canyon 58"


def write_y4m(frames: list[Image.Image], target: Path, fps: int) -> Path:
    """Frames as a YUV4MPEG2 video with 4:2:0 chroma, which Chromium's fake camera loops."""
    half = (SIZE[0] // 2, SIZE[1] // 2)
    with target.open("wb") as out:
        out.write(f"YUV4MPEG2 W{SIZE[0]} H{SIZE[1]} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for frame in frames:
            y, cb, cr = frame.resize(SIZE, Image.Resampling.BILINEAR).convert("YCbCr").split()
            out.write(b"FRAME\n" + y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes())
    return target


def live_video(target: Path) -> Path:
    """Her, looped by the camera: facing it still for 1.5 s (the kiosk starts a check once the
    picture is steady), then her turn and blink (recorded frames 21-68) twice over at 30 fps,
    the closed-eye frames held a little longer so a kiosk taking a frame every 90 ms sees them.

    Twice, because the camera loops on its own clock: a burst that starts late, after the
    first turn has begun (a slow challenge answer on a loaded machine), sees the second."""
    frames = live_frames()
    motion: list[Image.Image] = []
    for number in range(21, len(frames)):
        motion.extend([frames[number]] * (3 if number in (59, 60, 66, 67) else 1))
    return write_y4m([frames[21]] * 45 + motion + motion, target, fps=30)


@pytest.fixture(scope="module")
def problems() -> Problems:
    return Problems()


@pytest.fixture(scope="module")
def site_kiosk(stack: StackProcesses, admin_headers: Callable[[], dict[str, str]]) -> dict[str, str]:
    """A site whose kiosks check liveness, one kiosk bound to it, and her enrolled there."""
    suffix = uuid.uuid4().hex[:6]
    with httpx.Client(base_url=stack.base_url, timeout=60, headers=admin_headers()) as client:
        # The site's kiosks verify who people say they are (the default), and check liveness.
        site = client.post("/api/v1/sites", json={
            "name": f"Checked door {suffix}", "timezone": "UTC", "liveness": "kiosks"})
        assert site.status_code == 201, site.text
        device = client.post("/api/v1/kiosks", json={"name": f"Checked door {suffix}"})
        assert device.status_code == 201, device.text
        bound = client.put(f"/api/v1/sites/{site.json()['id']}/kiosks/{device.json()['id']}")
        assert bound.status_code == 200, bound.text
        person = client.post("/api/v1/employees", json={
            "employee_no": f"LV-{suffix}", "name": f"Iris {suffix}", "site_id": site.json()["id"]})
        assert person.status_code == 201, person.text
        sample = jpeg(live_frames()[0].resize(SIZE))
        enrolled = client.post(f"/api/v1/employees/{person.json()['id']}/faces",
                               files={"image": ("face.jpg", sample, "image/jpeg")})
        assert enrolled.status_code == 201, enrolled.text
    return {"secret": device.json()["device_secret"], "name": f"Iris {suffix}",
            "employee_no": f"LV-{suffix}", "site_id": str(site.json()["id"]),
            "site_name": f"Checked door {suffix}", "employee_id": str(person.json()["id"]),
            "username": f"iris{suffix}"}


@pytest.fixture(scope="module")
def phone_account(stack: StackProcesses, admin_headers: Callable[[], dict[str, str]],
                  site_kiosk: dict[str, str]) -> None:
    link_account(stack, admin_headers, site_kiosk["username"], PASSWORD,
                 int(site_kiosk["employee_id"]))


def only_the_recorded_order(asked: list[list[str]]) -> Callable[[Route], None]:
    """Passes the page the first real challenge that asks for what the recording does.

    The server draws each challenge at random; the recording does one order only (the others
    it asked for simply expire)."""

    def route(route: Route) -> None:
        for _ in range(60):
            answer = route.fetch()
            asked.append(answer.json()["steps"])
            if answer.json()["steps"] == RECORDED_STEPS:
                route.fulfill(response=answer)
                return
        route.abort()

    return route


def until_accepted(verdict: Locator, accepted: Locator, again: Callable[[], None]) -> None:
    """Waits for a verdict until the clock-in is accepted. The fake camera loops the recording
    from wherever it happens to be when the prompt appears, as a person may start late: like
    them, the test may try again (twice)."""
    for attempt in range(3):
        expect(verdict).to_be_visible(timeout=SLOW)
        if accepted.count() or attempt == 2:
            break
        again()
    expect(accepted).to_be_visible()


def _open_kiosk(browser: Browser, base_url: str, site_kiosk: dict[str, str],
                problems: Problems, challenges: Callable[[Route], None] | None = None) -> Page:
    """The kiosk started, and she has said who she is (her badge number)."""
    page = browser.new_context(viewport={"width": 1024, "height": 768}).new_page()
    problems.watch(page)
    if challenges is not None:
        page.route("**/api/v1/liveness/challenges", challenges)
    page.goto(f"{base_url}/kiosk")
    page.get_by_label("Device secret").fill(site_kiosk["secret"])
    page.get_by_role("button", name="Start the kiosk").click()
    expect(page.locator("#kiosk-headline")).to_have_text("Who are you?", timeout=SLOW)
    page.get_by_label("Your badge number").fill(site_kiosk["employee_no"])
    page.get_by_role("button", name="Continue").click()
    return page


def test_a_live_person_clocks_in_by_following_the_prompts(
        camera: Callable[[Path], Browser], stack: StackProcesses, site_kiosk: dict[str, str],
        problems: Problems, tmp_path: Path, screenshots: Callable[[Page, str], None]) -> None:
    asked: list[list[str]] = []
    page = _open_kiosk(camera(live_video(tmp_path / "live.y4m")), stack.base_url, site_kiosk,
                       problems, only_the_recorded_order(asked))
    prompt = page.locator("#liveness-prompt")
    expect(prompt).to_be_visible(timeout=SLOW)
    expect(page.locator("#liveness-step")).to_have_text("Turn your head to your right")
    screenshots(page, "50-kiosk-liveness-prompt")
    until_accepted(page.locator("#kiosk-panel.kiosk-ok, #kiosk-panel.kiosk-bad"),
                   page.locator("#kiosk-panel.kiosk-ok"),
                   lambda: page.get_by_role("button", name="Try again").click())
    expect(page.locator("#kiosk-headline")).to_have_text(site_kiosk["name"])
    assert asked[-1] == RECORDED_STEPS


def test_her_still_photo_does_not_clock_in(
        camera: Callable[[Path], Browser], stack: StackProcesses, site_kiosk: dict[str, str],
        problems: Problems, tmp_path: Path, screenshots: Callable[[Page, str], None]) -> None:
    still = write_y4m([live_frames()[0]] * 5, tmp_path / "still.y4m", fps=5)
    page = _open_kiosk(camera(still), stack.base_url, site_kiosk, problems)
    expect(page.locator("#liveness-prompt")).to_be_visible(timeout=SLOW)
    panel = page.locator("#kiosk-panel")
    expect(panel).to_have_class(re.compile(r"kiosk-bad"), timeout=SLOW)
    expect(page.locator("#kiosk-headline")).to_have_text("Movement not seen")
    expect(page.get_by_role("button", name="Try again")).to_be_visible()
    screenshots(page, "51-kiosk-liveness-refused")
    # Retry starts another check (and fails the same way); badge and PIN stay on offer.
    page.get_by_role("button", name="Try again").click()
    expect(page.locator("#liveness-prompt")).to_be_visible(timeout=SLOW)
    expect(page.get_by_role("button", name="Use badge and PIN")).to_be_visible()


def test_the_admin_turns_the_check_on_for_phones_with_the_site_selector(
        camera: Callable[[Path], Browser], stack: StackProcesses, site_kiosk: dict[str, str],
        admin_headers: Callable[[], dict[str, str]], problems: Problems, tmp_path: Path,
        screenshots: Callable[[Page, str], None]) -> None:
    still = write_y4m([live_frames()[0]] * 5, tmp_path / "still.y4m", fps=5)
    page = camera(still).new_context(viewport={"width": 1280, "height": 800}).new_page()
    problems.watch(page)
    sign_in(page, stack.base_url, "admin", "admin12345")
    page.goto(f"{stack.base_url}/admin")
    selector = page.get_by_label(f"Liveness check at {site_kiosk['site_name']}")
    expect(selector).to_have_value("kiosks")
    selector.select_option(label="At the kiosks and on phones")
    expect(page.get_by_text("Saved.")).to_be_visible()
    screenshots(page, "52-sites-liveness")
    site = httpx.get(f"{stack.base_url}/api/v1/sites/{site_kiosk['site_id']}",
                     headers=admin_headers(), timeout=30)
    assert site.json()["liveness"] == "everywhere", site.text
    # The choice stays after a reload, and the new-site form offers the same three.
    page.reload()
    expect(page.get_by_label(f"Liveness check at {site_kiosk['site_name']}")).to_have_value(
        "everywhere")
    create = page.get_by_role("form", name="Add site")
    assert create.get_by_label("Liveness check").locator("option").all_inner_texts() == [
        "Off", "At the kiosks", "At the kiosks and on phones"]


def _her_phone(browser: Browser, base_url: str, site_kiosk: dict[str, str], problems: Problems,
               challenges: Callable[[Route], None] | None = None) -> Page:
    """Her own phone, signed in, on the clock-in page."""
    page = browser.new_context(viewport=PHONE).new_page()
    problems.watch(page)
    if challenges is not None:
        page.route("**/api/v1/liveness/challenges", challenges)
    sign_in(page, base_url, site_kiosk["username"], PASSWORD)
    page.goto(f"{base_url}/clock-in")
    expect(page.get_by_role("button", name="Clock in now")).to_be_enabled(timeout=SLOW)
    return page


def test_her_still_photo_does_not_clock_in_on_her_phone(
        camera: Callable[[Path], Browser], stack: StackProcesses, site_kiosk: dict[str, str],
        phone_account: None, problems: Problems, tmp_path: Path,
        screenshots: Callable[[Page, str], None]) -> None:
    still = write_y4m([live_frames()[0]] * 5, tmp_path / "still.y4m", fps=5)
    page = _her_phone(camera(still), stack.base_url, site_kiosk, problems)
    page.get_by_role("button", name="Clock in now").click()
    expect(page.locator("#liveness-prompt")).to_be_visible(timeout=SLOW)
    refusal = page.locator("#clockin-result .notice-error")
    expect(refusal).to_have_text(
        "Follow the arrows once more, or use badge and PIN.",
        timeout=SLOW)
    screenshots(page, "53-phone-liveness-refused")


def test_a_live_person_clocks_in_on_her_phone(
        camera: Callable[[Path], Browser], stack: StackProcesses, site_kiosk: dict[str, str],
        phone_account: None, admin_headers: Callable[[], dict[str, str]], problems: Problems,
        tmp_path: Path, screenshots: Callable[[Page, str], None]) -> None:
    asked: list[list[str]] = []
    page = _her_phone(camera(live_video(tmp_path / "live.y4m")), stack.base_url, site_kiosk,
                      problems, only_the_recorded_order(asked))
    now = page.get_by_role("button", name="Clock in now")
    now.click()
    expect(page.locator("#liveness-step")).to_have_text("Turn your head to your right",
                                                         timeout=SLOW)
    screenshots(page, "54-phone-liveness-prompt")
    until_accepted(page.locator("#clockin-result .notice"),
                   page.locator("#clockin-result .notice-ok"), now.click)
    expect(page.locator("#clockin-result")).to_contain_text(site_kiosk["name"])
    assert asked[-1] == RECORDED_STEPS
    # Her punches say they were checked (the phone's may be the kiosk's within the cool-down),
    # and none was taken unchecked.
    punches = httpx.get(f"{stack.base_url}/api/v1/punches", headers=admin_headers(), timeout=30,
                        params={"employee_id": site_kiosk["employee_id"], "liveness": "checked"})
    assert punches.status_code == 200, punches.text
    assert punches.json()["items"], punches.text
    unchecked = httpx.get(f"{stack.base_url}/api/v1/punches", headers=admin_headers(), timeout=30,
                          params={"employee_id": site_kiosk["employee_id"],
                                  "liveness": "not_checked"})
    assert unchecked.json()["items"] == [], unchecked.text


def test_no_csp_violation_or_script_error(problems: Problems) -> None:
    assert problems.items == []
