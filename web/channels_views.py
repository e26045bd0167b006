"""Version 2 pages: Webhooks (add, modify, delete, test), a category's delivery rules
(webhooks, daily limits, keyword filters, receive hours), the mobile's verification
resend, and the SMS and webhook viewers beside the Mailbox (SPEC 4)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from notify.catalog import CHANNEL_NAMES, get_category
from notify.channel_errors import InvalidHours, InvalidKeywords, InvalidLimit
from notify.models import Delivery
from notify.robots import Message
from notify.rules import MAX_PER_DAY, clean_hours, clean_words
from notify.senders import SendFailure
from notify.webhooks import TYPES
from workflow.errors import IcpsimError

from .auth import owner_required
from .errors import attach
from .forms import CsrfForm
from .services import services

bp = Blueprint("channels", __name__)


# webhooks --------------------------------------------------------------------------------
@bp.route("/webhooks/", methods=["GET", "POST"])
@owner_required
def webhooks() -> Any:
    form, status = CsrfForm(), 200
    if form.validate_on_submit():
        try:
            hook = services().webhooks.add(g.user.account_id, **_hook_fields(),
                                           actor=g.user.account_id)
        except IcpsimError as exc:
            status = attach(form, exc)
        else:
            flash(f"Webhook {hook.name} was added. Choose it for a category under Common "
                  "Settings > Modify Contact > Delivery rules.")
            return redirect(url_for("channels.webhooks"))
    hooks = services().webhooks.list(g.user.account_id)
    return render_template("webhooks.html", hooks=hooks, form=form, types=TYPES,
                           values=request.form if status != 200 else {}), status


@bp.route("/webhooks/<int:webhook_id>/edit", methods=["GET", "POST"])
@owner_required
def webhook_edit(webhook_id: int) -> Any:
    hook = services().webhooks.get(g.user.account_id, webhook_id)
    form, status = CsrfForm(), 200
    if form.validate_on_submit():
        fields = _hook_fields()
        if not request.form.get("change_secret"):
            fields.pop("secret")  # keep the stored secret unless asked to change it
        try:
            services().webhooks.modify(g.user.account_id, webhook_id, **fields,
                                       actor=g.user.account_id)
        except IcpsimError as exc:
            status = attach(form, exc)
        else:
            flash(f"Webhook {fields['name']} was modified.")
            return redirect(url_for("channels.webhooks"))
    return render_template("webhook_form.html", hook=hook, form=form, types=TYPES), status


@bp.route("/webhooks/<int:webhook_id>/delete", methods=["POST"])
@owner_required
def webhook_delete(webhook_id: int) -> Any:
    if CsrfForm().validate_on_submit():
        hook = services().webhooks.get(g.user.account_id, webhook_id)
        services().webhooks.delete(g.user.account_id, webhook_id, actor=g.user.account_id)
        flash(f"Webhook {hook.name} was deleted and removed from every category.")
    return redirect(url_for("channels.webhooks"))


@bp.route("/webhooks/<int:webhook_id>/test", methods=["POST"])
@owner_required
def webhook_test(webhook_id: int) -> Any:
    if CsrfForm().validate_on_submit():
        hook = services().webhooks.get(g.user.account_id, webhook_id)
        message = Message(title="icpsim test message",
                          body=f"A test message from the Message Center of account "
                               f"{g.user.account_id} to the webhook {hook.name}.",
                          facts={"event": "test", "delivery": f"test:{hook.account_id}:"
                                                              f"{hook.id}"})
        try:
            detail = services().channels.webhook.deliver(hook, message)
        except SendFailure as exc:
            flash(f"The test message to {hook.name} was not accepted: {exc.detail}", "error")
        else:
            flash(f"The test message to {hook.name} was {detail}.")
    return redirect(url_for("channels.webhooks"))


def _hook_fields() -> dict[str, Any]:
    f = request.form
    return {"name": f.get("name", ""), "type": f.get("type", ""), "url": f.get("url", ""),
            "secret": f.get("secret", "")}


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
            flash(f"The delivery rules of {cat.name_en} were saved.")
            return redirect(url_for("channels.rules", category=category))
    s = services()
    states = s.settings.channels(account, category)
    hours = s.rules.receive_hours(account, category)
    words = {k.receiver: k for k in s.rules.keywords(account, category)}
    receivers = [("owner", "Account owner")] + [
        (f"contact:{c.id}", f"{c.name} <{c.email}>") for c in s.contacts.list(account)] + [
        (f"webhook:{h.id}", f"Webhook {h.name}") for h in s.webhooks.list(account)]
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


# the mobile's verification --------------------------------------------------------------
@bp.route("/contacts/<int:contact_id>/resend-sms", methods=["POST"])
@owner_required
def resend_sms(contact_id: int) -> Any:
    form = CsrfForm()
    if form.validate_on_submit():
        try:
            contact = services().contacts.resend(g.user.account_id, contact_id,
                                                 channel="sms", actor=g.user.account_id)
        except IcpsimError as exc:
            attach(form, exc)
            contacts = services().contacts.list(g.user.account_id)
            return render_template("contacts.html", contacts=contacts, form=form,
                                   error_for=contact_id), exc.http_status
        flash(f"A new verification SMS was sent to {contact.mobile}; older SMS links no "
              "longer work.")
    return redirect(url_for("contacts.index"))


@bp.route("/contacts/owner-mobile", methods=["POST"])
@owner_required
def owner_mobile() -> Any:
    form = CsrfForm()
    if form.validate_on_submit():
        try:
            mobile = services().rules.set_owner_mobile(
                g.user.account_id, request.form.get("mobile", ""), actor=g.user.account_id)
        except IcpsimError as exc:
            attach(form, exc)
            contacts = services().contacts.list(g.user.account_id)
            return render_template("contacts.html", contacts=contacts, form=form), \
                exc.http_status
        flash(f"The owner's mobile is now {mobile}: it receives SMS of the categories that "
              "send SMS." if mobile else "The owner's mobile was removed.")
    return redirect(url_for("contacts.index"))


# viewers ------------------------------------------------------------------------------------
def _read(key: str) -> list[dict[str, Any]] | None:
    path = current_app.config.get(key)
    if not path:
        return None
    file = Path(path)
    if not file.exists():
        return []
    rows = []
    for line in file.read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except ValueError:
            continue
    return list(reversed(rows))  # newest first


def _my_deliveries(channel: str) -> dict[str, Delivery]:
    rows = services().deliveries.list(g.user.account_id, channel=channel)
    return {str(d.id): d for d in rows} | {d.dedup_key: d for d in rows}


@bp.route("/sms/")
def sms_viewer() -> Any:
    rows = _read("ICPSIM_SMS_STORE")
    if rows is None or g.user is None:
        abort(404)
    if g.user.account_id is not None:  # an owner sees only what its deliveries sent
        mine = _my_deliveries("sms")
        rows = [r for r in rows if str(r.get("out_id")) in mine]
    return render_template("sms_viewer.html", rows=rows)


@bp.route("/webhook-calls/")
def webhook_viewer() -> Any:
    rows = _read("ICPSIM_WEBHOOK_STORE")
    if rows is None or g.user is None:
        abort(404)
    if g.user.account_id is not None:
        mine = _my_deliveries("webhook")
        test = f"test:{g.user.account_id}:"
        rows = [r for r in rows if str(r.get("delivery")) in mine
                or str(r.get("delivery", "")).startswith(test)]
    return render_template("webhook_calls.html", rows=rows)


def viewers_enabled() -> dict[str, Any]:
    out: dict[str, Any] = {
        "sms_enabled": bool(current_app.config.get("ICPSIM_SMS_STORE")),
        "webhook_calls_enabled": bool(current_app.config.get("ICPSIM_WEBHOOK_STORE"))}
    user = getattr(g, "user", None)
    if request.blueprint == "contacts" and user is not None and user.account_id:
        out["owner_mobile"] = services().rules.owner_mobile(user.account_id)
    return out


__all__ = ["bp", "viewers_enabled"]
