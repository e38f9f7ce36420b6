"""The reset and notification e-mails, HTML and plain text, in English and Chinese."""

# Chinese text uses full-width punctuation, which is correct there.
# ruff: noqa: RUF001

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import TYPE_CHECKING

from jinja2 import Environment, select_autoescape

if TYPE_CHECKING:
    from datetime import date

    from faceclock_common.contracts import MissingCheckout, RequestFacts

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "reset_subject": "Reset your FaceClock password",
        "greeting": "Hello {username},",
        "reset_intro": "Someone asked to reset the password of your FaceClock account. "
                       "If it was you, open this link within {minutes} minutes:",
        "reset_button": "Choose a new password",
        "reset_ignore": "If it was not you, ignore this e-mail: your password stays as it is. "
                        "The link works once.",
        "changed_subject": "Your FaceClock password was changed",
        "changed_body": "The password of your FaceClock account was changed on {when} (UTC). "
                        "Every session was signed out.",
        "changed_warning": "If you did not do this, reset your password at once and tell "
                           "your administrator.",
        "welcome_subject": "Your FaceClock account is ready",
        "welcome_body": "Your FaceClock account {username} was created with this e-mail "
                        "address. Sign in with the password you chose.",
        "taken_subject": "Your FaceClock registration",
        "taken_body": "Someone asked to create a FaceClock account named {username} with this "
                      "e-mail address, but that user name is taken. Register again with "
                      "another name.",
        "not_you": "If it was not you, ignore this e-mail.",
        "filed_subject": "New {kind} request from {employee}",
        "filed_body": "{employee} has a new {kind} request waiting for your decision: {what}.",
        "approved_subject": "Your {kind} request was approved",
        "approved_body": "{decider} approved the {kind} request of {employee}: {what}.",
        "rejected_subject": "Your {kind} request was rejected",
        "rejected_body": "{decider} rejected the {kind} request of {employee}: {what}.",
        "note": "Comment: {note}",
        "open_button": "Open FaceClock",
        "unsubscribe": "You can turn these e-mails off on the Notifications page.",
        "someone": "An approver",
        "kind_leave": "leave", "kind_business_trip": "business trip",
        "kind_overtime": "overtime", "kind_correction": "missing punch",
        "digest_subject": "Missing check-outs on {day}: {count}",
        "digest_body": "These people checked in on {day} and did not check out:",
        "digest_person": "{name} ({number}){department}, in at {time}",
        "digest_person_no_time": "{name} ({number}){department}",
        "digest_hint": "A missing punch request or a correction in Attendance fixes a day.",
        "invite_subject": "You are invited to FaceClock",
        "invite_greeting": "Hello {username},",
        "invite_body": "You are invited to create your FaceClock account; it will be linked to "
                       "your employee record. Open this link within {days} days to choose a "
                       "user name and password (it works once):",
        "invite_button": "Create my account",
        "signature": "FaceClock",
    },
    "zh-CN": {
        "reset_subject": "重置您的 FaceClock 密码",
        "greeting": "{username}，您好：",
        "reset_intro": "有人请求重置您的 FaceClock 账户密码。"
                       "如果是您本人，请在 {minutes} 分钟内打开以下链接：",
        "reset_button": "设置新密码",
        "reset_ignore": "如果不是您本人操作，请忽略此邮件，您的密码不会改变。该链接只能使用一次。",
        "changed_subject": "您的 FaceClock 密码已更改",
        "changed_body": "您的 FaceClock 账户密码已于 {when}（UTC）更改，所有会话均已退出登录。",
        "changed_warning": "如果这不是您本人的操作，请立即重置密码并联系管理员。",
        "welcome_subject": "您的 FaceClock 账户已创建",
        "welcome_body": "已使用此电子邮件地址创建 FaceClock 账户 {username}，请用您设置的密码登录。",
        "taken_subject": "您的 FaceClock 注册",
        "taken_body": "有人使用此电子邮件地址申请创建名为 {username} 的 FaceClock 账户，"
                      "但该用户名已被占用。请换一个用户名重新注册。",
        "not_you": "如果不是您本人操作，请忽略此邮件。",
        "filed_subject": "{employee}提交了新的{kind}申请",
        "filed_body": "{employee}提交了{kind}申请，等待您审批：{what}。",
        "approved_subject": "您的{kind}申请已批准",
        "approved_body": "{decider}批准了{employee}的{kind}申请：{what}。",
        "rejected_subject": "您的{kind}申请已驳回",
        "rejected_body": "{decider}驳回了{employee}的{kind}申请：{what}。",
        "note": "审批意见：{note}",
        "open_button": "打开 FaceClock",
        "unsubscribe": "您可以在“通知”页面关闭这类邮件。",
        "someone": "审批人",
        "kind_leave": "请假", "kind_business_trip": "出差",
        "kind_overtime": "加班", "kind_correction": "补卡",
        "digest_subject": "{day} 未签退：{count} 人",
        "digest_body": "以下人员在 {day} 已签到但未签退：",
        "digest_person": "{name}（{number}）{department}，{time} 签到",
        "digest_person_no_time": "{name}（{number}）{department}",
        "digest_hint": "可通过补卡申请或在“考勤”中更正当天记录。",
        "invite_subject": "邀请您使用 FaceClock",
        "invite_greeting": "{username}，您好：",
        "invite_body": "邀请您创建 FaceClock 账户，该账户将关联到您的员工档案。"
                       "请在 {days} 天内打开以下链接，设置用户名和密码（链接只能使用一次）：",
        "invite_button": "创建我的账户",
        "signature": "FaceClock",
    },
}

_HTML = """<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ subject }}</title></head>
<body style="font-family: sans-serif; line-height: 1.5">
{% for paragraph in before %}<p>{{ paragraph }}</p>
{% endfor %}{% if link %}<p><a href="{{ link }}">{{ button }}</a></p>
<p style="font-size: small">{{ link }}</p>
{% endif %}{% for paragraph in after %}<p>{{ paragraph }}</p>
{% endfor %}<p>{{ signature }}</p>
</body></html>
"""

_TEXT = """{% for paragraph in before %}{{ paragraph }}

{% endfor %}{% if link %}{{ link }}

{% endif %}{% for paragraph in after %}{{ paragraph }}

{% endfor %}{{ sig_delimiter }}
{{ signature }}
"""

_env = Environment(autoescape=select_autoescape(default=True), keep_trailing_newline=True)
_html = _env.from_string(_HTML)
_text = Environment(autoescape=False, keep_trailing_newline=True).from_string(_TEXT)  # noqa: S701 - plain text part, never rendered as HTML


@dataclass(frozen=True)
class Recipient:
    username: str
    email: str
    language: str
    # Registration only: the name asked for belongs to someone else.
    taken: bool = False


def _texts(language: str) -> dict[str, str]:
    return TEXTS.get(language, TEXTS["en"])


def _compose(recipient: Recipient, sender: str, subject: str, before: list[str],
             after: list[str], link: str | None, button: str) -> EmailMessage:
    texts = _texts(recipient.language)
    context = {"lang": recipient.language, "subject": subject, "before": before, "after": after,
               "link": link, "button": button, "signature": texts["signature"],
               # RFC 3676 signature separator: dash dash space.
               "sig_delimiter": "-- "}
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = recipient.email
    message.set_content(_text.render(context))
    message.add_alternative(_html.render(context), subtype="html")
    # After the parts: set_content drops every Content-* header already on the message.
    message["Content-Language"] = recipient.language
    return message


def reset_message(recipient: Recipient, *, sender: str, link: str, minutes: int) -> EmailMessage:
    texts = _texts(recipient.language)
    return _compose(
        recipient, sender, texts["reset_subject"],
        before=[texts["greeting"].format(username=recipient.username),
                texts["reset_intro"].format(minutes=minutes)],
        after=[texts["reset_ignore"]], link=link, button=texts["reset_button"],
    )


def changed_message(recipient: Recipient, *, sender: str, when: datetime) -> EmailMessage:
    texts = _texts(recipient.language)
    return _compose(
        recipient, sender, texts["changed_subject"],
        before=[texts["greeting"].format(username=recipient.username),
                texts["changed_body"].format(when=when.strftime("%Y-%m-%d %H:%M"))],
        after=[texts["changed_warning"]], link=None, button="",
    )


def welcome_message(recipient: Recipient, *, sender: str) -> EmailMessage:
    texts = _texts(recipient.language)
    return _compose(recipient, sender, texts["welcome_subject"],
                    before=[texts["welcome_body"].format(username=recipient.username)],
                    after=[texts["not_you"]], link=None, button="")


def name_taken_message(recipient: Recipient, *, sender: str) -> EmailMessage:
    """To the address given with a registration whose user name was taken: only its owner
    learns that (registration answers the same either way)."""
    texts = _texts(recipient.language)
    return _compose(recipient, sender, texts["taken_subject"],
                    before=[texts["taken_body"].format(username=recipient.username)],
                    after=[texts["not_you"]], link=None, button="")


# Leave types as seeded (attendance's catalogue); a type added later keeps its code.
LEAVE_TYPES = {
    "en": {"annual": "annual leave", "sick": "sick leave", "personal": "personal leave",
           "unpaid": "unpaid leave"},
    "zh-CN": {"annual": "年假", "sick": "病假", "personal": "事假", "unpaid": "无薪假"},
}


def request_message(recipient: Recipient, *, sender: str, event: str, request: RequestFacts,
                    link: str) -> EmailMessage:
    """A request filed (to its approvers) or decided (to whoever filed it), in the reader's
    language."""
    texts = _texts(recipient.language)
    kind = texts[f"kind_{request.kind}"]
    if request.kind == "leave" and request.leave_type:
        kind = LEAVE_TYPES.get(recipient.language, LEAVE_TYPES["en"]).get(
            request.leave_type, request.leave_type)
    words = {"kind": kind, "employee": request.employee_name, "what": request.summary,
             "decider": request.decided_by_name or texts["someone"]}
    verb = event.removeprefix("request_")
    before = [texts["greeting"].format(username=recipient.username),
              texts[f"{verb}_body"].format(**words)]
    if request.note:
        before.append(texts["note"].format(note=request.note))
    return _compose(recipient, sender, texts[f"{verb}_subject"].format(**words), before=before,
                    after=[texts["unsubscribe"]], link=link, button=texts["open_button"])


def digest_message(recipient: Recipient, *, sender: str, day: date,
                   people: list[MissingCheckout], link: str) -> EmailMessage:
    """One day's missing check-outs in the reader's scope, one line per person."""
    texts = _texts(recipient.language)
    separator = " · " if recipient.language == "en" else "，"
    lines = []
    for person in people:
        words = {"name": person.name, "number": person.employee_no, "time": person.checked_in,
                 "department": separator + person.department if person.department else ""}
        key = "digest_person" if person.checked_in else "digest_person_no_time"
        lines.append(texts[key].format(**words))
    return _compose(recipient, sender,
                    texts["digest_subject"].format(day=day.isoformat(), count=len(people)),
                    before=[texts["greeting"].format(username=recipient.username),
                            texts["digest_body"].format(day=day.isoformat()), *lines,
                            texts["digest_hint"]],
                    after=[texts["unsubscribe"]], link=link, button=texts["open_button"])


def invitation_message(recipient: Recipient, *, sender: str, link: str,
                       days: int) -> EmailMessage:
    """HR's invitation; `recipient.username` is the employee's name (no account yet)."""
    texts = _texts(recipient.language)
    return _compose(recipient, sender, texts["invite_subject"],
                    before=[texts["invite_greeting"].format(username=recipient.username),
                            texts["invite_body"].format(days=days)],
                    after=[texts["not_you"]], link=link, button=texts["invite_button"])
