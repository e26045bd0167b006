"""Notifications 2024-12-25: inbox, message language, revision history, subscriptions,
contacts and the catalog, over the same services as the console."""

from __future__ import annotations

import json
from typing import Any

from notify.audit import AuditService
from notify.catalog import CHANNELS, SECTIONS, get_category
from workflow.accounts import InvalidLanguage

from . import shapes
from .directory import contact_list
from .errors import invalid
from .registry import Call, action

V = "2024-12-25"
LANGUAGES = {"en": "en", "en-us": "en", "zh": "zh", "zh-cn": "zh"}
LANGUAGE_TAGS = {"en": "en-US", "zh": "zh-CN"}
_SECTION_OF = {c.key: s for s in SECTIONS for c in s.categories}


# inbox -----------------------------------------------------------------------------
def _row(message: Any, language: str) -> dict[str, Any]:
    section = _SECTION_OF.get(message.category)
    category = get_category(message.category) if section else None
    return {"MsgId": message.id, "Title": message.title, "Titleh": message.title,
            "Content": message.body, "Status": 1 if message.read else 0, "Deleted": 0,
            "ClassId": shapes.group_id(section) if section else 0,
            "Class": section.name(language) if section else "",
            "CategoryCode": message.category,
            "CategoryName": category.name(language) if category else message.category,
            "GmtCreated": shapes.ms(message.created_at),
            "GmtUpdate": shapes.ms(message.created_at), "MassId": message.id,
            "Memo": message.type or ""}


def _language(call: Call) -> str:
    tag = (call.params.text("AcceptLanguage", max_length=20) or "").lower()
    if tag:
        return "zh" if tag.startswith("zh") else "en"
    return str(call.system.accounts.get(call.account_id).language)


def _messages(call: Call) -> list[Any]:
    p = call.params
    rows = call.system.inbox.list(call.account_id)
    class_id = p.number("ClassId", minimum=0)
    if class_id:
        rows = [m for m in rows if _class_of(m) == class_id]
    status = p.number("Status", minimum=0, maximum=1)
    if status is not None:
        rows = [m for m in rows if int(m.read) == status]
    for name, attr in (("Title", "title"), ("Content", "body")):
        text = p.text(name, max_length=200)
        if text:
            rows = [m for m in rows if text.lower() in getattr(m, attr).lower()]
    return rows


def _class_of(message: Any) -> int:
    section = _SECTION_OF.get(message.category)
    return shapes.group_id(section) if section else 0


def _msg_id(call: Call) -> int:
    raw = call.params.text("MsgId", required=True, max_length=20) or ""
    if not raw.isdigit():
        raise invalid("MsgId", "must be a message id")
    return int(raw)


@action(V, "ReadMessageList")
def read_message_list(call: Call) -> dict[str, Any]:
    p = call.params
    language, rows = _language(call), _messages(call)
    if p.has("Page") or p.has("PageSize"):
        number = p.number("Page", minimum=1) or 1
        size = p.number("PageSize", minimum=1, maximum=shapes.MAX_PAGE) or shapes.DEFAULT_PAGE
        chunk = rows[(number - 1) * size: number * size]
        return {"Data": {"Count": len(rows), "Page": number, "PageSize": size,
                         "Rows": [_row(m, language) for m in chunk]}}
    chunk, token = shapes.page(rows, p)
    size = p.number("MaxResults") or shapes.DEFAULT_PAGE
    return {"Data": {"Count": len(rows), "MaxResults": size,
                     "NextToken": None if token is None else str(token),
                     "Rows": [_row(m, language) for m in chunk]}}


@action(V, "ReadMessage", writes=True)
def read_message(call: Call) -> dict[str, Any]:
    call.system.inbox.mark_read(call.account_id, _msg_id(call))
    return {"Data": True}


@action(V, "ReadMessageContent", writes=True)
def read_message_content(call: Call) -> dict[str, Any]:
    number, language = _msg_id(call), _language(call)
    message = call.system.inbox.open(call.account_id, number)
    rows = call.system.inbox.list(call.account_id)
    at = next(i for i, m in enumerate(rows) if m.id == message.id)
    newer = [_row(rows[at - 1], language)] if at > 0 else []
    older = [_row(rows[at + 1], language)] if at + 1 < len(rows) else []
    return {"Data": {"Datas": {"Item": [_row(message, language)], "LastItem": newer,
                               "NextItem": older}}}


@action(V, "ReadMessageNewTotal")
def read_message_new_total(call: Call) -> dict[str, Any]:
    return {"Data": call.system.inbox.unread_count(call.account_id)}


@action(V, "ReadNumGroupByClass")
def read_num_group_by_class(call: Call) -> dict[str, Any]:
    counts: dict[int, int] = {}
    for message in call.system.inbox.list(call.account_id, unread_only=True):
        counts[_class_of(message)] = counts.get(_class_of(message), 0) + 1
    return {"Data": [{"ClassId": k, "MsgCount": v} for k, v in sorted(counts.items())]}


@action(V, "ReadNumGroupTotal")
def read_num_group_total(call: Call) -> dict[str, Any]:
    rows = _messages(call)
    data = []
    for section in SECTIONS:
        mine = [m for m in rows if _SECTION_OF.get(m.category) is section]
        unread = sum(1 for m in mine if not m.read)
        data.append({"GroupCode": section.key, "Id": shapes.group_id(section),
                     "TotalCount": len(mine), "ReadCount": len(mine) - unread,
                     "UnReadCount": unread})
    return {"Data": data}


@action(V, "ReadAllMessage", writes=True)
def read_all_message(call: Call) -> dict[str, Any]:
    if call.params.number("ClassId", minimum=0):
        for message in _messages(call):
            call.system.inbox.mark_read(call.account_id, message.id)
    else:
        call.system.inbox.mark_all_read(call.account_id)
    return {"Data": True}


@action(V, "DelMessage", writes=True)
def del_message(call: Call) -> dict[str, Any]:
    call.system.inbox.delete(call.account_id, _msg_id(call))
    return {"Data": True}


@action(V, "DeleteAllMessage", writes=True)
def delete_all_message(call: Call) -> dict[str, Any]:
    if call.params.number("ClassId", minimum=0):
        for message in _messages(call):
            call.system.inbox.delete(call.account_id, message.id)
    else:
        call.system.inbox.delete_all(call.account_id)
    return {"Data": True}


# language --------------------------------------------------------------------------
@action(V, "ReadMessageLanguage")
def read_message_language(call: Call) -> dict[str, Any]:
    account = call.system.accounts.get(call.account_id)
    return {"Data": LANGUAGE_TAGS.get(account.language, account.language)}


@action(V, "UpdateMessageLanguage", writes=True)
def update_message_language(call: Call) -> dict[str, Any]:
    tag = call.params.text("PreferLang", required=True, max_length=20) or ""
    if tag.lower() not in LANGUAGES:
        raise InvalidLanguage(f"PreferLang {tag!r} is not a message language: en-US or zh-CN")
    call.system.accounts.set_language(call.account_id, LANGUAGES[tag.lower()])
    return {}


# contacts --------------------------------------------------------------------------
def _common(row: dict[str, Any]) -> dict[str, Any]:
    return {"AliUid": row["AccountUid"], "ContactId": row["ContactId"],
            "ContactName": row["ContactName"], "ContactEmail": row["Email"],
            "ContactMobile": row["Mobile"], "EmailConfirmed": row["IsVerifiedEmail"],
            "MobileConfirmed": row["IsVerifiedMobile"], "Position": row["Position"]}


def _all_common(call: Call) -> list[dict[str, Any]]:
    return [_common(r) for r in contact_list(call)]


@action(V, "ReadAllCommonContacts")
def read_all_common_contacts(call: Call) -> dict[str, Any]:
    return {"Data": _all_common(call)}


@action(V, "ReadCommonContact")
def read_common_contact(call: Call) -> dict[str, Any]:
    number = call.params.number("ContactId", required=True, minimum=0)
    if number == shapes.OWNER_CONTACT_ID:
        return {"Data": _all_common(call)[0]}
    row = call.system.contacts.get(call.account_id, number)
    return {"Data": _common(shapes.contact(row, call.account_id))}


# catalog ---------------------------------------------------------------------------
@action(V, "ReadCategoryGroupList")
def read_category_group_list(call: Call) -> dict[str, Any]:
    language = _language(call)
    return {"Data": [{"GroupCode": s.key, "GroupName": s.name(language)} for s in SECTIONS]}


@action(V, "ReadClassName")
def read_class_name(call: Call) -> dict[str, Any]:
    language = _language(call)
    return {"Data": [{"Id": shapes.group_id(s), "Name": s.name(language)} for s in SECTIONS]}


@action(V, "ReadMetaConfig")
def read_meta_config(call: Call) -> dict[str, Any]:
    language = _language(call)
    return {"Data": {
        "Channels": [shapes.API_CHANNEL[c] for c in CHANNELS],
        "Categories": [{"CategoryCode": c.key, "CategoryName": c.name(language),
                        "CategoryGroupCode": _SECTION_OF[c.key].key,
                        "Channels": {shapes.API_CHANNEL[ch]: state
                                     for ch, state in c.defaults.items()}}
                       for c in shapes.ITEMS]}}


# revision history ------------------------------------------------------------------
@action(V, "ReadRevisionHistoryList")
def read_revision_history_list(call: Call) -> dict[str, Any]:
    p = call.params
    page_info = _json_object(call, "PageInfo")
    max_results = int(page_info.get("MaxResults") or p.number("PageInfo.MaxResults") or 20)
    token = str(page_info.get("NextToken") or p.text("PageInfo.NextToken") or "0")
    category = p.text("CategoryCode", max_length=64)
    rows = AuditService(call.system.db).history(call.account_id)
    if category:
        rows = [r for r in rows if r.subject.endswith(":" + category)]
    if not token.isdigit() or not 1 <= max_results <= shapes.MAX_PAGE:
        raise invalid("PageInfo", "holds a bad MaxResults or NextToken")
    start = int(token)
    chunk = rows[start:start + max_results]
    nxt = str(start + max_results) if start + max_results < len(rows) else None
    uid = shapes.account_uid(call.account_id)
    return {"Data": {"MaxResults": max_results, "NextToken": nxt, "TotalCount": len(rows),
                     "Rows": [{"AliUid": uid, "OperatorUid": uid, "OperatorName": r.actor,
                               "OperationTimestamp": shapes.ms(r.at),
                               "OperationItemCode": r.action,
                               "OperationItemName": r.subject,
                               "CategoryCode": r.subject.partition(":")[2],
                               "OriginalValue": json.dumps(
                                   {k: v.get("old") for k, v in r.changes.items()}),
                               "NewValue": json.dumps(
                                   {k: v.get("new") for k, v in r.changes.items()}),
                               "Remarks": ""} for r in chunk]}}


def _json_object(call: Call, name: str) -> dict[str, Any]:
    raw = call.params.text(name, max_length=2000)
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        raise invalid(name, "must be a JSON object") from None
    if not isinstance(value, dict):
        raise invalid(name, "must be a JSON object")
    return value


def _json_list(call: Call, name: str) -> list[Any] | None:
    raw = call.params.text(name, max_length=20000)
    if raw is None:
        # flattened: Name.1.Key=... -> collect by index
        found: dict[int, dict[str, Any]] = {}
        for key, value in call.params.raw.items():
            head, _, rest = key.partition(".")
            index, _, field = rest.partition(".")
            if head == name and index.isdigit():
                if field:
                    found.setdefault(int(index), {})[field] = value
                else:
                    found[int(index)] = value  # type: ignore[assignment]
        return [found[i] for i in sorted(found)] if found else None
    try:
        value = json.loads(raw)
    except ValueError:
        raise invalid(name, "must be a JSON list") from None
    if not isinstance(value, list):
        raise invalid(name, "must be a JSON list")
    return value


__all__ = ["V"]
