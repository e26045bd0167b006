"""Version 2 pages: Webhooks (add, modify, delete, send a test message), the mobile's
verification resend and the owner's mobile (docs/behaviour.md). Delivery rules: rules_views.py;
the SMS and webhook viewers: channel_viewers.py."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from notify.robots import Message
from notify.senders import SendFailure
from notify.webhooks import TYPES
from workflow.errors import IcpsimError

from .auth import owner_required
from .contacts_views import page_context
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
            flash(_("Webhook %(name)s was added. Choose it for a category under Common "
                    "Settings > Modify Contact > Delivery rules.", name=hook.name))
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
            flash(_("Webhook %(name)s was modified.", name=fields["name"]))
            return redirect(url_for("channels.webhooks"))
    return render_template("webhook_form.html", hook=hook, form=form, types=TYPES), status


@bp.route("/webhooks/<int:webhook_id>/delete", methods=["POST"])
@owner_required
def webhook_delete(webhook_id: int) -> Any:
    if CsrfForm().validate_on_submit():
        hook = services().webhooks.get(g.user.account_id, webhook_id)
        services().webhooks.delete(g.user.account_id, webhook_id, actor=g.user.account_id)
        flash(_("Webhook %(name)s was deleted and removed from every category.",
                name=hook.name))
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
        channels = services().channels
        assert channels is not None  # build_system always gives the console its senders
        try:
            detail = channels.webhook.deliver(hook, message)
        except SendFailure as exc:
            flash(_("The test message to %(name)s was not accepted: %(detail)s",
                    name=hook.name, detail=exc.detail), "error")
        else:
            flash(_("The test message to %(name)s was %(outcome)s.", name=hook.name,
                    outcome=detail))
    return redirect(url_for("channels.webhooks"))


def _hook_fields() -> dict[str, Any]:
    f = request.form
    return {"name": f.get("name", ""), "type": f.get("type", ""), "url": f.get("url", ""),
            "secret": f.get("secret", "")}


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
            return render_template("contacts.html", form=form, error_for=contact_id,
                                   **page_context(g.user.account_id)), exc.http_status
        flash(_("A new verification SMS was sent to %(mobile)s; older SMS links no longer "
                "work.", mobile=contact.mobile))
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
            return render_template("contacts.html", form=form, error_for=None,
                                   **page_context(g.user.account_id)), exc.http_status
        flash(_("The owner's mobile is now %(mobile)s: it receives SMS of the categories "
                "that send SMS.", mobile=mobile) if mobile
              else _("The owner's mobile was removed."))
    return redirect(url_for("contacts.index"))


__all__ = ["bp"]
