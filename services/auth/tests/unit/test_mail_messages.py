"""Reset and notification e-mails: HTML + plain text, English and Chinese, escaped."""

from __future__ import annotations

from datetime import UTC, datetime

from auth_svc.mail.messages import Recipient, changed_message, reset_message

LINK = "https://faceclock.example/reset-password?token=abc"


def parts(message) -> tuple[str, str]:
    plain = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return plain, html


def test_english_reset_mail_has_both_parts_and_the_link() -> None:
    message = reset_message(Recipient("alice", "a@example.com", "en"), sender="FC <n@x>",
                            link=LINK, minutes=30)
    plain, html = parts(message)
    assert message["Subject"] == "Reset your FaceClock password"
    assert message["To"] == "a@example.com"
    assert LINK in plain and "30 minutes" in plain
    assert f'href="{LINK}"' in html
    assert "<html lang=\"en\">" in html


def test_chinese_reset_mail() -> None:
    message = reset_message(Recipient("li", "l@example.com", "zh-CN"), sender="FC <n@x>",
                            link=LINK, minutes=30)
    plain, html = parts(message)
    assert message["Subject"] == "重置您的 FaceClock 密码"
    assert "30 分钟" in plain
    assert LINK in plain and LINK in html
    assert message["Content-Language"] == "zh-CN"


def test_user_names_are_escaped_in_html() -> None:
    message = changed_message(Recipient("<b>x</b>", "x@example.com", "en"), sender="FC <n@x>",
                              when=datetime(2026, 1, 2, 3, 4, tzinfo=UTC))
    plain, html = parts(message)
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert "2026-01-02 03:04" in plain


def test_unknown_language_falls_back_to_english() -> None:
    message = changed_message(Recipient("x", "x@example.com", "fr"), sender="FC <n@x>",
                              when=datetime(2026, 1, 2, tzinfo=UTC))
    assert message["Subject"] == "Your FaceClock password was changed"
