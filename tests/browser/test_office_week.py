"""Issue 15 ("an HR office's week, without surprises"), in a real browser through the real stack:
each test here failed on the code before its fix.

The people are set up through the API (that is not what is under test); what a person does and
sees happens in Chromium. The faces are of people test_flow.py does not enrol (Alex Lacamoire,
Rose Leslie), so both files can share one stack.
"""

# Chinese text uses full-width punctuation, which is correct there.
# ruff: noqa: RUF001

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, BrowserContext, Page, expect

from faceclock_dev.processes import StackProcesses
from faceclock_dev.testing import FACES_DIR

from .conftest import DESKTOP, SLOW, Problems, choose_employee, context_of, sign_in
from .office import ENGLISH_SENTENCE, PASSWORD, Office, mails_to

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]

TABLET = {"width": 1024, "height": 768}




def start_kiosk(browser: Browser, base: str, secret: str, problems: Problems
                ) -> tuple[BrowserContext, Page, list[float]]:
    """A kiosk tablet, and the moments it uploaded a frame to clock someone in."""
    context = browser.new_context(viewport=TABLET)
    kiosk = context.new_page()
    problems.watch(kiosk)
    uploads: list[float] = []
    kiosk.on("request", lambda r: uploads.append(time.monotonic())
             if r.method == "POST" and r.url.endswith("/api/v1/clock-ins") else None)
    kiosk.goto(f"{base}/kiosk")
    kiosk.get_by_label("Device secret").fill(secret)
    kiosk.get_by_role("button", name="Start the kiosk").click()
    expect(kiosk.locator("#kiosk-panel")).to_be_visible()
    return context, kiosk, uploads


def test_a_person_who_lingers_at_the_kiosk_is_clocked_once(
        launch: Callable[[str], Browser], stack: StackProcesses, office: Office,
        problems: Problems, screenshots: Callable[[Page, str], None]) -> None:
    """Defect 1: one face in front of the kiosk for 90 s makes exactly one punch; the kiosk
    does not keep uploading the same picture; seen again, the person is told they are already
    clocked in, with the time of their punch."""
    lobby = office.identifying_site("Lobby")
    alex = office.employee("Alex Lacamoire", site=lobby)
    office.enrol(alex, "people/alex_lacamoire/alex_lacamoire_1.jpg")
    secret = office.kiosk_secret(f"Lobby {office.suffix}", lobby)
    browser = launch("people/alex_lacamoire/alex_lacamoire_2.jpg")
    context, kiosk, uploads = start_kiosk(browser, stack.base_url, secret, problems)
    try:
        headline, detail = kiosk.locator("#kiosk-headline"), kiosk.locator("#kiosk-detail")
        expect(headline).to_have_text("Alex Lacamoire", timeout=SLOW)
        expect(detail).to_have_text(re.compile(r"^(In|Out) · \d\d:\d\d · \w"))
        punched = re.search(r"\d\d:\d\d", detail.inner_text() or "").group(0)  # type: ignore[union-attr]
        seen_at = time.monotonic()
        # He stays in view, perfectly still, for 90 s.
        kiosk.wait_for_timeout(90_000)
        assert len(office.punches_of(alex)) == 1
        after_first = [at for at in uploads if at > seen_at]
        assert len(after_first) <= 1, f"{len(after_first)} uploads of an unchanged picture"
        # A fresh kiosk page (say, after a restart) sends him once more: the server's cooldown
        # answers with his punch of 90 s ago, and the kiosk says so.
        kiosk.reload()
        expect(detail).to_have_text(f"Already clocked in at {punched}", timeout=SLOW)
        expect(headline).to_have_text("Alex Lacamoire")
        screenshots(kiosk, "40-kiosk-already-clocked-in")
        assert len(office.punches_of(alex)) == 1
    finally:
        context.close()


def _empty_hall(target: Path) -> Path:
    """A picture with contrast and no face: a corridor of coloured panels."""
    image = Image.new("RGB", (720, 720), (200, 196, 188))
    draw = ImageDraw.Draw(image)
    for i, colour in enumerate([(90, 110, 140), (160, 60, 50), (40, 120, 70), (230, 210, 90)]):
        draw.rectangle((40 + i * 170, 120, 160 + i * 170, 600), fill=colour)
    draw.rectangle((0, 620, 720, 720), fill=(60, 55, 50))
    image.save(target)
    return target


def test_the_kiosk_uploads_nothing_while_nobody_is_in_view(
        launch: Callable[[str], Browser], stack: StackProcesses, office: Office,
        problems: Problems, tmp_path: Path) -> None:
    """Defect 1: with nobody in view the kiosk used to upload a frame every ~2 s all day."""
    hall = office.identifying_site("Hall")
    office.enrol(office.employee("Lin-Manuel Miranda", site=hall),
                 "people/lin_manuel_miranda/lin_manuel_miranda_1.png")
    secret = office.kiosk_secret(f"Empty hall {office.suffix}", hall)
    browser = launch(str(_empty_hall(tmp_path / "hall.png")))
    context, kiosk, uploads = start_kiosk(browser, stack.base_url, secret, problems)
    try:
        expect(kiosk.locator("#kiosk-headline")).to_have_text("Look at the camera", timeout=SLOW)
        kiosk.wait_for_timeout(30_000)
        # One look to learn that the scene is empty, then nothing.
        assert len(uploads) <= 1, f"{len(uploads)} uploads in 30 s of an empty hall"
    finally:
        context.close()


def test_a_roll_call_of_one_department_counts_only_its_people(
        desk: BrowserContext, stack: StackProcesses, office: Office, problems: Problems,
        tmp_path: Path) -> None:
    """Defect 3: Rose (of the office) is in the photo of the floor's roll call: she is not
    present there, on the page or in the CSV (the floor's roll only looks among its people)."""
    floor = office.department("FLR", "Shop floor")
    back_office = office.department("BO", "Back office")
    rose = office.employee("Rose Leslie", back_office)
    office.enrol(rose, "people/rose_leslie/rose_leslie_1.jpg")
    worker = office.employee("Fern Floorworker", floor)
    page = desk.new_page()
    problems.watch(page)
    sign_in(page, stack.base_url, "admin", "admin12345")
    page.get_by_role("link", name="Roll call").click()
    page.get_by_label("Department").select_option(label=f"Shop floor ({floor['code']})")
    page.get_by_label(re.compile(r"^Photo \(JPEG")).set_input_files(FACES_DIR / "group/kit_with_rose.jpg")
    page.get_by_role("button", name="Call the roll").click()
    result = page.locator("#roll-result")
    expect(result.locator("svg.roll-overlay rect.face-box")).to_have_count(2, timeout=SLOW)
    expect(result.locator(".roll-present")).to_contain_text("(0)")
    expect(result.locator(".roll-present")).not_to_contain_text("Rose Leslie")
    expect(result.locator(".roll-absent")).to_contain_text(worker["name"])
    download_button = page.get_by_role("button", name="Download the roll-call CSV")
    expect(download_button).to_be_enabled(timeout=SLOW)
    with page.expect_download() as waiting:
        download_button.click()
    saved = tmp_path / waiting.value.suggested_filename
    waiting.value.save_as(saved)
    text = saved.read_text(encoding="utf-8-sig")
    assert "Rose Leslie" not in text
    assert worker["name"] in text
    page.close()


def test_naming_a_department_manager_gives_them_its_approval_queue(
        desk: BrowserContext, stack: StackProcesses, office: Office, problems: Problems,
        screenshots: Callable[[Page, str], None]) -> None:
    """Defect 2: HR names Mia manager of the workshop on the Departments page, and nothing
    else; Mia (an ordinary account) then sees and approves her team's leave request."""
    workshop = office.department("WS", "Workshop")
    mia = office.employee("Mia Manager", workshop)
    ted = office.employee("Ted Technician", workshop)
    username = f"mia{office.suffix}"
    office.account(username, mia)
    office.call("POST", "/leave-requests", 201, json={
        "employee_id": ted["id"], "leave_type": "sick", "start": "2026-12-14",
        "end": "2026-12-14", "reason": f"Dentist {office.suffix}"})
    page = desk.new_page()
    problems.watch(page)
    sign_in(page, stack.base_url, "admin", "admin12345")
    page.get_by_role("link", name="Departments").click()
    row = page.get_by_role("row").filter(has_text=workshop["code"])
    row.get_by_role("button", name="Edit").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Find a person").fill(mia["employee_no"])  # searches the server
    expect(dialog.get_by_label("Manager").locator("option")).to_have_count(2)  # and "None"
    dialog.get_by_label("Manager").select_option(label=f"Mia Manager · {mia['employee_no']}")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_role("row").filter(has_text=workshop["code"])).to_contain_text("Mia Manager")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, stack.base_url, username, PASSWORD)
    page.get_by_role("link", name="Requests").click()
    page.get_by_role("tab", name="To approve").click()
    pending = page.get_by_role("tabpanel").get_by_role("row").filter(has_text=f"Dentist {office.suffix}")
    expect(pending).to_contain_text("Ted Technician")
    screenshots(page, "41-manager-approvals")
    pending.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text("Approved.")
    page.get_by_role("button", name="Sign out").click()
    page.close()


def test_shift_times_are_shown_in_the_zone_the_explanation_speaks_of(
        desk_browser: Browser, stack: StackProcesses, office: Office, problems: Problems) -> None:
    """Defect 7: an employee in Asia/Shanghai, read from a browser in UTC: the periods and the
    explanation both say 08:00-12:00 (Shanghai), not 00:00-04:00 beside 08:00-12:00."""
    wang = office.call("POST", "/employees", 201, json={
        "employee_no": f"SH-{office.suffix}", "name": "王芳", "timezone": "Asia/Shanghai"})
    context = desk_browser.new_context(viewport=DESKTOP, locale="en-GB", timezone_id="UTC")
    page = context.new_page()
    problems.watch(page)
    try:
        sign_in(page, stack.base_url, "admin", "admin12345")
        page.goto(f"{stack.base_url}/attendance?date=2026-11-25")  # a Wednesday, long over
        choose_employee(page.get_by_role("tabpanel"), wang["name"], wang["employee_no"])
        row = page.get_by_role("tabpanel").get_by_role("row").filter(has_text=wang["name"])
        expect(row).to_have_count(1, timeout=SLOW)
        explanation = row.locator("td.explanation")
        expect(explanation).to_contain_text("08:00")
        expect(explanation.locator("li").first).to_have_text(re.compile("^08:00\u201312:00"))
    finally:
        context.close()


def test_the_rules_page_pages_and_searches_long_lists(
        desk: BrowserContext, stack: StackProcesses, office: Office, problems: Problems,
        screenshots: Callable[[Page, str], None]) -> None:
    """Defect 8: 45 shifts and 60 assignments; the page shows 20 of each with a search and
    Previous/Next instead of everything at once (it was 38,000 px tall)."""
    tag = office.suffix
    shifts = [office.call("POST", "/shifts", 201, json={
        "name": f"Rota {tag} {n:02d}", "periods": [{"start": "07:00", "end": "15:00"}]})
        for n in range(45)]
    people = [office.employee(f"Rota worker {tag} {n:02d}") for n in range(60)]
    for n, person in enumerate(people):
        office.call("POST", "/shift-assignments", 201, json={
            "employee_id": person["id"], "shift_id": shifts[n % 45]["id"], "from": "2026-12-01"})
    page = desk.new_page()
    problems.watch(page)
    sign_in(page, stack.base_url, "admin", "admin12345")
    page.get_by_role("link", name="Rules").click()
    shifts_box = page.get_by_role("region", name="Shifts")
    assignments_box = page.get_by_role("region", name="Assignments")
    expect(shifts_box.locator("tbody tr")).to_have_count(20)
    expect(assignments_box.locator("tbody tr")).to_have_count(20)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 6000, f"the rules page is {height} px tall"
    # Find one shift by name; the assignments of one person by their name.
    shifts_box.get_by_label("Find a shift").fill(f"Rota {tag} 07")
    shifts_box.get_by_role("button", name="Search").click()
    expect(shifts_box.locator("tbody tr")).to_have_count(1)
    assignments_box.get_by_label("Find by employee, department or shift").fill(f"Rota worker {tag} 52")
    assignments_box.get_by_role("button", name="Search").click()
    row = assignments_box.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(f"Rota {tag} 07")  # 52 % 45: the shift by name, not an id
    # An assignment is edited in place: a new end date.
    row.get_by_role("button", name="Edit").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("To").fill("2026-12-31")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_have_count(0)
    expect(assignments_box.locator("tbody tr")).to_contain_text("2026-12-31")
    # Paging: the second page of the assignments.
    assignments_box.get_by_label("Find by employee, department or shift").fill(f"Rota worker {tag}")
    assignments_box.get_by_role("button", name="Search").click()
    expect(assignments_box.get_by_text("1\u201320 of 60")).to_be_visible()
    assignments_box.get_by_role("button", name="Next").click()
    expect(assignments_box.get_by_text("21\u201340 of 60")).to_be_visible()
    screenshots(page, "42-rules-paged")
    page.close()


# Three lower-case English words in a row: how a server sentence looks ("no punch in the
# window", "already exists", "Input should be"); names and codes never look like that.
def test_a_chinese_reader_gets_no_english_sentence_from_the_server(
        desk_browser: Browser, stack: StackProcesses, office: Office, problems: Problems,
        screenshots: Callable[[Page, str], None]) -> None:
    """Defect 6: on a zh-CN page the server's text (a refused sign-in, the day's explanations,
    a refused form, a validation problem) is Chinese; this fails on any English sentence."""
    taken = office.employee("Taken Number")
    context = context_of(desk_browser, viewport=DESKTOP, locale="zh-CN", timezone_id="UTC")
    page = context.new_page()
    problems.watch(page)
    seen: list[str] = []

    def no_english(text: str) -> None:
        seen.append(text)
        assert not ENGLISH_SENTENCE.search(text), text

    try:
        page.goto(f"{stack.base_url}/login")
        page.get_by_label("用户名").fill("admin")
        page.get_by_label("密码", exact=True).fill("not the password")
        page.get_by_role("button", name="登录").click()
        alert = page.get_by_role("alert")
        expect(alert).to_be_visible()
        no_english(alert.inner_text())
        page.get_by_label("密码", exact=True).fill("admin12345")
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("heading", name="概览", level=1)).to_be_visible()
        # The day's explanations, for a finished weekday.
        page.goto(f"{stack.base_url}/attendance?date=2026-11-25")
        explanations = page.get_by_role("tabpanel").locator("td.explanation")
        expect(explanations.first).not_to_be_empty(timeout=SLOW)
        for text in explanations.all_inner_texts():
            no_english(text)
        assert any("时段" in text for text in seen), seen
        screenshots(page, "43-attendance-zh")
        # A refused form: that employee number is taken.
        page.get_by_role("navigation").get_by_role("link", name="员工").click()
        page.get_by_role("button", name="添加员工").click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_label("工号").fill(taken["employee_no"])
        dialog.get_by_label("姓名", exact=True).fill("重复的人")
        dialog.get_by_role("button", name="创建").click()
        refused = dialog.get_by_role("alert")
        expect(refused).to_be_visible()
        no_english(refused.inner_text())
        expect(refused).to_contain_text("工号")
    finally:
        context.close()


def test_leave_in_days_and_half_days_with_the_balance_refusals_and_withdrawal(
        desk_browser: Browser, desk: BrowserContext, stack: StackProcesses, office: Office,
        problems: Problems, screenshots: Callable[[Page, str], None]) -> None:
    """Leave as Frappe HRMS and Odoo users file it: whole days or a half day, the cost and the
    balance shown while filing, over-balance and overlap refused before anything is filed, in
    English and Chinese; a pending request withdrawn; the approver sees the balance."""
    team = office.department("LV", "Leave team")
    lena = office.employee("Lena Leave", team)
    boss = office.employee("Max Approver", team)
    office.call("PATCH", f"/departments/{team['id']}", json={"manager_employee_id": boss["id"]})
    office.call("PUT", "/leave-balances", json={
        "employee_id": lena["id"], "year": 2027, "leave_type": "annual", "entitled_days": 2})
    lena_user, boss_user = f"lena{office.suffix}", f"max{office.suffix}"
    office.account(lena_user, lena)
    office.account(boss_user, boss)

    page = desk.new_page()
    problems.watch(page)
    sign_in(page, stack.base_url, lena_user, PASSWORD)
    page.get_by_role("link", name="Requests").click()
    form = page.get_by_role("tabpanel")
    form.get_by_label("Leave type").select_option(label="Annual")
    form.get_by_label("Length").select_option(label="Whole days")
    form.get_by_label("From").fill("2027-03-01")  # a Monday
    form.get_by_label("To (included)").fill("2027-03-02")
    form.get_by_label("Reason").fill(f"Skiing {office.suffix}")
    preview = page.locator("#leave-preview")
    expect(preview).to_contain_text("This request: 2 days")
    expect(preview).to_contain_text(
        "Annual 2027: 2 days allocated, 0 days taken, 0 days pending, 2 days left.")
    expect(preview).to_contain_text("Left after this request: 0 days.")
    screenshots(page, "44-leave-filing")
    form.get_by_role("button", name="Submit the request").click()
    expect(form.get_by_text("The request was filed and waits for approval.")).to_be_visible()

    # A half day more is over the balance: said before filing, and refused on submit.
    form.get_by_label("Leave type").select_option(label="Annual")
    form.get_by_label("Length").select_option(label="Half a day")
    form.get_by_label("Date").fill("2027-03-03")
    form.get_by_label("Which half").select_option(label="Second half (afternoon)")
    form.get_by_label("Reason").fill("One more afternoon")
    expect(preview.get_by_role("alert")).to_have_text(
        "annual leave: 0.5 days requested, only 0 days left of 2 in 2027 (0 taken, 2 pending).")
    form.get_by_role("button", name="Submit the request").click()
    expect(form.locator(".message").get_by_role("alert")).to_contain_text("0.5 days requested")
    # Sick leave over a day already asked for overlaps it.
    form.get_by_label("Leave type").select_option(label="Sick")
    form.get_by_label("Length").select_option(label="Whole days")
    form.get_by_label("From").fill("2027-03-02")
    form.get_by_label("To (included)").fill("2027-03-02")
    expect(preview.get_by_role("alert")).to_contain_text(
        "This request overlaps pending annual leave request")
    assert office.call("GET", "/leave-requests", params={"employee_id": lena["id"]})["total"] == 1

    # She withdraws it (plans changed) and files the two days again.
    page.get_by_role("tab", name="My requests").click()
    mine = page.get_by_role("tabpanel").get_by_role("row").filter(has_text=f"Skiing {office.suffix}")
    expect(mine).to_contain_text("2027-03-01 – 2027-03-02 · 2 days")
    mine.get_by_role("button", name="Withdraw").click()
    page.get_by_role("dialog").get_by_role("button", name="Withdraw").click()
    expect(mine).to_contain_text("Withdrawn")
    expect(mine.get_by_role("button", name="Withdraw")).to_have_count(0)
    office.call("POST", "/leave-requests", 201, json={
        "employee_id": lena["id"], "leave_type": "annual", "start": "2027-03-01",
        "end": "2027-03-01", "half": "first", "reason": f"Dentist {office.suffix}"})
    page.get_by_role("button", name="Sign out").click()

    # Her manager sees what the request draws on before approving it.
    sign_in(page, stack.base_url, boss_user, PASSWORD)
    page.get_by_role("link", name="Requests").click()
    page.get_by_role("tab", name="To approve").click()
    pending = page.get_by_role("tabpanel").get_by_role("row").filter(has_text=f"Dentist {office.suffix}")
    expect(pending).to_contain_text("2027-03-01 · First half (morning) · 0.5 days")
    expect(pending.locator("td.leave-balance")).to_have_text(
        "Annual 2027: 2 days allocated, 0 days taken, 0.5 days pending, 1.5 days left.")
    screenshots(page, "45-leave-approval")
    pending.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text("Approved.")
    page.get_by_role("button", name="Sign out").click()
    page.close()

    # The same refusals in Chinese, with nothing English from the server.
    context = context_of(desk_browser, viewport=DESKTOP, locale="zh-CN", timezone_id="UTC")
    page = context.new_page()
    problems.watch(page)
    try:
        page.goto(f"{stack.base_url}/login")
        page.get_by_label("用户名").fill(lena_user)
        page.get_by_label("密码", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.get_by_role("navigation").get_by_role("link", name="申请").click()
        form = page.get_by_role("tabpanel")
        form.get_by_label("假期类型").select_option(label="年假")
        form.get_by_label("时长").select_option(label="全天")
        form.get_by_label("开始日期").fill("2027-03-04")
        form.get_by_label("结束日期（含）").fill("2027-03-05")
        alert = page.locator("#leave-preview").get_by_role("alert")
        expect(alert).to_have_text(
            "年假余额不足：本次申请 2 天，2027 年共 2 天（已休 0.5 天），只剩 1.5 天。")
        assert not ENGLISH_SENTENCE.search(alert.inner_text())
        form.get_by_label("结束日期（含）").fill("2027-03-04")
        preview = page.locator("#leave-preview")
        expect(preview).to_contain_text("本次申请：1 天")
        expect(preview).to_contain_text("年假 2027：额度 2 天，已休 0.5 天，待审批 0 天，剩余 1.5 天。")
        screenshots(page, "46-leave-filing-zh")
        form.get_by_label("开始日期").fill("2027-03-01")
        form.get_by_label("结束日期（含）").fill("2027-03-01")
        expect(alert).to_have_text("该申请与已批准的年假申请（2027-03-01 上半天）时间重叠。")
    finally:
        context.close()


def test_approvers_and_requesters_are_notified_in_the_list_and_by_email_in_their_language(
        desk_browser: Browser, desk: BrowserContext, stack: StackProcesses, office: Office,
        problems: Problems, screenshots: Callable[[Page, str], None]) -> None:
    """Nia files sick leave: Omar (her department's manager, reading Chinese) gets an e-mail in
    Chinese and a notice in his list; he turns e-mail off and approves; Nia gets the decision
    in English in her list and by e-mail; Nia's next request reaches Omar's list only."""
    team = office.department("NT", "Notice team")
    nia = office.employee("Nia Notice", team)
    omar = office.employee("Omar Boss", team)
    office.call("PATCH", f"/departments/{team['id']}", json={"manager_employee_id": omar["id"]})
    nia_user, omar_user = f"nia{office.suffix}", f"omar{office.suffix}"
    office.account(nia_user, nia)
    office.account(omar_user, omar)
    users = office.call("GET", "/users", params={"limit": 500})["items"]
    omar_account = next(u for u in users if u["username"] == omar_user)
    office.call("PATCH", f"/users/{omar_account['id']}", json={"language": "zh-CN"})
    mail_dir = stack.stack.var_dir / "mail"

    page = desk.new_page()
    problems.watch(page)
    sign_in(page, stack.base_url, nia_user, PASSWORD)
    page.get_by_role("link", name="Requests").click()
    form = page.get_by_role("tabpanel")
    form.get_by_label("Leave type").select_option(label="Sick")
    form.get_by_label("From").fill("2027-04-05")
    form.get_by_label("To (included)").fill("2027-04-05")
    form.get_by_label("Reason").fill(f"Flu {office.suffix}")
    filed_at = time.time() - 1
    form.get_by_role("button", name="Submit the request").click()
    expect(form.get_by_text("The request was filed and waits for approval.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    # By subject: his "account ready" mail, sent moments before, can land inside the second.
    (mail,) = mails_to(mail_dir, f"{omar_user}@example.com", filed_at, about="Nia Notice")
    assert mail["Subject"] == "Nia Notice提交了新的病假申请"
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None and "等待您审批：2027-04-05。" in body.get_content()

    context = context_of(desk_browser, viewport=DESKTOP, locale="zh-CN", timezone_id="UTC")
    boss = context.new_page()
    problems.watch(boss)
    try:
        boss.goto(f"{stack.base_url}/login")
        boss.get_by_label("用户名").fill(omar_user)
        boss.get_by_label("密码", exact=True).fill(PASSWORD)
        boss.get_by_role("button", name="登录").click()
        expect(boss.get_by_role("navigation").locator(".nav-count")).to_have_text("1")
        boss.get_by_role("navigation").get_by_role("link", name="通知").click()
        notice = boss.locator(".notice-list li").first
        expect(notice).to_contain_text("Nia Notice提交了病假申请，等待您审批：2027-04-05。")
        expect(notice.locator(".badge")).to_have_text("新")
        assert not ENGLISH_SENTENCE.search(notice.inner_text())
        screenshots(boss, "47-notifications-zh")
        boss.get_by_label("发送电子邮件").uncheck()
        boss.get_by_role("button", name="保存").click()
        expect(boss.get_by_role("status")).to_contain_text("已保存")
        boss.get_by_role("navigation").get_by_role("link", name="申请").click()
        boss.get_by_role("tab", name="待审批").click()
        row = boss.get_by_role("tabpanel").get_by_role("row").filter(has_text=f"Flu {office.suffix}")
        row.get_by_label("意见").fill("Get well")
        decided_at = time.time() - 1
        row.get_by_role("button", name="批准").click()
        expect(boss.get_by_role("status")).to_contain_text("已批准")
        # Opened once, the notice is read: the menu no longer counts it.
        expect(boss.get_by_role("navigation").locator(".nav-count")).to_have_count(0)
    finally:
        context.close()

    (mail,) = mails_to(mail_dir, f"{nia_user}@example.com", decided_at, about="approved")
    assert mail["Subject"] == "Your sick leave request was approved"
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    assert "Omar Boss approved the sick leave request of Nia Notice: 2027-04-05." in (
        body.get_content())
    sign_in(page, stack.base_url, nia_user, PASSWORD)
    page.get_by_role("link", name="Notifications").click()
    notice = page.locator(".notice-list li").first
    expect(notice).to_contain_text(
        "Omar Boss approved the sick leave request of Nia Notice: 2027-04-05.")
    expect(notice).to_contain_text("Comment: Get well")
    screenshots(page, "48-notifications")

    # Omar turned e-mail off: the next filing reaches his list only.
    again_at = time.time() - 1
    office.call("POST", "/leave-requests", 201, json={
        "employee_id": nia["id"], "leave_type": "sick", "start": "2027-04-12",
        "end": "2027-04-12", "reason": "Check-up"})
    admin_mail = mails_to(mail_dir, f"{omar_user}@example.com", again_at, timeout=8)
    assert admin_mail == []
    omar_token = httpx.post(f"{stack.base_url}/api/v1/auth/login", timeout=30, json={
        "username": omar_user, "password": PASSWORD}).json()["access_token"]
    listed = httpx.get(f"{stack.base_url}/api/v1/notifications", timeout=30,
                       headers={"Authorization": f"Bearer {omar_token}"}).json()
    assert listed["total"] == 2 and listed["unread"] == 1
    assert listed["items"][0]["request"]["summary"] == "2027-04-12"
    page.close()


def test_hr_imports_a_gbk_csv_and_an_xlsx_with_chinese_headers_from_the_template(
        desk_browser: Browser, stack: StackProcesses, office: Office, problems: Problems,
        tmp_path: Path, screenshots: Callable[[Page, str], None]) -> None:
    """What Chinese Excel writes: the template downloaded in Chinese, filled in and imported as
    .xlsx; a CSV saved as GBK imported as is; names come out as written."""
    from openpyxl import load_workbook

    tag = office.suffix.upper()
    context = context_of(desk_browser, viewport=DESKTOP, locale="zh-CN", timezone_id="UTC",
                                       accept_downloads=True)
    page = context.new_page()
    problems.watch(page)
    try:
        page.goto(f"{stack.base_url}/login")
        page.get_by_label("用户名").fill("admin")
        page.get_by_label("密码", exact=True).fill("admin12345")
        page.get_by_role("button", name="登录").click()
        page.get_by_role("navigation").get_by_role("link", name="员工").click()
        with page.expect_download() as waiting:
            page.get_by_role("button", name="下载导入模板（.xlsx）").click()
        assert waiting.value.suggested_filename == "员工导入模板.xlsx"
        template = tmp_path / "template.xlsx"
        waiting.value.save_as(template)
        book = load_workbook(template)
        sheet = book.worksheets[0]
        assert [c.value for c in sheet[1]][:3] == ["工号", "姓名", "部门编码"]
        sheet.delete_rows(2)
        sheet.append([f"X{tag}1", "周杰", None, None, "歌手", None, "2024-05-06", "在职"])
        sheet.append([f"X{tag}2", "", None, None, None, None, None, None])
        book.save(template)
        page.get_by_label("CSV 或 Excel 文件").set_input_files(template)
        page.get_by_role("button", name="导入", exact=True).click()
        expect(page.get_by_text("新建 1 条，更新 0 条，拒绝 1 行。")).to_be_visible()
        expect(page.locator(".import-report")).to_contain_text(f"X{tag}2")
        expect(page.locator(".import-report")).to_contain_text("请填写姓名。")
        assert not ENGLISH_SENTENCE.search(page.locator(".import-report").inner_text())
        screenshots(page, "49-import-xlsx-zh")

        gbk = tmp_path / "员工.csv"
        gbk.write_bytes(f"工号,姓名,状态\nG{tag}1,林晓,在职\nG{tag}2,黄磊,离职\n".encode("gbk"))
        page.get_by_label("CSV 或 Excel 文件").set_input_files(gbk)
        page.get_by_role("button", name="导入", exact=True).click()
        expect(page.get_by_text("新建 2 条，更新 0 条，拒绝 0 行。")).to_be_visible()
    finally:
        context.close()
    names = {e["employee_no"]: e for prefix in ("X", "G") for e in office.call(
        "GET", "/employees", params={"q": f"{prefix}{tag}", "limit": 50})["items"]}
    assert names[f"X{tag}1"]["name"] == "周杰" and names[f"X{tag}1"]["hired_on"] == "2024-05-06"
    assert names[f"G{tag}1"]["name"] == "林晓"
    assert (names[f"G{tag}2"]["name"], names[f"G{tag}2"]["status"]) == ("黄磊", "left")


def test_a_kiosk_tablet_is_paired_by_a_short_code(
        desk_browser: Browser, desk: BrowserContext, stack: StackProcesses, office: Office,
        problems: Problems, screenshots: Callable[[Page, str], None]) -> None:
    """The admin reads an 8-character code off the Administration page; typed on the tablet
    (lower case, without the dash) it starts the kiosk: no 47-character secret to copy."""
    page = desk.new_page()
    problems.watch(page)
    sign_in(page, stack.base_url, "admin", "admin12345")
    page.get_by_role("link", name="Administration").click()
    page.get_by_label("Device name").fill(f"Canteen {office.suffix}")
    page.get_by_role("button", name="Add kiosk").click()
    row = page.get_by_role("row").filter(has_text=f"Canteen {office.suffix}")
    row.get_by_role("button", name="Pairing code").click()
    shown = page.locator("#kiosk-pairing-code")
    expect(shown).to_have_text(re.compile(r"^[3-9A-Y]{4}-[3-9A-Y]{4}$"))
    code = shown.inner_text()
    screenshots(page, "50-kiosk-pairing-code")
    page.close()

    tablet = context_of(desk_browser, viewport=TABLET, locale="zh-CN")
    kiosk = tablet.new_page()
    problems.watch(kiosk)
    try:
        kiosk.goto(f"{stack.base_url}/kiosk")
        field = kiosk.get_by_label("配对码")
        field.fill("WRONG-CODE")
        kiosk.get_by_role("button", name="配对这台平板").click()
        expect(kiosk.get_by_role("alert")).to_have_text("配对码无效或已过期，请重新获取。")
        screenshots(kiosk, "51-kiosk-pairing-zh")
        field.fill(code.replace("-", "").lower())
        kiosk.get_by_role("button", name="配对这台平板").click()
        expect(kiosk.locator("#kiosk-panel")).to_be_visible()
        kiosk.reload()  # the tablet keeps its own secret
        expect(kiosk.locator("#kiosk-panel")).to_be_visible()
    finally:
        tablet.close()
    kiosks = office.call("GET", "/kiosks", params={"limit": 200})["items"]
    paired = next(k for k in kiosks if k["name"] == f"Canteen {office.suffix}")
    assert paired["last_used_at"] is not None
