"""Report files in the reader's language: column titles and status words.

A report is written later, by a worker, so the language the reader asked in (Accept-Language at
creation) is kept in the report's parameters as `language`. English files stay exactly as they
were; Chinese files get Chinese titles and words. Explanations come from attendance already in
the language asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

COLUMNS_ZH = {
    "Employee ID": "员工ID", "Employee No": "工号", "Name": "姓名", "Department": "部门",
    "Status": "状态", "Time": "时间", "Date": "日期", "Final": "已结束",
    "Scheduled (min)": "计划（分钟）", "Late (min)": "迟到（分钟）",
    "Early leave (min)": "早退（分钟）", "Worked (min)": "工作（分钟）",
    "Overtime (min)": "加班（分钟）", "Leave (min)": "请假（分钟）",
    "Leave by type (min)": "各类假期（分钟）", "Business trip (min)": "出差（分钟）",
    "Missing check-outs": "缺少签退", "Explanation": "说明", "Month": "月份",
    "Days present": "出勤天数", "Days absent": "缺勤天数", "Half days": "半天数",
    "Late count": "迟到次数", "Early leave count": "早退次数", "Leave days": "请假天数",
    "Leave hours": "请假小时", "Leave hours by type": "各类假期小时",
    "Business trip days": "出差天数", "Holidays": "节假日", "Overtime hours": "加班小时",
    "Worked hours": "工作小时", "Days counted": "统计天数", "Punch ID": "打卡ID",
    "Kind": "类型", "Source": "来源", "Device": "设备",
}
WORDS_ZH = {
    "present": "出勤", "absent": "缺勤", "late": "迟到", "early_leave": "早退",
    "late_and_early_leave": "迟到且早退", "half_day": "半天", "leave": "请假",
    "business_trip": "出差", "holiday": "休息日", "pending": "待定", "not_employed": "未入职",
    "on_time": "准时", "recorded": "已记录（班次外）", "in": "签到", "out": "签退",
    "live": "人脸打卡", "manual": "工号和PIN", "device": "设备", "import": "导入",
    "correction": "补卡", "True": "是", "False": "否", "yes": "是", "no": "否",
    "annual": "年假", "sick": "病假", "personal": "事假", "unpaid": "无薪假", "marriage": "婚假",
    "maternity": "产假", "bereavement": "丧假",
}
WORDS_EN = {"present": "present", "absent": "absent"}


def columns(titles: Sequence[str], language: str) -> list[str]:
    if language != "zh-CN":
        return list(titles)
    return [COLUMNS_ZH.get(title, title) for title in titles]


def word(value: Any, language: str) -> Any:
    """A status, kind or source code as the reader reads it (English files keep the code)."""
    if language != "zh-CN" or value is None:
        return value
    return WORDS_ZH.get(str(value), value)
