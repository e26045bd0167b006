"""The console's words for every refusal: one sentence per error code, in English and Chinese.

The services refuse with a stable code and a message for developers (the API and the
scenario files show that message). People in the console read these sentences instead,
in the console language, with the code in small print for support. A code the field
makes clearer (``invalid_data`` on ``reason``) has its own sentence. tests/unit/
test_error_messages.py checks that every code has both sentences.
"""

from __future__ import annotations

import re
from typing import Any

from flask import current_app

from notify.rules import MAX_KEYWORD_LENGTH, MAX_KEYWORDS, MAX_PER_DAY
from notify.webhooks import MAX_NAME, MAX_SECRET
from workflow import limits
from workflow.config import Config
from workflow.errors import IcpsimError

Sentence = tuple[str, str]  # English, Chinese

MESSAGES: dict[str, Sentence] = {
    "invalid_name": ("Enter a name of 2 to 12 Chinese characters or letters.",
                     "请输入 2-12 个汉字或字母的姓名。"),
    "invalid_email": ("Enter a valid email address, such as name@example.com.",
                      "请输入有效的邮箱地址，例如 name@example.com。"),
    "invalid_title": ("Choose a title from the list.", "请从列表中选择职位。"),
    "invalid_mobile": ("Enter a mainland China mobile number: 11 digits starting with 1.",
                       "请输入中国大陆手机号：以 1 开头的 11 位数字。"),
    "contact_limit_reached": (
        "You already have %(contacts)s contacts, the most allowed. Delete one to add another.",
        "您已有 %(contacts)s 个联系人，已达上限。请先删除一个再添加。"),
    "duplicate_contact": (
        "This email address is already yours or another contact's: each contact needs its "
        "own address.",
        "该邮箱地址已是您或其他联系人的地址：每个联系人需要使用自己的邮箱地址。"),
    "unknown_contact": ("This contact does not exist, or was deleted. Reload the page.",
                        "该联系人不存在或已被删除。请刷新页面。"),
    "contact_not_verified": (
        "Only a verified contact can be selected. The contact must first open the link in "
        "the verification email.",
        "只能勾选已验证的联系人。联系人需要先打开验证邮件中的链接。"),
    "contact_already_verified": ("This contact is already verified; there is nothing to "
                                 "resend.",
                                 "该联系人已验证，无需重新发送。"),
    "link_invalid": ("This verification link no longer works. Ask the account owner to "
                     "resend the verification email.",
                     "该验证链接已失效。请账号所有者重新发送验证邮件。"),
    "resend_limited": ("Too many verification messages were sent recently. Try again "
                       "tomorrow.",
                       "近期发送的验证消息过多，请明天再试。"),
    "unknown_category": ("There is no such message type.", "不存在该消息类型。"),
    "invalid_channel": ("There is no such channel.", "不存在该接收渠道。"),
    "no_channel_selected": ("Choose at least one channel for this message type.",
                            "请为该消息类型至少选择一个接收渠道。"),
    "channel_required": ("This channel is required for this message type and cannot be "
                         "turned off.",
                         "该消息类型必须使用此渠道，不能关闭。"),
    "channel_unavailable": ("This message type cannot be sent through that channel.",
                            "该消息类型不支持此接收渠道。"),
    "invalid_transition": (
        "This action is not possible in the filing's current state. Reload the page to see "
        "what you can do now.",
        "备案当前状态下无法执行此操作。请刷新页面查看现在可执行的操作。"),
    "invalid_data": ("Some information is missing or not valid. Check the marked field.",
                     "部分信息缺失或无效，请检查标出的字段。"),
    "unknown_filing": ("There is no such filing in your account.", "您的账号下没有该备案。"),
    "duplicate_filing": ("You already have a filing with this order ID. Choose another one.",
                         "您已有使用该订单号的备案，请换一个订单号。"),
    "conflict": ("This filing changed after you opened the page. Reload the page and try "
                 "again.",
                 "在您打开页面后，该备案已发生变化。请刷新页面后重试。"),
    "unknown_account": ("There is no such account.", "不存在该账号。"),
    "invalid_account": ("This account ID is not valid, or it is already taken.",
                        "该账号 ID 无效或已被使用。"),
    "invalid_language": ("Choose English or Chinese as the message language.",
                         "请选择英文或中文作为消息语言。"),
    "unknown_message": ("This message does not exist, or was deleted.",
                        "该消息不存在或已被删除。"),
    "too_many_attempts": ("Too many failed sign-ins with this account ID. Wait up to 15 "
                          "minutes and try again.",
                          "该账号 ID 登录失败次数过多。请最多等待 15 分钟后重试。"),
    "clock_not_simulated": ("The clock can be moved only when the simulator runs on a "
                            "simulated clock.",
                            "只有模拟器使用模拟时钟运行时才能调整时钟。"),
    "unknown_access_key": ("There is no such AccessKey.", "不存在该 AccessKey。"),
    "owner_not_changeable": ("The account owner cannot be changed, deleted or verified as a "
                             "contact.",
                             "账号所有者不能作为联系人被修改、删除或验证。"),
    "mobile_not_set": ("This contact has no mobile number to verify.",
                       "该联系人没有可验证的手机号。"),
    "invalid_webhook": (
        "Check the webhook: a name, a type from the list, and a public http:// or https:// "
        "address.",
        "请检查 Webhook：名称、列表中的类型，以及公网 http:// 或 https:// 地址。"),
    "duplicate_webhook": ("You already have a webhook with this name. Choose another one.",
                          "您已有同名的 Webhook，请换一个名称。"),
    "unknown_webhook": ("There is no such webhook in your account.",
                        "您的账号下没有该 Webhook。"),
    "webhook_limit_reached": (
        "You already have %(webhooks)s webhooks, the most allowed. Delete one to add another.",
        "您已有 %(webhooks)s 个 Webhook，已达上限。请先删除一个再添加。"),
    "invalid_limit": (
        "Enter each daily limit as a whole number from 1 to %(per_day)s, or leave it empty "
        "for no limit.",
        "每日上限请填写 1 到 %(per_day)s 之间的整数，留空表示不限制。"),
    "invalid_hours": ("Choose receive hours from 00 to 23, or none for any time.",
                      "请选择 00 到 23 之间的接收时段，都不选表示任何时间。"),
    "no_verification_sms": ("No verification SMS was found for this mobile number.",
                            "未找到发往该手机号的验证短信。"),
    "calendar_out_of_range": ("The simulation reaches years that China's holiday calendar "
                              "does not cover yet.",
                              "模拟时间超出了中国节假日日历覆盖的年份。"),
    "cannot_listen": ("The console cannot start on this address: the port is already in "
                      "use.",
                      "控制台无法在该地址启动：端口已被占用。"),
    "unknown_delivery": ("There is no such delivery in your account.",
                         "您的账号下没有该投递记录。"),
    "not_failed": ("Only a failed delivery can be retried.", "只能重试失败的投递。"),
    "not_retryable": ("This delivery cannot be retried here. For a verification email, use "
                      "Resend on Manage Contacts.",
                      "此投递无法在这里重试。验证邮件请在联系人管理中重新发送。"),
    "no_verification_email": ("No verification email was found for this address.",
                              "未找到发往该地址的验证邮件。"),
    "invalid_config": ("A setting of the simulator has a value that cannot be read. Check "
                       "the settings it was started with.",
                       "模拟器的某项设置值无法读取。请检查启动时使用的设置。"),
    "schema_missing": ("The database is not set up yet: run icpsim db upgrade first.",
                       "数据库尚未初始化：请先运行 icpsim db upgrade。"),
    "action_not_permitted": ("This action is for the other role: the filing owner or the "
                             "reviewer.",
                             "此操作属于另一方：备案所有者或审核员。"),
}

# Where the field says more than the code: (code, field) -> sentence.
BY_FIELD: dict[tuple[str, str], Sentence] = {
    ("invalid_data", "reason"): ("Add a reason for the rejection.", "请填写驳回原因。"),
    ("invalid_data", "icp_number"): ("Enter the ICP number the authority assigned.",
                                     "请填写管局分配的备案号。"),
    ("invalid_data", "items"): (
        "List the unqualified items, one per line (at most %(items)s).",
        "请填写不合格项，每行一项（最多 %(items)s 项）。"),
    ("invalid_data", "deadline_days"): (
        "Enter the deadline as a whole number of days from 1 to %(deadline_days)s.",
        "期限请填写 1 到 %(deadline_days)s 之间的整数天数。"),
    ("invalid_data", "filing_id"): ("Enter an order ID of 1 to 64 letters, digits, _ or -.",
                                    "订单号请使用 1-64 位字母、数字、_ 或 -。"),
    ("invalid_data", "type"): ("Choose a filing type from the list.",
                               "请从列表中选择备案类型。"),
    ("invalid_data", "website"): ("Enter the website's name.", "请填写网站名称。"),
    ("invalid_data", "domain"): ("Enter a domain name such as example.cn.",
                                 "请输入域名，例如 example.cn。"),
    ("invalid_data", "version"): ("This page is out of date. Reload it and try again.",
                                  "页面已过期。请刷新后重试。"),
    ("invalid_data", "keywords"): (
        "Keywords: at most %(keywords)s words, each of at most %(keyword_length)s characters, "
        "separated by commas.",
        "关键词：最多 %(keywords)s 个，每个最多 %(keyword_length)s 个字符，以逗号分隔。"),
    ("invalid_data", "receiver"): ("Choose a receiver from the list.",
                                   "请从列表中选择接收人。"),
    ("invalid_webhook", "name"): ("Enter a webhook name of 1 to %(webhook_name)s characters.",
                                  "Webhook 名称请使用 1 到 %(webhook_name)s 个字符。"),
    ("invalid_webhook", "type"): ("Choose a webhook type from the list.",
                                  "请从列表中选择 Webhook 类型。"),
    ("invalid_webhook", "secret"): (
        "A secret has at most %(webhook_secret)s printable characters.",
        "密钥最多 %(webhook_secret)s 个可打印字符。"),
}



def facts() -> dict[str, Any]:
    """The numbers some sentences quote: the running console's limits, else the defaults."""
    config = Config()
    if current_app:
        from .services import services

        config = services().config
    return {"contacts": config.max_contacts, "webhooks": config.max_webhooks,
            "per_day": MAX_PER_DAY, "items": limits.ITEMS.maximum,
            "deadline_days": limits.DEADLINE_DAYS.maximum, "webhook_name": MAX_NAME,
            "webhook_secret": MAX_SECRET, "keywords": MAX_KEYWORDS,
            "keyword_length": MAX_KEYWORD_LENGTH}


# Refusals whose message names a time or a wait: the sentence quotes it (the services
# already write times in the account's zone, labelled).
BY_FACT: dict[str, tuple[re.Pattern[str], Sentence]] = {
    "resend_limited": (re.compile(r"try again after (?P<again>.+)$"), (
        "A verification message was resent moments ago. Try again after %(again)s.",
        "刚刚重新发送过验证消息。请在 %(again)s 之后再试。")),
    "too_many_attempts": (re.compile(r"try again in (?P<minutes>\d+) minute"), (
        "Too many failed sign-ins with this account ID. Try again in %(minutes)s minutes.",
        "该账号 ID 登录失败次数过多。请在 %(minutes)s 分钟后重试。")),
}


def sentence(code: str, field: str | None = None, language: str = "en",
             message: str = "") -> str | None:
    """The sentence for a code (and field), or None for a code the catalog does not know."""
    values = facts()
    pair = BY_FIELD.get((code, field or "")) or MESSAGES.get(code)
    if code in BY_FACT:
        found = BY_FACT[code][0].search(message)
        if found:
            pair, values = BY_FACT[code][1], {**values, **found.groupdict()}
    if pair is None:
        return None
    text = pair[1] if language == "zh" else pair[0]
    return text % values if "%(" in text else text


def describe(exc: IcpsimError, language: str = "en") -> str:
    """What the console says for a refusal: the catalog's sentence, else the message."""
    return sentence(exc.code, exc.field, language, exc.message) or exc.message
