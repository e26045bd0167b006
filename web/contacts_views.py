"""Manage Contacts: list, Add Receiver, Modify, Delete (confirmed), Resend verification."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext
from flask_babel import gettext as _

from workflow.errors import IcpsimError

from .auth import owner_required
from .errors import attach
from .forms import ContactForm, CsrfForm
from .services import services

bp = Blueprint("contacts", __name__, url_prefix="/contacts")


def contact_values(form: ContactForm) -> dict[str, Any]:
    """The form's values as the contact service takes them (an empty mobile clears it)."""
    return {
        "name": form.name.data or "",
        "email": form.email.data or "",
        "title": form.title.data or "",
        "mobile": (form.mobile.data or "").strip(),
    }


def add_contact(form: ContactForm) -> int:
    """Add Receiver: 201 when added, else the refusal's status with it on the form."""
    try:
        contact = services().contacts.add(g.user.account_id, **contact_values(form),
                                          actor=g.user.account_id)
    except IcpsimError as exc:
        return attach(form, exc)
    flash(gettext("%(name)s was added. A verification email is being sent to %(email)s "
                  "(Manage Contacts shows whether it went out): the contact receives "
                  "notifications once the link in it is opened.",
                  name=contact.name, email=contact.email))
    return 201


def page_context(account_id: str) -> dict[str, Any]:
    """Manage Contacts: the contacts, the 15 limit, and the verification emails (the newest
    email of each contact, and every one of them newest first, as a delivery log)."""
    contacts = services().contacts.list(account_id)
    most = services().config.max_contacts
    log = services().deliveries.list(account_id, kind="verification")
    newest = {(d.contact_id, d.channel): d for d in log if d.contact_id}  # log: oldest first
    names = {c.id: c.name for c in contacts}
    return {"contacts": contacts, "max_contacts": most, "at_limit": len(contacts) >= most,
            "verification": {cid: d for (cid, ch), d in newest.items() if ch == "email"},
            "verification_log": log[::-1], "contact_names": names,
            # Retry is offered for a contact's newest failed email or SMS only.
            "retryable": {d.id for (cid, _), d in newest.items()
                          if d.status == "failed" and cid in names}}


def _index(form: CsrfForm, *, error_for: int | None = None, status: int = 200) -> Any:
    return render_template("contacts.html", form=form, error_for=error_for,
                           **page_context(g.user.account_id)), status


@bp.route("/")
@owner_required
def index() -> Any:
    return _index(CsrfForm())


def _form_page(form: ContactForm, contact: Any, status: int = 200) -> Any:
    return render_template("contact_form.html", form=form, contact=contact,
                           **page_context(g.user.account_id)), status


@bp.route("/new", methods=["GET", "POST"])
@owner_required
def new() -> Any:
    form = ContactForm()
    if form.validate_on_submit():
        status = add_contact(form)
        if status == 201:
            return redirect(url_for("contacts.index"))
        return _form_page(form, None, status)
    return _form_page(form, None)


@bp.route("/<int:contact_id>/edit", methods=["GET", "POST"])
@owner_required
def edit(contact_id: int) -> Any:
    contact = services().contacts.get(g.user.account_id, contact_id)
    form = ContactForm(obj=contact)
    if form.validate_on_submit():
        before = contact.status, contact.updated_at
        try:
            contact = services().contacts.modify(g.user.account_id, contact_id,
                                                 **contact_values(form),
                                                 actor=g.user.account_id)
        except IcpsimError as exc:
            return _form_page(form, contact, attach(form, exc))
        if (contact.status, contact.updated_at) == before:
            flash(_("Nothing was changed."))
            return redirect(url_for("contacts.index"))
        flash(_("%(name)s was modified and must verify again: a new verification email was "
                "sent to %(email)s. Until then the contact receives nothing.",
                name=contact.name, email=contact.email))
        return redirect(url_for("contacts.index"))
    return _form_page(form, contact)


@bp.route("/<int:contact_id>/delete", methods=["GET", "POST"])
@owner_required
def delete(contact_id: int) -> Any:
    contact = services().contacts.get(g.user.account_id, contact_id)
    form = CsrfForm()
    if form.validate_on_submit():
        services().contacts.delete(g.user.account_id, contact_id, actor=g.user.account_id)
        flash(_("%(name)s was deleted and removed from every receiver list.",
                name=contact.name))
        return redirect(url_for("contacts.index"))
    return render_template("contact_delete.html", contact=contact, form=form)


@bp.route("/<int:contact_id>/resend", methods=["POST"])
@owner_required
def resend(contact_id: int) -> Any:
    form = CsrfForm()
    if form.validate_on_submit():
        try:
            contact = services().contacts.resend(g.user.account_id, contact_id,
                                                 actor=g.user.account_id)
        except IcpsimError as exc:
            return _index(form, error_for=contact_id, status=attach(form, exc))
        flash(gettext("A new verification email is being sent to %(email)s; older links no "
                      "longer work.", email=contact.email))
    return redirect(url_for("contacts.index"))


@bp.route("/verifications/<int:delivery_id>/retry", methods=["POST"])
@owner_required
def retry_verification(delivery_id: int) -> Any:
    """Retry a failed verification email or SMS: its link was discarded with it, so a new
    one is sent (as Resend does, with the same limits)."""
    form = CsrfForm()
    delivery = services().deliveries.get(g.user.account_id, delivery_id)
    if delivery.kind != "verification" or delivery.contact_id is None:
        abort(404)
    if form.validate_on_submit():
        try:
            contact = services().contacts.resend(g.user.account_id, delivery.contact_id,
                                                 actor=g.user.account_id,
                                                 channel=delivery.channel)
        except IcpsimError as exc:
            return _index(form, error_for=delivery.contact_id, status=attach(form, exc))
        where = contact.email if delivery.channel == "email" else contact.mobile
        flash(gettext("The verification was sent again to %(to)s with a new link.",
                      to=where))
    return redirect(url_for("contacts.index", _anchor="verification-log"))
