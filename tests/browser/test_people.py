"""Issue 15, the managers' and HR's side, in a real browser through the real stack: the nightly
digest of missing check-outs, the first-run guide and invitations, bulk shift assignment with
searchable employee pickers.

The people are set up through the API (that is not what is under test); what a person does and
sees happens in Chromium; e-mail arrives at the stack's SMTP catcher.
"""

# Chinese text uses full-width punctuation, which is correct there.
# ruff: noqa: RUF001

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from faceclock_dev.processes import StackProcesses, stack_in

from .conftest import DESKTOP, Problems, admin_sign_in, context_of, sign_in
from .office import ENGLISH_SENTENCE, PASSWORD, Office, mails_to

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]


def _nightly_job(stack: StackProcesses) -> None:
    """The nightly job as the Kubernetes CronJob runs it (`mark-absent`), against the stack's
    attendance database and auth, with the attendance service's own settings."""
    spec = next(s for s in stack.stack.processes() if s.name == "attendance")
    done = subprocess.run([*spec.argv, "mark-absent"], env={**spec.env, "PATH": "/usr/bin:/bin"},
                          capture_output=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr.decode()[-2000:]


@pytest.fixture
def digest_stack(tmp_path: Path) -> Iterator[StackProcesses]:
    """A stack of the digest's people only, whose office day is worked all week.

    The digest waits until yesterday is over for every employee, and a rest day is over only at
    noon the next day (an overnight check-out may still come): with the shared stack's people on
    the Monday-Friday default, the test would depend on the weekday and the hour it runs at."""
    with stack_in(tmp_path / "digest-stack") as processes:
        yield processes


def test_managers_get_a_digest_of_yesterdays_missing_check_outs_once(
        desk_browser: Browser, desk: BrowserContext, digest_stack: StackProcesses,
        problems: Problems, screenshots: Callable[[Page, str], None]) -> None:
    """Dora checked in yesterday and never out; Dan checked in and out; Xena (another
    department) also forgot. The nightly job tells Mona (Dora's department's named manager,
    reading Chinese) about Dora only, and HR about Dora and Xena, by e-mail and in the list;
    the job run again sends nothing."""
    stack = digest_stack
    office = Office(stack, lambda: admin_sign_in(stack.base_url))
    office.call("POST", "/shifts", 201, json={
        "name": "Office week", "periods": [{"start": "08:00", "end": "12:00"},
                                           {"start": "14:00", "end": "18:00"}],
        "workdays": [1, 2, 3, 4, 5, 6, 7], "is_default": True})
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date()
    team = office.department("DG", "Digest team")
    other = office.department("DX", "Other team")
    dora = office.employee("Dora Digest", team)
    dan = office.employee("Dan Done", team)
    mona = office.employee("Mona Manager", team)
    xena = office.employee("Xena Elsewhere", other)
    office.call("PATCH", f"/departments/{team['id']}", json={"manager_employee_id": mona["id"]})
    at = lambda hour, minute: datetime.combine(  # noqa: E731
        yesterday, datetime.min.time(), UTC).replace(hour=hour, minute=minute).isoformat()
    for person, times in ((dora, [(8, 2)]), (dan, [(8, 5), (17, 1)]), (xena, [(9, 15)])):
        for hour, minute in times:
            office.call("POST", "/punches", 201, json={
                "employee_id": person["id"], "at": at(hour, minute), "source": "import"})
    mona_user, hr_user = f"mona{office.suffix}", f"hr{office.suffix}"
    office.account(mona_user, mona)
    office.account(hr_user, dan)
    users = {u["username"]: u for u in office.call("GET", "/users", params={"limit": 500})["items"]}
    office.call("PATCH", f"/users/{users[mona_user]['id']}", json={"language": "zh-CN"})
    office.call("PATCH", f"/users/{users[hr_user]['id']}", json={"roles": ["hr"]})
    mail_dir = stack.stack.var_dir / "mail"

    ran_at = time.time() - 1
    day = yesterday.isoformat()  # the digests' subjects name the day; the accounts' mails do not
    _nightly_job(stack)
    (mail,) = mails_to(mail_dir, f"{mona_user}@example.com", ran_at, about=day)
    assert mail["Subject"] == f"{yesterday.isoformat()} 未签退：1 人"
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "Dora Digest" in text and "08:02 签到" in text
    assert "Dan Done" not in text and "Xena Elsewhere" not in text
    (mail,) = mails_to(mail_dir, f"{hr_user}@example.com", ran_at, about=day)
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "Dora Digest" in text and "Xena Elsewhere" in text and "Dan Done" not in text

    # The job runs again (a restart, the CronJob retried): nobody hears twice.
    again_at = time.time()  # the first run's mails are all in (read above), so no margin
    _nightly_job(stack)
    assert mails_to(mail_dir, f"{mona_user}@example.com", again_at, timeout=8, about=day) == []

    # In the list, in the reader's language, with a link to that day's attendance.
    context = context_of(desk_browser, viewport=DESKTOP, locale="zh-CN", timezone_id="UTC")
    boss = context.new_page()
    problems.watch(boss)
    try:
        boss.goto(f"{stack.base_url}/login")
        boss.get_by_label("用户名").fill(mona_user)
        boss.get_by_label("密码", exact=True).fill(PASSWORD)
        boss.get_by_role("button", name="登录").click()
        boss.get_by_role("navigation").get_by_role("link", name="通知").click()
        notice = boss.locator(".notice-list li").first
        expect(notice).to_contain_text(f"{yesterday.isoformat()} 未签退：1 人已签到但未签退。",
                                       timeout=30_000)
        expect(notice).to_contain_text("Dora Digest")
        assert "Xena" not in notice.inner_text()
        assert not ENGLISH_SENTENCE.search(notice.inner_text())
        screenshots(boss, "60-digest-zh")
    finally:
        context.close()
    page = desk.new_page()
    problems.watch(page)
    sign_in(page, stack.base_url, hr_user, PASSWORD)
    page.get_by_role("navigation").get_by_role("link", name="Notifications").click()
    notice = page.locator(".notice-list li").first
    expect(notice).to_contain_text(f"Missing check-outs on {yesterday.isoformat()}: 2 people",
                                   timeout=30_000)
    expect(notice).to_contain_text("Dora Digest (")
    expect(notice).to_contain_text("in at 09:15")
    screenshots(page, "60-digest")
    notice.get_by_role("link", name="Open that day's attendance").click()
    expect(page).to_have_url(f"{stack.base_url}/attendance?date={yesterday.isoformat()}")
    page.close()


def test_hr_assigns_a_shift_to_many_people_at_once_found_by_typing(
        desk: BrowserContext, stack: StackProcesses, office: Office, problems: Problems,
        screenshots: Callable[[Page, str], None]) -> None:
    """Three people found by typing part of their names, one shift from one day, one request;
    asked again, the whole request is refused with the names of those already assigned."""
    tag = office.suffix
    shift = office.call("POST", "/shifts", 201, json={
        "name": f"Bulk {tag}", "periods": [{"start": "06:00", "end": "14:00"}]})
    people = [office.employee(f"Bulkworker {tag} {n}") for n in range(3)]
    page = desk.new_page()
    problems.watch(page)
    sign_in(page, stack.base_url, "admin", "admin12345")
    page.get_by_role("navigation").get_by_role("link", name="Rules").click()
    assignments = page.get_by_role("region", name="Assignments")
    assignments.get_by_role("button", name="Assign to many").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Find a person").fill(f"Bulkworker {tag}")
    chooser = dialog.get_by_label("Employees", exact=True)
    expect(chooser.locator("option")).to_have_count(3, timeout=30_000)
    chooser.select_option([str(p["id"]) for p in people[:2]])
    # Searching for the third keeps the two chosen.
    dialog.get_by_label("Find a person").fill(f"Bulkworker {tag} 2")
    expect(chooser.locator("option")).to_have_count(3)
    chooser.select_option([str(p["id"]) for p in people])
    expect(dialog.get_by_text("3 chosen")).to_be_visible()
    dialog.get_by_label("Shift", exact=True).select_option(label=f"Bulk {tag}")
    dialog.get_by_label("From").fill("2026-12-07")
    screenshots(page, "62-bulk-assign")
    dialog.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("3 people assigned.", timeout=30_000)
    listed = office.call("GET", "/shift-assignments", params={"shift_id": shift["id"]})
    assert sorted(a["employee_id"] for a in listed["items"]) == sorted(p["id"] for p in people)

    assignments.get_by_role("button", name="Assign to many").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Find a person").fill(f"Bulkworker {tag} 1")
    chooser = dialog.get_by_label("Employees", exact=True)
    expect(chooser.locator("option")).to_have_count(1, timeout=30_000)
    chooser.select_option(str(people[1]["id"]))
    dialog.get_by_label("Shift", exact=True).select_option(label=f"Bulk {tag}")
    dialog.get_by_label("From").fill("2026-12-07")
    dialog.get_by_role("button", name="Assign", exact=True).click()
    expect(dialog.get_by_role("alert")).to_contain_text(
        f"Already assigned from 2026-12-07: Bulkworker {tag} 1", timeout=30_000)
    dialog.get_by_role("button", name="Cancel").click()
    assert office.call("GET", "/shift-assignments", params={"shift_id": shift["id"]})["total"] == 3
    page.close()


def test_hr_invites_an_employee_who_signs_up_from_the_link_once(
        desk_browser: Browser, desk: BrowserContext, stack: StackProcesses, office: Office,
        problems: Problems, screenshots: Callable[[Page, str], None]) -> None:
    ivy = office.employee(f"Ivy Invite {office.suffix}")
    address = f"ivy{office.suffix}@example.com"
    page = desk.new_page()
    problems.watch(page)
    sign_in(page, stack.base_url, "admin", "admin12345")
    page.goto(f"{stack.base_url}/employees/{ivy['id']}")
    account = page.get_by_role("region", name="Account")
    account.get_by_label("Their e-mail address").fill(address)
    account.get_by_label("Language of the e-mail").select_option("zh-CN")
    sent_at = time.time() - 1
    account.get_by_role("button", name="Send the invitation").click()
    expect(account.get_by_text(f"Invitation sent to {address}")).to_be_visible(timeout=30_000)
    (mail,) = mails_to(stack.stack.var_dir / "mail", address, sent_at)
    assert mail["Subject"] == "邀请您使用 FaceClock"
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    found = re.search(r"(http://\S+/accept-invitation\?token=[\w-]+)", body.get_content())
    assert found, body.get_content()
    invitation = found.group(1)
    page.close()

    zh = context_of(desk_browser, viewport=DESKTOP, locale="zh-CN")
    invitee = zh.new_page()
    problems.watch(invitee)
    try:
        invitee.goto(invitation)
        expect(invitee.get_by_role("heading", name="创建您的账户")).to_be_visible()
        screenshots(invitee, "63-accept-invitation-zh")
        invitee.get_by_label("用户名").fill(f"ivy{office.suffix}")
        invitee.get_by_label("密码", exact=True).fill(PASSWORD)
        invitee.get_by_role("button", name="创建账户").click()
        expect(invitee.get_by_role("button", name="退出登录")).to_be_visible()
        assert "token" not in invitee.url
        # Linked to her record: her own clock-in page is there (it needs a linked employee).
        expect(invitee.get_by_role("navigation").get_by_role("link", name="打卡")).to_be_visible()
        invitee.get_by_role("button", name="退出登录").click()
        # Signed out (the page goes to the sign-in form) before the link is opened again: a
        # link opened while signing out was left for the sign-in form.
        # exact: "登录" (sign in) is also inside "退出登录" (sign out), which is still on screen.
        expect(invitee.get_by_role("button", name="登录", exact=True)).to_be_visible()
        expect(invitee).to_have_url(re.compile(r"/login"))
        # The link worked once.
        invitee.goto(invitation)
        invitee.get_by_label("用户名").fill(f"ivy2{office.suffix}")
        invitee.get_by_label("密码", exact=True).fill(PASSWORD)
        invitee.get_by_role("button", name="创建账户").click()
        expect(invitee.get_by_role("alert")).to_contain_text("该邀请链接无效、已过期或已被使用")
    finally:
        zh.close()
    users = office.call("GET", "/users", params={"employee_id": ivy["id"]})["items"]
    assert [(u["username"], u["email"]) for u in users] == [(f"ivy{office.suffix}", address)]

    english = context_of(desk_browser, viewport=DESKTOP, locale="en-GB")
    page = english.new_page()
    problems.watch(page)
    page.goto(f"{stack.base_url}/accept-invitation?token=unknown")
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    screenshots(page, "63-accept-invitation")
    english.close()
