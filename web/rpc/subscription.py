"""MscOpenSubscription 2021-07-13: contacts, their verification and subscription items."""

from __future__ import annotations

from typing import Any

from notify.catalog import SECTIONS, Category
from notify.settings import check_channels
from workflow.errors import Conflict

from . import shapes
from .directory import contact_list
from .errors import ApiError, invalid, missing
from .registry import Call, action
from .subscription_webhooks import webhook

V = "2021-07-13"


class OwnerNotChangeable(Conflict):
    code = "owner_not_changeable"


# contacts ------------------------------------------------------------------------
def _contacts(call: Call) -> list[dict[str, Any]]:
    return contact_list(call)


def _contact_id(call: Call) -> int:
    number = call.params.number("ContactId", required=True, minimum=0)
    assert number is not None
    return number


@action(V, "CreateContact", writes=True, client_token=True)
def create_contact(call: Call) -> dict[str, Any]:
    p = call.params
    row = call.system.contacts.add(
        call.account_id, name=p.text("ContactName", required=True, max_length=100) or "",
        email=p.text("Email", required=True, max_length=254) or "",
        title=shapes.position(p.text("Position", required=True, max_length=50)) or "",
        mobile=p.text("Mobile", max_length=20) or None, actor=call.account_id)
    return {"ContactId": row.id}


@action(V, "GetContact")
def get_contact(call: Call) -> dict[str, Any]:
    number = _contact_id(call)
    if number == shapes.OWNER_CONTACT_ID:
        return {"Contact": _contacts(call)[0]}
    row = call.system.contacts.get(call.account_id, number)
    return {"Contact": shapes.contact(row, call.account_id)}


@action(V, "ListContacts")
def list_contacts(call: Call) -> dict[str, Any]:
    rows = shapes.filtered(_contacts(call), call.params, id_field="ContactId", id_minimum=0,
                           text_fields=("ContactName", "Email"), text_max=254)
    chunk, token = shapes.page(rows, call.params)
    return {"Contacts": chunk, "TotalCount": len(rows), "NextToken": token}


@action(V, "UpdateContact", writes=True, client_token=True)
def update_contact(call: Call) -> dict[str, Any]:
    p = call.params
    number = _contact_id(call)
    if number == shapes.OWNER_CONTACT_ID:
        raise OwnerNotChangeable("the account owner is changed in the account's settings, "
                                 "not as a contact")
    call.system.contacts.modify(
        call.account_id, number, name=p.text("ContactName", max_length=100),
        email=p.text("Email", max_length=254), mobile=p.text("Mobile", max_length=20),
        title=shapes.position(p.text("Position", max_length=50)), actor=call.account_id)
    return {"Result": True}


@action(V, "DeleteContact", writes=True)
def delete_contact(call: Call) -> dict[str, Any]:
    number = _contact_id(call)
    if number == shapes.OWNER_CONTACT_ID:
        raise OwnerNotChangeable("the account owner is always a receiver and cannot be "
                                 "deleted")
    call.system.contacts.delete(call.account_id, number, actor=call.account_id)
    return {"Result": True}


@action(V, "SendVerificationMessage", writes=True, note="Type 1 by SMS, Type 2 by email")
def send_verification_message(call: Call) -> dict[str, Any]:
    number = _contact_id(call)
    kind = call.params.number("Type", required=True, minimum=1, maximum=2)
    if number == shapes.OWNER_CONTACT_ID:
        raise OwnerNotChangeable("the account owner is verified already")
    call.system.contacts.resend(call.account_id, number, actor=call.account_id,
                                channel="sms" if kind == 1 else "email")
    return {"Result": 1}


# subscription items --------------------------------------------------------------
def _item(call: Call, category: Category, language: str) -> dict[str, Any]:
    states = call.system.settings.channels(call.account_id, category.key)
    receivers = call.system.settings.receivers(call.account_id, category.key)
    return {"ItemId": shapes.item_id(category), "ItemName": category.name(language),
            "Description": _section_of(category).name(language),
            "Channel": shapes.channel_text(states), **shapes.statuses(category, states),
            "ContactIds": [shapes.OWNER_CONTACT_ID, *(c.id for c in receivers)],
            "WebhookIds": [h.id for h in call.system.webhooks.selected(call.account_id,
                                                                      category.key)]}


def _detail(call: Call, category: Category, language: str) -> dict[str, Any]:
    base = _item(call, category, language)
    account = call.system.accounts.get(call.account_id)
    receivers = call.system.settings.receivers(call.account_id, category.key)
    contacts = [shapes.owner_contact(account, name_key="Name", uid_key="AccountUID",
                                     mobile=call.system.rules.owner_mobile(account.id))]
    contacts += [shapes.contact(c, call.account_id, name_key="Name", uid_key="AccountUID")
                 for c in receivers]
    del base["ContactIds"], base["WebhookIds"]
    hooks = call.system.webhooks.selected(call.account_id, category.key)
    return {**base, "RegionId": "cn-hangzhou", "Contacts": contacts,
            "Webhooks": [webhook(h, name_key="Name") for h in hooks]}


def _section_of(category: Category) -> Any:
    return next(s for s in SECTIONS if category in s.categories)


@action(V, "ListSubscriptionItems")
def list_subscription_items(call: Call) -> dict[str, Any]:
    language = shapes.language(call.params)
    cats = list(shapes.ITEMS)
    wanted = call.params.number("ItemId", minimum=1)
    if wanted is not None:
        cats = [c for c in cats if shapes.item_id(c) == wanted]
    text = (call.params.text("Filter", max_length=100) or "").lower()
    if text:
        cats = [c for c in cats if text in c.name(language).lower()]
    chunk, token = shapes.page(cats, call.params)
    return {"SubscriptionItems": [_item(call, c, language) for c in chunk],
            "TotalCount": len(cats), "NextToken": token}


@action(V, "GetSubscriptionItem")
def get_subscription_item(call: Call) -> dict[str, Any]:
    category = shapes.item_of(call.params.number("ItemId", required=True))
    return {"SubscriptionItem": _item(call, category, shapes.language(call.params))}


@action(V, "GetSubscriptionItemDetail")
def get_subscription_item_detail(call: Call) -> dict[str, Any]:
    category = shapes.item_of(call.params.number("ItemId", required=True))
    return {"SubscriptionItemDetail": _detail(call, category, shapes.language(call.params))}


@action(V, "ListSubscriptionItemGroupDetails")
def list_subscription_item_group_details(call: Call) -> dict[str, Any]:
    language = shapes.language(call.params)
    return {"SubscriptionItemGroupDetails": [
        {"ItemGroupId": shapes.group_id(s), "ItemGroupName": s.name(language),
         "Description": s.name(language),
         "ItemDetails": [_detail(call, c, language) for c in s.categories]}
        for s in SECTIONS]}


@action(V, "UpdateSubscriptionItem", writes=True, client_token=True, atomic=True)
def update_subscription_item(call: Call) -> dict[str, Any]:
    p = call.params
    category = shapes.item_of(p.number("ItemId", required=True))
    webhooks = p.numbers("WebhookIds")
    states = call.system.settings.channels(call.account_id, category.key)
    wanted = {c for c, s in states.items() if s in ("on", "required")}
    changed = False
    for name, channel in shapes.STATUS_FIELDS.items():
        value = p.number(name, minimum=-2, maximum=1)
        if value is None or value < 0:
            continue
        known = channel is not None and channel in states
        if value == 1 and not known:
            from notify.errors import ChannelUnavailable

            raise ChannelUnavailable(f"{category.key!r} does not offer the "
                                     f"{channel or name[:-6].lower()} channel")
        if known and channel is not None:
            changed = True
            (wanted.add if value == 1 else wanted.discard)(channel)
    contact_ids = p.numbers("ContactIds")
    chosen = check_channels(category.key, sorted(wanted)) if changed else None
    if webhooks is not None:
        for number in webhooks:  # unknown ids are refused before anything changes
            call.system.webhooks.get(call.account_id, number)
    if contact_ids is not None:
        ids = [i for i in contact_ids if i != shapes.OWNER_CONTACT_ID]
        call.system.settings.select_receivers(call.account_id, category.key, ids,
                                              actor=call.account_id)
    if chosen is not None:
        call.system.settings.set_channels(call.account_id, category.key, chosen,
                                          actor=call.account_id)
    if webhooks is not None:
        call.system.webhooks.select(call.account_id, category.key, webhooks,
                                    actor=call.account_id)
    return {"Result": True}


@action(V, "CreateSubscriptionItem", note="always refused: the catalog is fixed")
def create_subscription_item(call: Call) -> dict[str, Any]:
    raise ApiError("catalog_fixed", "subscription items are the Message Center's fixed "
                   "catalog: they cannot be created", 403)


__all__ = ["V", "invalid", "missing"]
