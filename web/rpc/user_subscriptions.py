"""Notifications 2024-12-25 user subscriptions: per category its channels with their daily
limit (``FatigueDayLimit``), its receivers with their keyword filters (``MessageSource``),
its webhook robots and its receive hours (``ReceiveTimeList``).

Every rule is the services' (SettingsService, WebhookService, RulesService); keywords and
hours are checked with the rules' own validators before anything is written, and an update
runs its service calls in one transaction (``atomic``): a refusal of the last category's
setting takes back what the first ones changed, so a refused call changes nothing.
"""

from __future__ import annotations

from typing import Any

from notify.catalog import Category, get_category
from notify.channel_errors import InvalidHours, InvalidKeywords
from notify.rules import clean_hours, clean_words
from notify.settings import check_channels

from . import shapes
from .errors import ApiError, invalid
from .notifications import _SECTION_OF, _all_common, _json_list, _language
from .registry import Call, action
from .webhook_contacts import webhook_contact

V = "2024-12-25"
ALL_HOURS = list(range(24))
API_TYPES = {*shapes.API_CHANNEL.values(), "tts"}  # tts: a channel the catalog lacks


def _source(words: dict[str, Any], receiver: str) -> dict[str, list[str]]:
    found = words.get(receiver)
    return {"KeywordWhitelist": list(found.allow) if found else [],
            "KeywordBlacklist": list(found.deny) if found else []}


def _receiver(contact_id: int) -> str:
    return "owner" if contact_id == shapes.OWNER_CONTACT_ID else f"contact:{contact_id}"


def _subscription(call: Call, category: Category, language: str) -> dict[str, Any]:
    account, key = call.account_id, category.key
    states = call.system.settings.channels(account, key)
    limits = call.system.rules.limits(account, key)
    words = {k.receiver: k for k in call.system.rules.keywords(account, key)}
    hours = call.system.rules.receive_hours(account, key)
    contacts = {r["ContactId"]: r for r in _all_common(call)}
    selected = [shapes.OWNER_CONTACT_ID,
                *(c.id for c in call.system.settings.receivers(account, key))]
    section = _SECTION_OF[key]
    return {"AliUid": shapes.account_uid(account), "CategoryCode": key,
            "CategoryName": category.name(language), "CategoryDesc": category.name(language),
            "CategoryGroupCode": section.key, "CategoryGroupName": section.name(language),
            "ChannelConfigs": [{"ChannelType": shapes.API_CHANNEL[ch],
                                "CheckedState": "true" if st in ("on", "required") else "false",
                                "DefaultChecked": "true" if category.defaults[ch]
                                in ("on", "required") else "false",
                                "Optional": "true" if st in ("on", "off") else "false",
                                "FatigueDayLimit": limits.get(ch)}
                               for ch, st in states.items()],
            "Contact": {
                "CommonContacts": [{**contacts[i], "MessageSource": _source(words,
                                                                            _receiver(i))}
                                   for i in selected if i in contacts],
                "WebhookContacts": [
                    {**{k: v for k, v in webhook_contact(h).items()
                        if k in ("ContactId", "ContactName", "ServerUrl", "WebhookType",
                                 "SecurityToken")},
                     "MessageSource": _source(words, f"webhook:{h.id}")}
                    for h in call.system.webhooks.selected(account, key)]},
            "ReceiveTimeList": ALL_HOURS if hours is None else sorted(hours.hours)}


@action(V, "ReadUserSubscriptionList")
def read_user_subscription_list(call: Call) -> dict[str, Any]:
    language = _language(call)
    group = call.params.text("CategoryGroupCode", max_length=64)
    cats = [c for c in shapes.ITEMS if not group or _SECTION_OF[c.key].key == group]
    return {"Data": [_subscription(call, c, language) for c in cats]}


def _codes(call: Call) -> list[Category]:
    raw = _json_list(call, "CategoryCodes")
    if not raw:
        raise ApiError("MissingParameter", "the parameter CategoryCodes is required", 400)
    return [get_category(str(code)) for code in raw]


def _id(value: Any, name: str) -> int:
    text = str(value.get("ContactId", "") if isinstance(value, dict) else "")
    if not text.isdigit():
        raise invalid(name, "must hold objects with a numeric ContactId")
    return int(text)


def _words(item: dict[str, Any], receiver: str) -> tuple[str, list[str], list[str]] | None:
    """The receiver's new filter, checked with the rules' validator; None: unchanged."""
    source = item.get("MessageSource")
    if source is None:
        return None
    if not isinstance(source, dict):
        raise InvalidKeywords("MessageSource must be an object with KeywordWhitelist "
                              "and KeywordBlacklist")
    allow, deny = source.get("KeywordWhitelist") or [], source.get("KeywordBlacklist") or []
    if not isinstance(allow, list) or not isinstance(deny, list):
        raise InvalidKeywords("KeywordWhitelist and KeywordBlacklist are lists of words")
    try:
        clean_words(allow, "allow"), clean_words(deny, "deny")
    except ValueError as exc:
        raise InvalidKeywords(str(exc)) from None
    return receiver, allow, deny


def _limit(value: Any) -> int | None | str:
    """``FatigueDayLimit`` as the rules service takes it: 0 removes the limit."""
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value)
    return None if value == 0 else value


def _hours(call: Call) -> list[Any] | None:
    raw = _json_list(call, "ReceiveTimeList")
    if raw is None:
        return None
    hours = [int(h) if isinstance(h, str) and h.strip().isdigit() else h for h in raw]
    try:
        clean_hours(hours)
    except (TypeError, ValueError) as exc:
        raise InvalidHours(str(exc)) from None
    return hours


@action(V, "UpdateUserSubscription", writes=True, atomic=True,
        note="channels, daily limits, contacts, webhooks, keywords, receive hours")
def update_user_subscription(call: Call) -> dict[str, Any]:
    account = call.account_id
    categories = _codes(call)
    configs = _json_list(call, "ChannelConfigs") or []
    contacts = _json_list(call, "CommonContacts")
    hooks = _json_list(call, "WebhookContacts")
    hours = _hours(call)
    contact_ids = None if contacts is None else [_id(c, "CommonContacts") for c in contacts]
    hook_ids = None if hooks is None else [_id(h, "WebhookContacts") for h in hooks]
    words = [w for c in contacts or [] if (w := _words(c, _receiver(_id(c, "x"))))]
    words += [w for h in hooks or [] if (w := _words(h, f"webhook:{_id(h, 'x')}"))]
    for number in hook_ids or []:  # unknown robots and contacts: refused before any write
        call.system.webhooks.get(account, number)
    for number in contact_ids or []:
        if number != shapes.OWNER_CONTACT_ID:
            call.system.contacts.get(account, number)
    plans = []
    for category in categories:
        states = call.system.settings.channels(account, category.key)
        wanted = {c for c, s in states.items() if s in ("on", "required")}
        limits: dict[str, Any] = {}
        for config in configs:
            if not isinstance(config, dict):
                raise invalid("ChannelConfigs", "must hold objects")
            api_type = str(config.get("ChannelType", ""))
            channel = {v: k for k, v in shapes.API_CHANNEL.items()}.get(api_type, api_type)
            on = str(config.get("CheckedState", "")).lower() == "true"
            if channel not in states:
                if api_type not in API_TYPES:
                    from notify.errors import InvalidChannel

                    raise InvalidChannel(f"ChannelType {api_type!r} is not a channel: one "
                                         f"of {', '.join(sorted(API_TYPES))}")
                if on:
                    from notify.errors import ChannelUnavailable

                    raise ChannelUnavailable(f"{category.key!r} does not offer the "
                                             f"{api_type} channel")
                continue
            if config.get("CheckedState") not in (None, ""):
                (wanted.add if on else wanted.discard)(channel)
            if config.get("FatigueDayLimit") not in (None, ""):
                limits[channel] = _limit(config["FatigueDayLimit"])
        chosen = check_channels(category.key, sorted(wanted)) if configs else None
        plans.append((category, chosen, limits))
    for category, _chosen, limits in plans:  # first: the one rule only set_limit checks
        for channel, per_day in limits.items():
            call.system.rules.set_limit(account, category.key, channel, per_day,
                                        actor=account)
    for category, chosen, _limits in plans:
        key = category.key
        if contact_ids is not None:
            call.system.settings.select_receivers(
                account, key, [i for i in contact_ids if i != shapes.OWNER_CONTACT_ID],
                actor=account)
        if chosen is not None:
            call.system.settings.set_channels(account, key, chosen, actor=account)
        if hook_ids is not None:
            call.system.webhooks.select(account, key, hook_ids, actor=account)
        for receiver, allow, deny in words:
            call.system.rules.set_keywords(account, key, receiver, allow=allow, deny=deny,
                                           actor=account)
        if hours is not None:
            old = call.system.rules.receive_hours(account, key)
            call.system.rules.set_receive_hours(
                account, key, None if sorted(set(hours)) == ALL_HOURS and old is None
                else hours, None if old is None else sorted(old.days), actor=account)
    return {}


@action(V, "ResetUserSubscription", writes=True, atomic=True)
def reset_user_subscription(call: Call) -> dict[str, Any]:
    categories = _codes(call)
    for category in categories:
        defaults = [c for c, s in category.defaults.items() if s in ("on", "required")]
        call.system.settings.set_channels(call.account_id, category.key, defaults,
                                          actor=call.account_id)
    return {}


__all__ = ["V"]
