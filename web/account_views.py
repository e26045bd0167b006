"""Message Center > Revision History and Set Message Language, the owner's own pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext

from notify.audit import AuditService
from notify.catalog import CHANNEL_NAMES, SECTIONS, get_category
from notify.models import AuditEntry
from workflow.accounts import LANGUAGES
from workflow.errors import IcpsimError

from .auth import owner_required
from .errors import attach
from .forms import CsrfForm
from .services import services

bp = Blueprint("account", __name__, url_prefix="/account")

PAGE_SIZE = 20
# What a message category's settings are recorded under (subject "<kind>:<category>").
_CATEGORY_KINDS = ("channels", "receivers", "limits", "keywords", "hours")
# Filters besides the message categories: subject prefixes.
OTHER_FILTERS = {
    "contacts": (lazy_gettext("Contacts"), ("contact:",)),
    "webhooks": (lazy_gettext("Webhook robots"), ("webhook:",)),
    "owner": (lazy_gettext("Owner's mobile"), ("owner",)),
}
ACTIONS = {
    "add": lazy_gettext("Added"), "modify": lazy_gettext("Modified"),
    "delete": lazy_gettext("Deleted"), "resend": lazy_gettext("Verification resent"),
    "verify": lazy_gettext("Verified"), "expire": lazy_gettext("Verification expired"),
    "set_channels": lazy_gettext("Channels changed"),
    "select_receivers": lazy_gettext("Receivers changed"),
    "contact_deleted": lazy_gettext("Receiver removed (contact deleted)"),
    "set_limit": lazy_gettext("Daily limit changed"),
    "set_keywords": lazy_gettext("Keyword filter changed"),
    "set_receive_hours": lazy_gettext("Receive hours changed"),
    "set_mobile": lazy_gettext("Mobile changed"),
}
FIELDS = {
    "name": lazy_gettext("Name"), "email": lazy_gettext("Email"),
    "title": lazy_gettext("Title"), "mobile": lazy_gettext("Mobile"),
    "status": lazy_gettext("Email status"), "mobile_status": lazy_gettext("Mobile status"),
    "contacts": lazy_gettext("Receivers"), "hours": lazy_gettext("Receive hours"),
    "url": lazy_gettext("URL"), "type": lazy_gettext("Type"),
    "secret": lazy_gettext("Secret"),
}


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class Row:
    entry: AuditEntry
    what: str
    action: str
    changes: list[Change]


def _filters(lang: str) -> dict[str, str]:
    """Filter key -> label: every message category, then contacts, webhooks, owner."""
    shown = {c.key: c.name(lang) for s in SECTIONS for c in s.categories}
    shown.update({k: str(label) for k, (label, _) in OTHER_FILTERS.items()})
    return shown


def _subjects(key: str) -> tuple[str, ...]:
    if key in OTHER_FILTERS:
        return OTHER_FILTERS[key][1]
    cat = get_category(key)
    return tuple(f"{kind}:{cat.key}" for kind in _CATEGORY_KINDS)


def _what(subject: str, lang: str, names: dict[int, str]) -> str:
    kind, _, ident = subject.partition(":")
    if kind == "contact":
        name = names.get(int(ident)) if ident.isdigit() else None
        return gettext("Contact %(name)s", name=name or f"#{ident}")
    if kind == "webhook":
        return gettext("Webhook robot #%(id)s", id=ident)
    if kind == "owner":
        return gettext("Owner")
    try:
        category = get_category(ident).name(lang)
    except IcpsimError:
        category = ident
    labels = {"channels": gettext("Channels"), "receivers": gettext("Receivers"),
              "limits": gettext("Daily limits"), "keywords": gettext("Keyword filters"),
              "hours": gettext("Receive hours")}
    return f"{category}: {labels.get(kind, kind)}"


def _value(field: str, value: Any, names: dict[int, str]) -> str:
    if value is None or value == "" or value == []:
        return "-"
    if field == "contacts" and isinstance(value, list):
        return ", ".join(names.get(v, f"#{v}") if isinstance(v, int) else str(v)
                         for v in value)
    if field == "secret":
        return gettext("(set)")
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value(k, v, names)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return gettext("on") if value else gettext("off")
    return str(value)


def _field(field: str) -> str:
    if field in FIELDS:
        return str(FIELDS[field])
    if field in CHANNEL_NAMES:
        return CHANNEL_NAMES[field]["zh" if _lang() == "zh" else "en"]
    return field.replace("_", " ")


def _lang() -> str:
    from .i18n import console_language

    return console_language()


def _row(entry: AuditEntry, lang: str, names: dict[int, str]) -> Row:
    changes = [Change(_field(k), _value(k, (v or {}).get("old"), names),
                      _value(k, (v or {}).get("new"), names))
               for k, v in (entry.changes or {}).items() if isinstance(v, dict)]
    return Row(entry=entry, what=_what(entry.subject, lang, names),
               action=str(ACTIONS.get(entry.action, entry.action.replace("_", " "))),
               changes=changes)


@bp.route("/history")
@owner_required
def history() -> Any:
    lang = _lang()
    filters = _filters(lang)
    chosen = request.args.get("category") or ""
    if chosen and chosen not in filters:
        abort(404)
    page = request.args.get("page", "1")
    number = int(page) if page.isdigit() and 0 < len(page) <= 6 and int(page) > 0 else 1
    account_id = g.user.account_id
    entries, total = AuditService(services().db).page(
        account_id, subjects=_subjects(chosen) if chosen else (),
        offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    names = {c.id: c.name for c in services().contacts.list(account_id) if c.id is not None}
    for entry in entries:  # a deleted contact keeps the name its history recorded
        old_name = (entry.changes or {}).get("name", {})
        kind, _, ident = entry.subject.partition(":")
        if kind == "contact" and ident.isdigit() and isinstance(old_name, dict):
            names.setdefault(int(ident), old_name.get("old") or old_name.get("new") or "")
    pages = max(1, -(-total // PAGE_SIZE))
    return render_template("history.html", rows=[_row(e, lang, names) for e in entries],
                           filters=filters, chosen=chosen, page=number, pages=pages,
                           total=total)


@bp.route("/message-language", methods=["GET", "POST"])
@owner_required
def message_language() -> Any:
    form = CsrfForm()
    account_id = g.user.account_id
    status = 200
    if form.validate_on_submit():
        try:
            services().accounts.set_language(account_id, request.form.get("language", ""))
        except IcpsimError as exc:
            status = attach(form, exc)
        else:
            flash(gettext("Saved the message language. New messages are written in it; "
                          "messages already sent stay as they are."))
            return redirect(url_for("account.message_language"))
    account = services().accounts.get(account_id)
    choices = {"en": "English", "zh": "中文"}
    return render_template("message_language.html", form=form, current=account.language,
                           choices={k: choices.get(k, k) for k in LANGUAGES}), status
