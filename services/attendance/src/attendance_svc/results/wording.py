"""Explanations in the reader's language.

The rules engine writes (and stores) each day's explanation in one fixed English grammar (see
rules/day.py): "; "-separated parts, a period's part being "period N HH:MM-HH:MM: note, note".
For a Chinese reader each part is rewritten by the patterns below at read time, so a stored day
needs no second copy. A part no pattern knows is left as it is (and a test reads the whole
grammar, so a new sentence in the engine shows up there).
"""

from __future__ import annotations

import re
from collections.abc import Callable

STATUS_ZH = {
    "present": "出勤", "late": "迟到", "early_leave": "早退", "late_and_early_leave": "迟到且早退",
    "absent": "缺勤", "half_day": "半天", "leave": "请假", "business_trip": "出差",
    "holiday": "休息日", "pending": "待定", "not_employed": "未入职",
}
LEAVE_ZH = {
    "annual": "年假", "sick": "病假", "personal": "事假", "unpaid": "无薪假", "marriage": "婚假",
    "maternity": "产假", "bereavement": "丧假",
}

_HM = r"(\d\d:\d\d)"
_N = r"(\d+(?:\.\d+)?)"


def _status(word: str) -> str:
    return STATUS_ZH.get(word, word)


def _leave(what: str) -> str:
    if what == "business trip":
        return "出差"
    if what == "leave":
        return "请假"
    kind = what.removesuffix(" leave")
    return LEAVE_ZH.get(kind, kind)


_WHEN = r"(\d{4}-\d\d-\d\d(?:\.\.\d{4}-\d\d-\d\d)?|\d\d:\d\d-\d\d:\d\d)"
_POLICY_ZH = {
    "first_last": "首末打卡", "every_period": "每个时段打卡",
    "first_last, worked by pairs": "首末打卡，按成对计时",
    "every_period, worked by pairs": "每个时段打卡，按成对计时",
}
_HALF_ZH = {"first": "上半天", "second": "下半天", "morning": "上午", "afternoon": "下午"}
_OVERTIME_RULE_ZH = {"inside approved overtime": "在已批准的加班内",
                     "counted without approval": "无需审批即计入"}


def _late(what: str) -> str:
    return "首次签到" if what == "first in" else "休息后返回"


_NOTES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(rf"^(leave|business_trip): approved (.+) {_WHEN} covers the period$"),
     lambda m: f"{_status(m[1])}：已批准的{_leave(m[2])} {m[3]} 覆盖该时段"),
    (re.compile(rf"^(leave|business_trip): approved (.+) {_HM}-{_HM} overlaps the period$"),
     lambda m: f"{_status(m[1])}：已批准的{_leave(m[2])} {m[3]}-{m[4]} 覆盖该时段"),
    (re.compile(r"^half day of (\w+) \((\w+) half, (\d+) min\)$"),
     lambda m: f"半天{_leave(m[1])}（{_HALF_ZH.get(m[2], m[2])}，{m[3]} 分钟）"),
    (re.compile(rf"^pending: no punch yet, the window is open until {_HM}$"),
     lambda m: f"待定：尚未打卡，打卡窗口开放至 {m[1]}"),
    (re.compile(rf"^absent: no punch in the window {_HM}-{_HM}$"),
     lambda m: f"缺勤：打卡窗口 {m[1]}-{m[2]} 内没有打卡"),
    (re.compile(rf"^absent: (first in|back in) {_HM} is {_N} min after the start {_HM}, "
                rf"more than {_N} min$"),
     lambda m: f"缺勤：{_late(m[1])} {m[2]}，比开始时间 {m[4]} 晚 {m[3]} 分钟，超过 {m[5]} 分钟"),
    (re.compile(rf"^(late|late_from_break): (first in|back in) {_HM}, start {_HM}, "
                rf"grace {_N} min( \(core hours\))?$"),
     lambda m: (f"{'迟到' if m[1] == 'late' else '休息后迟到'}：{_late(m[2])} {m[3]}，开始时间 {m[4]}，"
                f"宽限 {m[5]} 分钟{'（核心时间）' if m[6] else ''}")),
    (re.compile(rf"^missing check-out: only one punch \({_HM}\)( in the window)?$"),
     lambda m: f"缺少签退：只有一次打卡（{m[1]}）"),
    (re.compile(rf"^missing check-out: no check-out after {_HM}$"),
     lambda m: f"缺少签退：{m[1]} 之后没有签退"),
    (re.compile(rf"^automatic check-out at {_HM} \(auto_checkout\)$"),
     lambda m: f"自动签退于 {m[1]}"),
    (re.compile(rf"^absent: last out {_HM} is {_N} min before the end {_HM}, more than {_N} min$"),
     lambda m: f"缺勤：最后签退 {m[1]}，比下班时间 {m[3]} 早 {m[2]} 分钟，超过 {m[4]} 分钟"),
    (re.compile(rf"^early leave: last out {_HM}, end {_HM}, grace {_N} min( \(core hours\))?$"),
     lambda m: (f"早退：最后签退 {m[1]}，下班时间 {m[2]}，宽限 {m[3]} 分钟"
                f"{'（核心时间）' if m[4] else ''}")),
    (re.compile(rf"^early leave: {_N} min short of the required hours$"),
     lambda m: f"早退：比要求的工时少 {m[1]} 分钟"),
    (re.compile(rf"^absent: first in {_HM} after its end \(punch policy first_last\)$"),
     lambda m: f"缺勤：首次签到 {m[1]} 晚于时段结束（首末打卡）"),
    (re.compile(rf"^absent: last out {_HM} before its start \(punch policy first_last\)$"),
     lambda m: f"缺勤：最后签退 {m[1]} 早于时段开始（首末打卡）"),
    (re.compile(r"^absent: no punch \(punch policy first_last\)$"),
     lambda m: "缺勤：没有打卡（首末打卡）"),
    (re.compile(rf"^present: in {_HM}, out {_HM}$"),
     lambda m: f"出勤：签到 {m[1]}，签退 {m[2]}"),
    (re.compile(rf"^present: in {_HM}$"), lambda m: f"出勤：签到 {m[1]}"),
    (re.compile(r"^holiday: no shift scheduled$"), lambda m: "休息日：没有排班"),
    (re.compile(r"^holiday: rest day of the roster$"), lambda m: "休息日：排班表中的休息日"),
    (re.compile(r"^holiday (.+) worked \(work_on_holidays\)$"),
     lambda m: f"节假日 {m[1]} 照常上班"),
    (re.compile(r"^holiday: (.+)$"), lambda m: f"节假日：{m[1]}"),
    (re.compile(rf"^worked {_HM}-{_HM} \({_N} min\), {_N} min counted as overtime$"),
     lambda m: f"工作 {m[1]}-{m[2]}（{m[3]} 分钟），{m[4]} 分钟计为加班"),
    (re.compile(rf"^worked {_HM}-{_HM} \({_N} min\)$"),
     lambda m: f"工作 {m[1]}-{m[2]}（{m[3]} 分钟）"),
    (re.compile(rf"^{_N} min inside approved overtime$"),
     lambda m: f"其中 {m[1]} 分钟在已批准的加班内"),
    (re.compile(rf"^half day: {_N} of {_N} periods absent$"),
     lambda m: f"半天：{m[2]} 个时段中 {m[1]} 个缺勤"),
    (re.compile(rf"^half day: worked {_N} min, less than (?:half_day_hours )?{_N} h$"),
     lambda m: f"半天：工作 {m[1]} 分钟，少于 {m[2]} 小时"),
    (re.compile(rf"^absent: worked {_N} min, less than absent_below_hours {_N} h$"),
     lambda m: f"缺勤：工作 {m[1]} 分钟，少于 {m[2]} 小时"),
    (re.compile(rf"^overtime: {_N} min worked outside the periods "
                r"(inside approved overtime|counted without approval)$"),
     lambda m: f"加班：时段外工作 {m[1]} 分钟，{_OVERTIME_RULE_ZH[m[2]]}"),
    (re.compile(rf"^overtime: {_N} min in intervals shorter than the minimum of {_N} min "
                r"not counted$"),
     lambda m: f"加班：{m[1]} 分钟因单段不足 {m[2]} 分钟未计入"),
    (re.compile(rf"^overtime: {_N} min rounded down to a multiple of {_N} min$"),
     lambda m: f"加班：{m[1]} 分钟按 {m[2]} 分钟的倍数向下取整"),
    (re.compile(rf"^flexible: {_N} min worked of {_N} h required$"),
     lambda m: f"弹性工时：要求 {m[2]} 小时，已工作 {m[1]} 分钟"),
    (re.compile(r"^flexible day: (\w+) covers the day$"),
     lambda m: f"弹性工作日：{_status(m[1])}覆盖全天"),
    (re.compile(r"^not_employed: hired on (\S+)$"), lambda m: f"未入职：入职日期 {m[1]}"),
    (re.compile(r"^not_employed: left on (\S+)$"), lambda m: f"已离职：离职日期 {m[1]}"),
    (re.compile(r"^(\w+): shift (.+) on (\d{4}-\d\d-\d\d) \(punch policy (.+)\)$"),
     lambda m: f"{_status(m[1])}：班次 {m[2]}，{m[3]}（{_POLICY_ZH.get(m[4], m[4])}）"),
    (re.compile(r"^(\w+): shift (.+) on (\d{4}-\d\d-\d\d)$"),
     lambda m: f"{_status(m[1])}：班次 {m[2]}，{m[3]}"),
]
_PERIOD = re.compile(rf"^period (\d+) {_HM}-{_HM}: (.*)$")


def _note(text: str) -> str:
    for pattern, render in _NOTES:
        found = pattern.match(text)
        if found:
            return render(found)
    return text


def _part(text: str) -> str:
    period = _PERIOD.match(text)
    if period is None:
        # A whole part may be one note with commas ("half day: worked 240 min, less than 5 h")
        # or several ("worked 09:00-11:00 (120 min), 60 min inside approved overtime").
        whole = _note(text)
        return whole if whole != text else "，".join(_note(note) for note in text.split(", "))
    notes = "，".join(_note(note) for note in _split_notes(period[4]))
    return f"第 {period[1]} 时段 {period[2]}-{period[3]}：{notes}"


def _split_notes(text: str) -> list[str]:
    """A period's notes are joined by ", ", but some notes contain ", " themselves ("late:
    first in 08:06, start 08:00, grace 5 min"): a new note starts with "word(s):"."""
    notes: list[str] = []
    for piece in text.split(", "):
        if notes and not re.match(r"^[a-z_ -]+: ", piece):
            notes[-1] += ", " + piece
        else:
            notes.append(piece)
    return notes


def explanation_for(text: str, language: str) -> str:
    if language != "zh-CN" or not text:
        return text
    return "；".join(_part(part) for part in text.split("; "))
