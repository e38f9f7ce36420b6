"""The first-run guide, on a stack of its own (the other browser tests fill the shared one): an
admin of an empty organisation sees each setup step as a link, and each disappears once done."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from faceclock_dev.processes import StackProcesses, free_ports, running_stack
from faceclock_dev.stack import Stack
from faceclock_dev.testing import FACES_DIR

from .conftest import DESKTOP, SLOW, Problems, context_of, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def empty_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackProcesses]:
    var_dir = tmp_path_factory.mktemp("first-run-stack")
    stack = Stack(var_dir=var_dir, ports=free_ports(),
                  extra_env={"GATEWAY_AUTH_RATE_PER_MINUTE": "300"})
    with running_stack(stack, var_dir / "logs") as processes:
        yield processes


def _admin(stack: StackProcesses) -> httpx.Client:
    reply = httpx.post(f"{stack.base_url}/api/v1/auth/login", timeout=30,
                       json={"username": "admin", "password": "admin12345"})
    assert reply.status_code == 200, reply.text
    return httpx.Client(base_url=f"{stack.base_url}/api/v1", timeout=120, headers={
        "Authorization": f"Bearer {reply.json()['access_token']}"})


def test_the_first_run_guide_shows_what_is_left_to_set_up(
        empty_stack: StackProcesses, launch: Callable[[str], Browser], problems: Problems,
        screenshots: Callable[[Page, str], None]) -> None:
    browser = launch("people/biden/biden_1.jpg")
    context = context_of(browser, viewport=DESKTOP, locale="en-GB")
    page = context.new_page()
    problems.watch(page)
    sign_in(page, empty_stack.base_url, "admin", "admin12345")
    guide = page.get_by_role("region", name="Getting started")
    steps = guide.get_by_role("link")
    expect(steps).to_have_text(["Add a site or a department", "Add the people who work here",
                                "Enrol faces", "Pair a tablet at the door"], timeout=SLOW)
    expect(guide).to_contain_text("0 of 4 steps done")
    screenshots(page, "61-first-run-guide")

    # Each link leads where the step is done; done steps are gone at the next visit.
    steps.filter(has_text="Add a site or a department").click()
    expect(page).to_have_url(f"{empty_stack.base_url}/departments")
    with _admin(empty_stack) as api:
        department = api.post("/departments", json={"code": "HQ", "name": "Head office"})
        assert department.status_code == 201, department.text
        person = api.post("/employees", json={"employee_no": "E-1", "name": "Joe Biden",
                                              "department_id": department.json()["id"]})
        assert person.status_code == 201, person.text
    page.get_by_role("navigation").get_by_role("link", name="Dashboard").click()
    expect(steps).to_have_text(["Enrol faces", "Pair a tablet at the door"], timeout=SLOW)
    expect(guide).to_contain_text("2 of 4 steps done")
    steps.filter(has_text="Enrol faces").click()
    expect(page).to_have_url(f"{empty_stack.base_url}/employees/{person.json()['id']}")

    with _admin(empty_stack) as api:
        photo = FACES_DIR / "people/biden/biden_1.jpg"
        enrolled = api.post(f"/employees/{person.json()['id']}/faces",
                            files={"image": (photo.name, photo.read_bytes(), "image/jpeg")})
        assert enrolled.status_code == 201, enrolled.text
    page.get_by_role("navigation").get_by_role("link", name="Dashboard").click()
    expect(steps).to_have_text(["Pair a tablet at the door"], timeout=SLOW)

    # The same guide in Chinese.
    zh = context_of(browser, viewport=DESKTOP, locale="zh-CN")
    chinese = zh.new_page()
    problems.watch(chinese)
    chinese.goto(f"{empty_stack.base_url}/login")
    chinese.get_by_label("用户名").fill("admin")
    chinese.get_by_label("密码", exact=True).fill("admin12345")
    chinese.get_by_role("button", name="登录").click()
    zh_guide = chinese.get_by_role("region", name="入门指南")
    expect(zh_guide.get_by_role("link")).to_have_text(["配对门口的平板"], timeout=SLOW)
    expect(zh_guide).to_contain_text("已完成 3/4 步")
    screenshots(chinese, "61-first-run-guide-zh")
    zh.close()

    with _admin(empty_stack) as api:
        kiosk = api.post("/kiosks", json={"name": "Front door"})
        assert kiosk.status_code == 201, kiosk.text
    page.get_by_role("navigation").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Today")).to_be_visible(timeout=SLOW)
    expect(guide).to_have_count(0)
    context.close()
