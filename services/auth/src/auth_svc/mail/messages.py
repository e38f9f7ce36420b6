"""The reset and notification e-mails, HTML and plain text, in English and Chinese."""

# Chinese text uses full-width punctuation, which is correct there.
# ruff: noqa: RUF001

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from jinja2 import Environment, select_autoescape

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
