"""Chromium (the system build, headless) driving the web UI of a whole stack started as processes.

The camera is Chromium's fake capture device fed with a .y4m video made here from a real photo,
so enrolment, the kiosk and roll calls see a real face.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from faceclock_dev.processes import StackProcesses, free_ports, running_stack
from faceclock_dev.stack import Stack
from faceclock_dev.testing import FACES_DIR, IDENTIFY_FEW_TARGETS, REPO_ROOT, bearer_of

from .office import Office

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO_ROOT / "var" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
SLOW = 90_000  # ms: recognition on a busy 2-core machine
STEP = 60_000  # ms: any other step there (Playwright's own default, 5 s, is for fast machines)
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]


def write_y4m(photo: Path, target: Path, size: tuple[int, int] = (720, 720), frames: int = 5) -> Path:
    """A few identical frames of `photo`, letterboxed on grey, as YUV4MPEG2 with 4:2:0 chroma."""
    width, height = size
    image = Image.open(photo).convert("RGB")
    image.thumbnail(size)
    canvas = Image.new("RGB", size, (128, 128, 128))
    canvas.paste(image, ((width - image.width) // 2, (height - image.height) // 2))
    y, cb, cr = canvas.convert("YCbCr").split()
    half = (width // 2, height // 2)
    frame = (y.tobytes() + cb.resize(half, Image.Resampling.BILINEAR).tobytes()
             + cr.resize(half, Image.Resampling.BILINEAR).tobytes())
    with target.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F5:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + frame)
    return target


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackProcesses]:
    var_dir = tmp_path_factory.mktemp("browser-stack")
    # The walk signs in and out, resets a password and starts kiosks within a minute or two, far
    # more sign-in traffic from one address than a person makes; the default per-address budget
    # (30 a minute, shared by every /auth path) would turn the later steps into 429s.
    # Access tokens live 30 s here, so the walk also crosses expiries: the UI must renew them
    # (401 → refresh → retry) without the person noticing.
    stack = Stack(var_dir=var_dir, ports=free_ports(), extra_env={
        "GATEWAY_AUTH_RATE_PER_MINUTE": "300", "AUTH_ACCESS_TOKEN_TTL_SECONDS": "30",
        "AUTH_KIOSK_TOKEN_TTL_SECONDS": "30",
        # Identifying kiosks search a site of a few people.
        **IDENTIFY_FEW_TARGETS})
    with running_stack(stack, var_dir / "logs") as processes:
        yield processes


def admin_sign_in(base_url: str) -> dict[str, str]:
    """Headers of a fresh sign-in of a stack's dev admin."""
    return bearer_of(httpx.post(f"{base_url}/api/v1/auth/login",
                                json={"username": "admin", "password": "admin12345"}, timeout=30))


@pytest.fixture(scope="session")
def admin_headers(stack: StackProcesses) -> Callable[[], dict[str, str]]:
    """Headers of a fresh admin sign-in (tokens of this stack live 30 s)."""
    return lambda: admin_sign_in(stack.base_url)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with sync_playwright() as driver:
        yield driver


class Cameras:
    """Headless Chromiums, each with a fake camera looping one video; closed together."""

    def __init__(self, playwright: Playwright) -> None:
        self.playwright = playwright
        self.browsers: list[Browser] = []

    def start(self, video: Path) -> Browser:
        browser = self.playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=[*CHROMIUM_ARGS, f"--use-file-for-fake-video-capture={video}"])
        self.browsers.append(browser)
        return browser

    def close(self) -> None:
        for browser in self.browsers:
            browser.close()


@pytest.fixture
def camera(playwright: Playwright) -> Iterator[Callable[[Path], Browser]]:
    """A headless Chromium whose camera loops the video at the path given."""
    cameras = Cameras(playwright)
    yield cameras.start
    cameras.close()


@pytest.fixture(scope="session")
def launch(playwright: Playwright, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[Callable[[str], Browser]]:
    """A headless Chromium whose camera shows the photo at `relative` (under the test photos)."""
    videos = tmp_path_factory.mktemp("videos")
    cameras = Cameras(playwright)
    yield lambda relative: cameras.start(write_y4m(
        FACES_DIR / relative, videos / (relative.replace("/", "_") + ".y4m")))
    cameras.close()


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def link_account(stack: StackProcesses, admin_headers: Callable[[], dict[str, str]],
                 username: str, password: str, employee_id: int) -> None:
    """A self-registered account (an employee), linked to the employee record by HR."""
    reply = httpx.post(f"{stack.base_url}/api/v1/auth/register", timeout=60, json={
        "username": username, "email": f"{username}@example.com", "password": password})
    assert reply.status_code == 202, reply.text  # the same answer whether the name was free
    with httpx.Client(base_url=stack.base_url, timeout=60, headers=admin_headers()) as client:
        users = client.get("/api/v1/users", params={"limit": 500}).json()["items"]
        user = next(u for u in users if u["username"] == username)
        linked = client.patch(f"/api/v1/users/{user['id']}", json={"employee_id": employee_id})
        assert linked.status_code == 200, linked.text


class Problems:
    """Console errors that mean the UI is broken: CSP refusals and uncaught exceptions."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def watch(self, page: Page) -> None:
        page.on("pageerror", lambda exc: self.items.append(f"page error: {exc}"))
        page.on("console", lambda msg: self.items.append(f"console: {msg.text}")
                if msg.type == "error" and "Content Security Policy" in msg.text else None)


@pytest.fixture(scope="module")
def problems() -> Iterator[Problems]:
    """The module's pages' script errors and CSP refusals; none may have happened by its end."""
    found = Problems()
    yield found
    assert found.items == []


@pytest.fixture(scope="session")
def screenshots() -> Callable[[Page, str], None]:
    """Saves the page at desktop and at phone width under var/screenshots/."""
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def shoot(page: Page, name: str) -> None:
        for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(viewport)
            page.wait_for_timeout(150)
            page.screenshot(path=SCREENSHOTS / f"{name}-{label}.png", full_page=True)
            # Responsive down to a 375 px phone: nothing may push the page sideways.
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"{name} is {width} px wide at {label} width"
        page.set_viewport_size(DESKTOP)

    return shoot


def context_of(browser: Browser, **options: Any) -> BrowserContext:
    """A fresh browser profile whose steps wait as long as a busy 2-core machine needs."""
    context = browser.new_context(**options)
    context.set_default_timeout(STEP)
    return context


@pytest.fixture(scope="module")
def office(stack: StackProcesses, admin_headers: Callable[[], dict[str, str]]) -> Office:
    return Office(stack, admin_headers)


@pytest.fixture(scope="module")
def desk_browser(launch: Callable[[str], Browser]) -> Browser:
    return launch("people/biden/biden_1.jpg")


@pytest.fixture
def desk(desk_browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile at a desk (HR, a manager); its camera is not used."""
    context = context_of(desk_browser, viewport=DESKTOP, accept_downloads=True, locale="en-GB")
    yield context
    context.close()


def choose_employee(region: Locator, name: str, employee_no: str) -> None:
    """Picks a person in a searching employee field: typed, found by the server, chosen (other
    modules share the stack, so the person may be anywhere in a long organisation)."""
    region.get_by_label("Find a person").fill(name)
    person = region.get_by_label("Employee", exact=True)
    choice = f"{name} · {employee_no}"
    expect(person.locator("option").filter(has_text=choice)).to_have_count(1, timeout=SLOW)
    person.select_option(label=choice)
