"""Why a delivery failed or was skipped, in words for people, in the console language.

The delivery log records what the sender saw: an SMTP reply ("550 5.1.1 no such user"),
a webhook's HTTP answer, or the name of the network error ("ConnectionRefusedError:
[Errno 111] Connection refused"). The console shows an SMTP or HTTP reply as it is,
prefixed with who gave it, and turns everything else into a plain reason here; what it
cannot recognise it shows without the exception's name.
"""

from __future__ import annotations

import re

Reason = tuple[str, str]  # English, Chinese

# Network and TLS errors, by the exception's class name (Python's and httpx's).
ERRORS: dict[str, Reason] = {
    "ConnectionRefusedError": ("The server refused the connection: it may be down.",
                               "服务器拒绝连接：可能已停止运行。"),
    "ConnectError": ("Could not connect to the server: it may be down.",
                     "无法连接到服务器：可能已停止运行。"),
    "SMTPConnectError": ("The mail server did not accept the connection.",
                         "邮件服务器不接受连接。"),
    "SMTPServerDisconnected": ("The mail server closed the connection before the message "
                               "was accepted.",
                               "邮件服务器在接受邮件前关闭了连接。"),
    "SMTPAuthenticationError": ("The mail server did not accept the sign-in.",
                                "邮件服务器拒绝了登录。"),
    "SMTPNotSupportedError": ("The mail server does not support what the sender needs "
                              "(such as STARTTLS).",
                              "邮件服务器不支持发送所需的功能（例如 STARTTLS）。"),
    "ConnectionResetError": ("The connection was reset by the server.",
                             "连接被服务器重置。"),
    "ConnectionAbortedError": ("The connection was aborted.", "连接被中断。"),
    "BrokenPipeError": ("The connection broke while sending.", "发送过程中连接断开。"),
    "TimeoutError": ("The server did not answer in time.", "服务器未及时响应。"),
    "timeout": ("The server did not answer in time.", "服务器未及时响应。"),
    "ReadTimeout": ("The server did not answer in time.", "服务器未及时响应。"),
    "ConnectTimeout": ("The server did not answer in time.", "服务器未及时响应。"),
    "WriteTimeout": ("The server did not answer in time.", "服务器未及时响应。"),
    "PoolTimeout": ("The server did not answer in time.", "服务器未及时响应。"),
    "gaierror": ("The server's name could not be found (DNS).", "无法解析服务器的域名（DNS）。"),
    "SSLError": ("The secure connection (TLS) could not be set up.", "无法建立安全连接（TLS）。"),
    "SSLCertVerificationError": ("The server's TLS certificate was not trusted.",
                                 "服务器的 TLS 证书不受信任。"),
    "RemoteProtocolError": ("The server answered in a way that could not be understood.",
                            "无法理解服务器的响应。"),
}
UNKNOWN_ERROR: Reason = ("The connection to the server failed.", "与服务器的连接失败。")

# Reasons recorded as plain English sentences: (pattern, English, Chinese); the Chinese
# takes the pattern's groups as {0}, {1}.
PLAIN: tuple[tuple[str, str, str], ...] = (
    (r"accepted by the server", "Accepted by the server.", "服务器已接受。"),
    (r"stored in the inbox", "Stored in Internal Messages.", "已存入站内信。"),
    (r"contact is pending verification",
     "The contact has not verified the email address yet.", "联系人尚未验证邮箱地址。"),
    (r"contact verification link expired",
     "The contact's verification link expired.", "联系人的验证链接已过期。"),
    (r"contact has no mobile", "The contact has no mobile number.", "联系人没有手机号。"),
    (r"mobile is pending verification",
     "The contact has not verified the mobile number yet.", "联系人尚未验证手机号。"),
    (r"mobile verification link expired",
     "The mobile's verification link expired.", "手机号的验证链接已过期。"),
    (r"another receiver has the same address",
     "Another receiver has the same email address: sent once.",
     "另一位接收人使用相同的邮箱地址：只发送一次。"),
    (r"another receiver has the same mobile",
     "Another receiver has the same mobile number: sent once.",
     "另一位接收人使用相同的手机号：只发送一次。"),
    (r"contact deleted", "The contact was deleted.", "联系人已被删除。"),
    (r"mobile removed", "The mobile number was removed.", "手机号已被删除。"),
    (r"superseded by a newer link", "A newer verification message replaced this one.",
     "已被更新的验证消息取代。"),
    (r"daily limit of (\d+) (\w+) messages per receiver reached",
     "The daily limit of {0} messages per receiver was reached.",
     "已达到每个接收人每日 {0} 条消息的上限。"),
    (r"message holds the denied keyword (.+)",
     "The message holds the denied keyword {0}.", "消息包含拒绝的关键词 {0}。"),
    (r"message holds none of the allowed keywords (.+)",
     "The message holds none of the allowed keywords ({0}).",
     "消息不包含任何允许的关键词（{0}）。"),
    (r"cannot resolve the webhook's host.*",
     "The webhook's host name could not be found (DNS).", "无法解析 Webhook 的主机名（DNS）。"),
    (r"invalid_webhook: .*",
     "The webhook's address is not allowed (a private or local address, or not a URL).",
     "Webhook 地址不被允许（私有或本地地址，或不是 URL）。"),
    (r"(?:cannot render|cannot compose) the message.*",
     "The message could not be prepared; the error was logged.", "无法生成消息；错误已记录。"),
    (r"unknown channel.*", "The channel does not exist.", "该渠道不存在。"),
    (r"no SMS access key configured.*",
     "No SMS access key is configured for sending SMS.", "未配置发送短信所需的 AccessKey。"),
)

_SMTP_REPLY = re.compile(r"^([245]\d\d)[ -]\S")
_HTTP_REPLY = re.compile(r"^HTTP \d{3}\b")
_ERROR_NAME = re.compile(r"^(?:timeout: )?([A-Za-z_][A-Za-z0-9_.]*(?:Error|Exception|Timeout|"
                         r"Disconnected|gaierror|timeout))(?::\s*(.*))?$", re.S)


def plain_reason(detail: str | None, language: str = "en", channel: str = "email") -> str:
    """The recorded detail of an attempt or a delivery as people read it."""
    if not detail:
        return ""
    text = detail.strip()
    zh = language == "zh"
    retry = re.fullmatch(r"will retry: (.*)", text, re.S)
    if retry:
        inner = plain_reason(retry.group(1), language, channel)
        return f"{inner}将自动重试。" if zh else f"{inner} It will be tried again."
    gave_up = re.fullmatch(r"gave up after (.+?) of failures: (.*)", text, re.S)
    if gave_up:
        inner = plain_reason(gave_up.group(2), language, channel)
        return f"多次重试后放弃（{gave_up.group(1)}）：{inner}" if zh else \
            f"Gave up after {gave_up.group(1)} of failures: {inner}"
    if _SMTP_REPLY.match(text):
        who = ("邮件服务器答复：" if zh else "The mail server replied: ") if channel == "email" \
            else ("服务器答复：" if zh else "The server replied: ")
        return who + text
    if _HTTP_REPLY.match(text):
        return ("服务器答复：" if zh else "The server replied: ") + text
    for pattern, en, chinese in PLAIN:
        found = re.fullmatch(pattern, text, re.S)
        if found:
            return (chinese if zh else en).format(*found.groups())
    named = _ERROR_NAME.match(text)
    if named:
        name = named.group(1).rsplit(".", 1)[-1]
        en, chinese = ERRORS.get(name, UNKNOWN_ERROR)
        return chinese if zh else en
    return text
