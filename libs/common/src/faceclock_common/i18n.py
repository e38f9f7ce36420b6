"""Server text in the reader's language (English or Simplified Chinese).

The language comes from the request's Accept-Language (the web UI sends the one its reader
chose). Error messages are looked up by their stable `code`; the English message a service wrote
stays as it is for English readers, and a Chinese reader gets the catalogue's sentence for the
code. Validation errors are turned into plain sentences from pydantic's error type, never its
raw phrasing ("Value error, ...", "path.employee_id: Input should be ...").
"""

from __future__ import annotations

from typing import Any

LANGUAGES = ("en", "zh-CN")


def negotiate(accept_language: str | None) -> str:
    """"zh-CN" when the first language the reader accepts is any Chinese, else "en"."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if not tag or tag == "*":
            continue
        return "zh-CN" if tag.startswith("zh") else "en"
    return "en"


# code -> Chinese sentence. English readers keep each service's own (English) message.
ERRORS_ZH: dict[str, str] = {
    "already_decided": "该申请已经处理过了。",
    "ambiguous_face": "这张脸与多名员工过于相似，无法确定是谁；请换一张照片或使用工号和 PIN。",
    "bad_csv": "无法读取该文件：请使用带表头的 CSV（UTF-8 或 GBK）或 .xlsx 文件。",
    "bad_image": "无法读取该图片：请使用 JPEG 或 PNG 照片。",
    "bad_path": "地址无效。",
    "bad_request": "请求无效。",
    "claim_code_expired": "该打卡码已过期，请在手机应用中重新显示。",
    "claim_code_invalid": "这不是 FaceClock 考勤机打卡码。",
    "claim_codes_unavailable": "考勤机打卡码暂不可用：网关未设置客户端密钥。",
    "conflict": "与现有数据冲突。",
    "database_unavailable": "数据库暂时不可用，请稍后再试。",
    "duplicate_department_code": "该部门编码已存在。",
    "duplicate_employee_no": "该工号已存在。",
    "duplicate_holiday": "该日期已是节假日。",
    "duplicate_shift_name": "已有同名班次。",
    "duplicate_site_name": "已有同名地点。",
    "employee_already_linked": "该员工已关联到另一个账户。",
    "employee_inactive": "该员工已离职。",
    "empty_image": "图片是空的。",
    "face_mismatch": "照片中的人脸不是当前登录的员工。",
    "forbidden": "您没有权限执行此操作。",
    "idempotency_key_reused": "该请求标识已用于另一个请求。",
    "image_required": "请附上一张照片。",
    "image_too_large": "图片太大（最大 8 MB）。",
    "insufficient_leave_balance": "假期余额不足。",
    "internal_error": "服务器出错了，请稍后再试。",
    "invalid_client": "客户端无效。",
    "invalid_credentials": "用户名或密码错误。",
    "invalid_device": "设备密钥无效或已被撤销。",
    "invalid_invitation": "该邀请链接无效、已过期或已被使用，请向人事索取新链接。",
    "invalid_pairing_code": "配对码无效或已过期，请重新获取。",
    "invalid_refresh_token": "登录已过期，请重新登录。",
    "invalid_token": "登录已过期，请重新登录。",
    "kiosk_binding_conflict": "该考勤机已绑定到其他地点。",
    "kiosk_revoked": "该考勤机已被撤销，请新增一台。",
    "last_admin": "不能移除最后一位管理员。",
    "manual_clock_in_disabled": "此处不允许使用工号和 PIN 打卡。",
    "method_not_allowed": "不支持该操作。",
    "multiple_faces": "照片中有多张脸；请一次一人。",
    "no_claim_code": "画面中没有读到打卡码，请把手机拿近并保持稳定。",
    "no_department": "您没有管理任何部门。",
    "no_employee": "您的账号没有关联员工。",
    "no_face": "照片中没有找到人脸。",
    "not_found": "未找到。",
    "overlapping_leave": "该时间段与已有的请假重叠。",
    "overlapping_request": "该时间段与已有的请假或出差申请重叠。",
    "own_filing": "提交申请的人不能同时审批该申请，请由其他人审批。",
    "own_request": "您不能审批自己的申请。",
    "payload_too_large": "文件太大。",
    "punch_in_future": "打卡时间不能在未来。",
    "rate_limited": "请求过于频繁，请稍后再试。",
    "recognition_error": "人脸识别出错，请重试。",
    "recognition_unavailable": "人脸识别服务暂时不可用，请稍后再试。",
    "registration_closed": "目前不开放注册。",
    "report_expired": "该报表已过期，请重新生成。",
    "report_not_ready": "报表尚未生成完毕。",
    "service_unavailable": "服务暂时不可用，请稍后再试。",
    "site_in_use": "该地点仍在使用中，无法删除。",
    "site_not_found": "没有该地点。",
    "too_many_attempts": "错误次数过多，请稍后再试。",
    "too_many_pixels": "图片像素太多（最多 4000 万像素）。",
    "too_many_reports": "正在生成的报表太多，请稍后再试。",
    "unauthorized": "请先登录。",
    "unknown_department": "该部门不存在。",
    "unknown_employee": "该员工不存在。",
    "unknown_face": "这张脸与任何已登记的员工都不匹配。",
    "unknown_site": "该地点不存在。",
    "unsupported_media_type": "不支持该文件类型。",
    "username_taken": "该用户名已被使用。",
    "validation_error": "输入有误，请检查后重试。",
    "weak_password": "密码太弱：请使用更长、更难猜的密码（至少 10 个字符）。",
    "wrong_password": "当前密码不正确。",
}
_NOT_FOUND_ZH = "未找到该记录（可能已被删除）。"

# Field names as a person reads them; others are shown with their underscores as spaces.
_FIELDS: dict[str, tuple[str, str]] = {
    "employee_id": ("Employee", "员工"), "employee_ids": ("Employees", "员工"),
    "employee_no": ("Employee no.", "工号"),
    "department_id": ("Department", "部门"), "shift_id": ("Shift", "班次"),
    "name": ("Name", "姓名"), "code": ("Code", "编码"), "email": ("E-mail address", "电子邮箱"),
    "start": ("Start", "开始"), "end": ("End", "结束"), "from": ("From", "起始日期"),
    "to": ("To", "截止日期"), "date": ("Date", "日期"), "reason": ("Reason", "事由"),
    "password": ("Password", "密码"), "username": ("User name", "用户名"), "pin": ("PIN", "PIN"),
    "timezone": ("Time zone", "时区"), "hours": ("Hours", "小时数"), "image": ("Photo", "照片"),
    "periods": ("Periods", "时段"), "leave_type": ("Leave type", "假期类型"),
    "limit": ("Page size", "每页条数"), "offset": ("Offset", "起始位置"),
}

# pydantic error type -> (English, Chinese) sentence about {field}; {limit} from its context.
_VALIDATION: dict[str, tuple[str, str]] = {
    "missing": ("{field} is required.", "请填写{field}。"),
    "int_parsing": ("{field} must be a whole number.", "{field}必须是整数。"),
    "int_type": ("{field} must be a whole number.", "{field}必须是整数。"),
    "int_from_float": ("{field} must be a whole number.", "{field}必须是整数。"),
    "float_parsing": ("{field} must be a number.", "{field}必须是数字。"),
    "float_type": ("{field} must be a number.", "{field}必须是数字。"),
    "bool_parsing": ("{field} must be yes or no.", "{field}必须是“是”或“否”。"),
    "greater_than": ("{field} must be more than {limit}.", "{field}必须大于 {limit}。"),
    "greater_than_equal": ("{field} must be at least {limit}.", "{field}不能小于 {limit}。"),
    "less_than": ("{field} must be less than {limit}.", "{field}必须小于 {limit}。"),
    "less_than_equal": ("{field} must be at most {limit}.", "{field}不能大于 {limit}。"),
    "string_too_short": ("{field} is too short (at least {limit} characters).",
                         "{field}太短（至少 {limit} 个字符）。"),
    "string_too_long": ("{field} is too long (at most {limit} characters).",
                        "{field}太长（最多 {limit} 个字符）。"),
    "too_short": ("{field} needs at least {limit} entries.", "{field}至少需要 {limit} 项。"),
    "too_long": ("{field} has too many entries (at most {limit}).", "{field}的项数太多（最多 {limit} 项）。"),
    "string_pattern_mismatch": ("{field} is not in the expected form.", "{field}的格式不正确。"),
    "string_type": ("{field} must be text.", "{field}必须是文本。"),
    "date_parsing": ("{field} must be a date (YYYY-MM-DD).", "{field}必须是日期（YYYY-MM-DD）。"),
    "date_from_datetime_parsing": ("{field} must be a date (YYYY-MM-DD).",
                                   "{field}必须是日期（YYYY-MM-DD）。"),
    "datetime_parsing": ("{field} must be a date and time.", "{field}必须是日期和时间。"),
    "datetime_from_date_parsing": ("{field} must be a date and time.", "{field}必须是日期和时间。"),
    "time_parsing": ("{field} must be a time (HH:MM).", "{field}必须是时间（HH:MM）。"),
    "literal_error": ("{field} must be one of: {limit}.", "{field}必须是以下之一：{limit}。"),
    "enum": ("{field} must be one of: {limit}.", "{field}必须是以下之一：{limit}。"),
    "extra_forbidden": ("{field} is not expected here.", "不接受{field}这一项。"),
    "json_invalid": ("The request is not valid JSON.", "请求不是有效的 JSON。"),
    "model_attributes_type": ("The request body must be an object.", "请求内容必须是一个对象。"),
    "dict_type": ("The request body must be an object.", "请求内容必须是一个对象。"),
    "list_type": ("{field} must be a list.", "{field}必须是列表。"),
    # Our own validators' types (PydanticCustomError), for rules a person must be told plainly.
    "pin_format": ("{field} must be 4 to 8 digits.", "{field}必须是 4 到 8 位数字。"),
    "weak_pin": ("{field} is too easy to guess: not one digit repeated (1111), a run (1234, "
                 "4321) or a repeated pair (1212).",
                 "{field}太容易被猜到：不能是同一个数字重复（1111）、连续数字（1234、4321）或重复的"
                 "两位数字（1212）。"),
}
_LIMIT_KEYS = ("gt", "ge", "lt", "le", "min_length", "max_length", "expected")
_FALLBACK = ("{field} is not valid.", "{field}的值无效。")
_NO_FIELD = ("The request is not valid.", "请求无效。")


def field_label(location: str, language: str) -> str:
    """`location` as the error handler writes it ("employee_id", "periods.0.start"): the last
    named part, in words."""
    names = [part for part in location.split(".") if part and not part.isdigit()]
    name = names[-1] if names else ""
    known = _FIELDS.get(name)
    if known:
        return known[1] if language == "zh-CN" else known[0]
    return name.replace("_", " ")


def validation_sentence(location: str, error_type: str, context: dict[str, Any],
                        message: str, language: str) -> str:
    """One clear sentence for one pydantic error. A `value_error` is our own validator's text,
    already a sentence in English (its "Value error, " prefix removed); for Chinese readers it
    becomes the generic sentence for the field."""
    field = field_label(location, language)
    zh = language == "zh-CN"
    if error_type in ("value_error", "assertion_error") and not zh:
        text = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
        text = text[:1].upper() + text[1:]
        return f"{field[:1].upper() + field[1:]}: {text}" if field else text
    english, chinese = _VALIDATION.get(error_type, _FALLBACK)
    if not field and "{field}" in english:
        english, chinese = _NO_FIELD
    limit = next((context[key] for key in _LIMIT_KEYS if key in context), "")
    sentence = (chinese if zh else english).format(field=field, limit=limit)
    return sentence[:1].upper() + sentence[1:]


# Leave types as the seeded catalogue names them; a type HR adds keeps its code.
LEAVE_TYPES_ZH = {"annual": "年假", "sick": "病假", "personal": "事假", "unpaid": "无薪假",
                  "marriage": "婚假", "maternity": "产假/陪产假", "bereavement": "丧假"}
_STATUS_ZH = {"pending": "待审批", "approved": "已批准"}
_HALF_ZH = {"first": "上半天", "second": "下半天"}


def _number(value: Any) -> str:
    return f"{float(value):g}"


def _leave_name_zh(kind: Any, leave_type: Any) -> str:
    if kind == "business_trip":
        return "出差"
    return LEAVE_TYPES_ZH.get(str(leave_type), str(leave_type))


def _balance_zh(p: dict[str, Any]) -> str:
    unit = "天" if p["unit"] == "day" else "小时"
    pending = f"，{_number(p['pending'])} {unit}待审批" if p["pending"] else ""
    return (f"{_leave_name_zh('leave', p['leave_type'])}余额不足：本次申请 "
            f"{_number(p['requested'])} {unit}，{p['year']} 年共 {_number(p['entitled'])} "
            f"{unit}（已休 {_number(p['taken'])} {unit}{pending}），只剩 "
            f"{_number(max(float(p['left']), 0))} {unit}。")


def _overlap_zh(p: dict[str, Any]) -> str:
    start, end = p["other_start"], p["other_end"]
    span = start if start == end else f"{start} 至 {end}"
    if p.get("other_half"):
        span += f" {_HALF_ZH.get(p['other_half'], p['other_half'])}"
    return (f"该申请与{_STATUS_ZH.get(p['other_status'], p['other_status'])}的"
            f"{_leave_name_zh(p['other_kind'], p['other_leave_type'])}申请（{span}）时间重叠。")


def _assignment_exists_zh(p: dict[str, Any]) -> str:
    return f"以下员工已有从 {p['day']} 开始的排班：{'、'.join(p['names'])}。请改为编辑这些排班。"


def _unknown_employees_zh(p: dict[str, Any]) -> str:
    return f"员工不存在：{'、'.join(map(str, p['employee_ids']))}。"


# Codes whose Chinese sentence is built from the details the error carries (its `extra`).
_DETAILED_ZH = {"insufficient_leave_balance": _balance_zh, "overlapping_request": _overlap_zh,
                "assignment_exists": _assignment_exists_zh,
                "unknown_employee": _unknown_employees_zh}


def error_message(code: str, message: str, language: str,
                  details: dict[str, Any] | None = None) -> str:
    """The message of an error answer for the reader; `details` (the error's extra fields)
    complete the sentences that name numbers or dates."""
    if language != "zh-CN":
        return message
    if code in _DETAILED_ZH and details:
        try:
            return _DETAILED_ZH[code](details)
        except (KeyError, TypeError, ValueError):
            pass  # details of another shape: the plain sentence for the code
    if code in ERRORS_ZH:
        return ERRORS_ZH[code]
    if code.endswith("_not_found"):
        return _NOT_FOUND_ZH
    return "操作未能完成，请检查后重试。"
