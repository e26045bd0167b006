"""Manage Contacts: list, Add Receiver, Modify, Delete (confirmed), Resend verification."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, url_for
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
    flash(_("%(name)s was added. A verification email was sent to %(email)s: the contact "
            "receives notifications once the link in it is opened.",
            name=contact.name, email=contact.email))
    return 201


@bp.route("/")
@owner_required
def index() -> Any:
    contacts = services().contacts.list(g.user.account_id)
    return render_template("contacts.html", contacts=contacts, form=CsrfForm())


@bp.route("/new", methods=["GET", "POST"])
@owner_required
def new() -> Any:
    form = ContactForm()
    if form.validate_on_submit():
        status = add_contact(form)
        if status == 201:
            return redirect(url_for("contacts.index"))
        return render_template("contact_form.html", form=form, contact=None), status
    return render_template("contact_form.html", form=form, contact=None)


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
            status = attach(form, exc)
            return render_template("contact_form.html", form=form, contact=contact), status
        if (contact.status, contact.updated_at) == before:
            flash(_("Nothing was changed."))
            return redirect(url_for("contacts.index"))
        flash(_("%(name)s was modified and must verify again: a new verification email was "
                "sent to %(email)s. Until then the contact receives nothing.",
                name=contact.name, email=contact.email))
        return redirect(url_for("contacts.index"))
    return render_template("contact_form.html", form=form, contact=contact)


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
            attach(form, exc)
            contacts = services().contacts.list(g.user.account_id)
            return render_template("contacts.html", contacts=contacts, form=form,
                                   error_for=contact_id), exc.http_status
        flash(_("A new verification email was sent to %(email)s; older links no longer "
                "work.", email=contact.email))
    return redirect(url_for("contacts.index"))
