"""The message catalog as data: sections, categories, channels and their default states."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from workflow.limits import excerpt

from .errors import UnknownCategory

CHANNELS = ("email", "internal", "sms", "webhook")
CHANNEL_NAMES = {
    "email": {"en": "Email", "zh": "邮件"},
    "internal": {"en": "Internal Messages", "zh": "站内信"},
    "sms": {"en": "SMS", "zh": "短信"},
    "webhook": {"en": "Webhook", "zh": "Webhook"},
}
# required: always on; unavailable: not offered; on / off: the user's choice (default).
STATES = ("required", "unavailable", "on", "off")
ICP_FILING = "icp_filing"


@dataclass(frozen=True)
class Category:
    key: str
    section: str
    name_en: str
    name_zh: str
    email: str = "on"
    internal: str = "on"
    sms: str = "unavailable"
    webhook: str = "unavailable"

    def name(self, language: str = "en") -> str:
        return self.name_zh if language == "zh" else self.name_en

    @property
    def defaults(self) -> dict[str, str]:
        """Channel -> default state, in catalog channel order."""
        return {"email": self.email, "internal": self.internal, "sms": self.sms,
                "webhook": self.webhook}


@dataclass(frozen=True)
class Section:
    key: str
    name_en: str
    name_zh: str
    categories: tuple[Category, ...]

    def name(self, language: str = "en") -> str:
        return self.name_zh if language == "zh" else self.name_en


def _section(key: str, en: str, zh: str, *rows: tuple[str, ...]) -> Section:
    """Rows: key, English and Chinese names, then email, internal[, sms, webhook] states."""
    cats = tuple(Category(k, key, cen, czh, *states) for k, cen, czh, *states in rows)
    return Section(key, en, zh, cats)


SECTIONS: tuple[Section, ...] = (
    _section("account", "Account Message", "账号消息",
             ("account_security", "Account security", "账号安全", "required", "required",
              "required", "unavailable"),
             ("account_balance", "Balance alerts", "余额预警", "on", "on", "off", "off"),
             ("real_name", "Real-name verification", "实名认证", "on", "off")),
    _section("product", "Product Message", "产品消息",
             ("product_expiration", "Product expiration", "产品到期", "required", "on"),
             ("product_updates", "Product updates and releases", "产品更新与发布", "off", "on"),
             (ICP_FILING, "ICP filing notifications", "ICP备案通知", "on", "on", "off", "off")),
    _section("security", "Security Message", "安全消息",
             ("security_events", "Security events", "安全事件", "required", "required",
              "on", "off"),
             ("vulnerability_alerts", "Vulnerability alerts", "漏洞预警", "on", "on")),
    _section("fault", "Fault Message", "故障消息",
             ("service_faults", "Cloud service faults", "云产品故障", "on", "on", "off", "on"),
             ("planned_maintenance", "Planned maintenance", "计划内运维", "on", "off")),
    _section("activity", "Activity Message", "活动消息",
             ("promotions", "Promotions and offers", "优惠活动", "off", "on"),
             ("events", "Events and webinars", "活动与直播", "unavailable", "on")),
    _section("service", "Service Message", "服务消息",
             ("ticket_updates", "Ticket updates", "工单进展", "on", "on"),
             ("surveys", "Satisfaction surveys", "满意度调查", "unavailable", "off")),
)

_BY_KEY = {c.key: c for s in SECTIONS for c in s.categories}


def categories() -> list[Category]:
    return list(_BY_KEY.values())


def get_category(key: str) -> Category:
    """The category ``key``; an unknown key raises ``unknown_category``."""
    try:
        return _BY_KEY[key]
    except (KeyError, TypeError):
        raise UnknownCategory(
            f"message category {excerpt(key)} does not exist", field="category"
        ) from None


def effective_channels(category: Category, saved: Mapping[str, bool]) -> dict[str, str]:
    """Channel -> state: fixed states win; ``on``/``off`` follow the saved choice if any."""
    states: dict[str, str] = {}
    for channel, default in category.defaults.items():
        if default in ("required", "unavailable") or channel not in saved:
            states[channel] = default
        else:
            states[channel] = "on" if saved[channel] else "off"
    return states


def enabled(states: Mapping[str, str]) -> list[str]:
    """The channels that deliver, in catalog order."""
    return [c for c in CHANNELS if states.get(c) in ("required", "on")]


__all__ = [
    "CHANNELS",
    "CHANNEL_NAMES",
    "ICP_FILING",
    "SECTIONS",
    "STATES",
    "Category",
    "Section",
    "categories",
    "effective_channels",
    "enabled",
    "get_category",
]
