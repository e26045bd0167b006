"""A category's delivery rules (docs/behaviour.md): its webhooks, daily limits per channel, receive
hours and a receiver's keyword filter, on one page linked from Modify Contact."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from notify.catalog import CHANNEL_NAMES, get_category
from notify.channel_errors import InvalidHours, InvalidKeywords, InvalidLimit
from notify.rules import MAX_PER_DAY, clean_hours, clean_words
from workflow.errors import IcpsimError

from .auth import owner_required
from .errors import attach
from .forms import CsrfForm
from .i18n import console_language
from .services import services

bp = Blueprint("rules", __name__)


# a category's delivery rules ---------------------------------------------------------------
@bp.route("/settings/<category>/rules", methods=["GET", "POST"])
@owner_required
def rules(category: str) -> Any:
    cat = get_category(category)
    account = g.user.account_id
    form, status = CsrfForm(), 200
    if form.validate_on_submit():
        try:
            _save_rules(account, category)
        except IcpsimError as exc:
            status = attach(form, exc)
        else:
            flash(_("The delivery rules of %(category)s were saved.",
                    category=cat.name(console_language())))
            return redirect(url_for("rules.rules", category=category))
    s = services()
    states = s.settings.channels(account, category)
    hours = s.rules.receive_hours(account, category)
    words = {k.receiver: k for k in s.rules.keywords(account, category)}
    receivers = [("owner", _("Account owner"))] + [
        (f"contact:{c.id}", f"{c.name} <{c.email}>") for c in s.contacts.list(account)] + [
        (f"webhook:{h.id}", _("Webhook %(name)s", name=h.name))
        for h in s.webhooks.list(account)]
    return render_template(
        "rules.html", category=cat, form=form, states=states, names=CHANNEL_NAMES,
        limits=s.rules.limits(account, category), hours=hours,
        hooks=s.webhooks.list(account),
        selected={h.id for h in s.webhooks.selected(account, category)},
        receivers=receivers, words=words), status


def _save_rules(account: str, category: str) -> None:
    """Check every field first, then save: a refusal anywhere changes nothing."""
    s, f = services(), request.form
    states = s.settings.channels(account, category)
    offers_webhooks = states.get("webhook") not in (None, "unavailable")
    ids = [int(i) for i in f.getlist("webhooks") if i.isdigit()] if offers_webhooks else []
    for webhook_id in ids:
        s.webhooks.get(account, webhook_id)  # unknown_webhook before any write
    limits = {}
    for channel, state in states.items():
        if state in ("on", "off"):
            per_day = _number(f.get(f"limit_{channel}", "").strip(), "per_day")
            if per_day is not None and not 1 <= per_day <= MAX_PER_DAY:
                raise InvalidLimit(f"a daily limit is a whole number from 1 to {MAX_PER_DAY}, "
                                   f"not {per_day}")
            limits[channel] = per_day
    raw_hours = f.getlist("hours")
    hours = [_number(h, "hours") for h in raw_hours] if raw_hours else None
    if hours is not None:
        try:
            clean_hours(hours)
        except ValueError as exc:
            raise InvalidHours(str(exc)) from None
    receiver = f.get("receiver", "")
    allow, deny = _words(f.get("allow", "")), _words(f.get("deny", ""))
    if receiver:
        try:
            clean_words(allow, "allow")
            clean_words(deny, "deny")
        except ValueError as exc:
            raise InvalidKeywords(str(exc)) from None
        kind, _, ident = receiver.partition(":")
        if kind == "contact" and ident.isdigit():
            s.contacts.get(account, int(ident))
        elif kind == "webhook" and ident.isdigit():
            s.webhooks.get(account, int(ident))
        elif receiver != "owner":
            raise InvalidKeywords(f"{receiver[:40]!r} is not a receiver", field="receiver")
    if offers_webhooks:
        s.webhooks.select(account, category, ids, actor=account)
    for channel, per_day in limits.items():
        s.rules.set_limit(account, category, channel, per_day, actor=account)
    s.rules.set_receive_hours(account, category, hours, actor=account)
    if receiver:
        s.rules.set_keywords(account, category, receiver, allow=allow, deny=deny,
                             actor=account)


def _number(raw: str, field: str) -> Any:
    if raw == "":
        return None
    if not raw.isdigit() or len(raw) > 6:
        code = "invalid_hours" if field == "hours" else "invalid_limit"
        raise IcpsimError(f"{raw[:20]!r} is not a whole number", code=code, field=field)
    return int(raw)


def _words(raw: str) -> list[str]:
    return [w for w in (p.strip() for p in raw.replace("\n", ",").split(",")) if w]


__all__ = ["bp"]
