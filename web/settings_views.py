"""Message Center > Common Settings and the Modify Contact page of one category."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from notify.catalog import CHANNEL_NAMES, CHANNELS, get_category
from workflow.errors import IcpsimError

from .auth import owner_required
from .contacts_views import add_contact
from .errors import attach
from .forms import ContactForm, CsrfForm
from .i18n import console_language, status_name
from .services import services

bp = Blueprint("settings", __name__, url_prefix="/settings")


def _rows(account_id: str) -> list[dict[str, Any]]:
    """Sections with their categories: channel states and receiver names per row."""
    language = console_language()
    return [
        {"name": sec.section.name(language),
         "rows": [{"key": row.category.key, "name": row.category.name(language),
                   "channels": row.channels,
                   "receivers": [r.name if r.status == "verified"
                                 else _("%(name)s (%(status)s)", name=r.name,
                                        status=status_name(r.status))
                                 for r in row.receivers],
                   "receiver_ids": [r.contact_id for r in row.receivers
                                    if r.contact_id is not None]}
                  for row in sec.categories]}
        for sec in services().settings.common_settings(account_id)
    ]


def _limits(account_id: str) -> dict[str, Any]:
    """What both Modify Contact views show: the owner, the contacts and the 15 limit."""
    contacts = services().contacts.list(account_id)
    most = services().config.max_contacts
    return {"owner": services().accounts.get(account_id), "contacts": contacts,
            "max_contacts": most, "at_limit": len(contacts) >= most}


def _common(form: CsrfForm, *, error_row: str | None = None, status: int = 200,
            open_dialog: str | None = None, contact_form: ContactForm | None = None,
            receiver_errors: list[str] | None = None) -> Any:
    """Common Settings with a Modify Contact dialog per row (``open_dialog`` opens one)."""
    account_id = g.user.account_id
    sections = _rows(account_id)
    modify = {}
    for section in sections:
        for row in section["rows"]:
            key = row["key"]
            mine = key == open_dialog
            modify[key] = {
                "category": get_category(key),
                "selected": set(row["receiver_ids"]),
                "contact_form": contact_form if mine and contact_form is not None
                else ContactForm(formdata=None, prefix=key),
                "receiver_errors": (receiver_errors or []) if mine else [],
            }
    return render_template("settings.html", sections=sections, channels=CHANNELS,
                           channel_names=CHANNEL_NAMES, form=form, error_row=error_row,
                           modify=modify, open_dialog=open_dialog,
                           **_limits(account_id)), status


@bp.route("/")
@owner_required
def common() -> Any:
    wanted = request.args.get("modify")
    if wanted is not None:
        wanted = get_category(wanted).key
    return _common(CsrfForm(), open_dialog=wanted)


@bp.route("/<category>/channels", methods=["POST"])
@owner_required
def channels(category: str) -> Any:
    cat = get_category(category)
    form = CsrfForm()
    if form.validate_on_submit():
        chosen = request.form.getlist("channels")
        try:
            services().settings.set_channels(g.user.account_id, cat.key, chosen,
                                             actor=g.user.account_id)
        except IcpsimError as exc:
            return _common(form, error_row=cat.key, status=attach(form, exc))
        flash(_("Saved the channels of %(category)s.", category=cat.name(console_language())))
    return redirect(url_for("settings.common", _anchor=f"row-{cat.key}"))


def _modify_page(category: str, contact_form: ContactForm, form: CsrfForm,
                 status: int = 200) -> Any:
    cat = get_category(category)
    account_id = g.user.account_id
    selected = {c.id for c in services().settings.receivers(account_id, cat.key)}
    return render_template("receivers.html", category=cat, selected=selected, form=form,
                           contact_form=contact_form, **_limits(account_id)), status


def _via_dialog() -> bool:
    return request.form.get("via") == "dialog"


@bp.route("/<category>/receivers", methods=["GET", "POST"])
@owner_required
def receivers(category: str) -> Any:
    cat = get_category(category)
    form = CsrfForm()
    if form.validate_on_submit():
        try:
            ids = [int(v) for v in request.form.getlist("contacts") if v.isdigit()]
            services().settings.select_receivers(g.user.account_id, cat.key, ids,
                                                 actor=g.user.account_id)
        except IcpsimError as exc:
            status = attach(form, exc)
            if _via_dialog():
                return _common(CsrfForm(formdata=None), status=status, open_dialog=cat.key,
                               receiver_errors=form.form_errors)
            return _modify_page(cat.key, ContactForm(formdata=None), form, status)
        flash(_("Saved the receivers of %(category)s.",
                category=cat.name(console_language())))
        if _via_dialog():
            return redirect(url_for("settings.common", _anchor=f"row-{cat.key}"))
        return redirect(url_for("settings.receivers", category=cat.key))
    return _modify_page(cat.key, ContactForm(formdata=None), form)


@bp.route("/<category>/receivers/add", methods=["POST"])
@owner_required
def add_receiver(category: str) -> Any:
    cat = get_category(category)
    dialog = _via_dialog()
    contact_form = ContactForm(prefix=cat.key) if dialog else ContactForm()
    status = add_contact(contact_form) if contact_form.validate_on_submit() else 400
    if status == 201:
        if dialog:  # the dialog stays open on the new, pending contact
            return redirect(url_for("settings.common", modify=cat.key,
                                    _anchor=f"modify-{cat.key}"))
        return redirect(url_for("settings.receivers", category=cat.key))
    if dialog:
        return _common(CsrfForm(formdata=None), status=status, open_dialog=cat.key,
                       contact_form=contact_form)
    return _modify_page(cat.key, contact_form, CsrfForm(formdata=None), status)
