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
                                 for r in row.receivers]}
                  for row in sec.categories]}
        for sec in services().settings.common_settings(account_id)
    ]


def _common(form: CsrfForm, *, error_row: str | None = None, status: int = 200) -> Any:
    return render_template("settings.html", sections=_rows(g.user.account_id),
                           channels=CHANNELS, channel_names=CHANNEL_NAMES, form=form,
                           error_row=error_row), status


@bp.route("/")
@owner_required
def common() -> Any:
    return _common(CsrfForm())


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
    return render_template("receivers.html", category=cat,
                           owner=services().accounts.get(account_id),
                           contacts=services().contacts.list(account_id),
                           selected=selected, form=form, contact_form=contact_form), status


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
            return _modify_page(cat.key, ContactForm(formdata=None), form, status)
        flash(_("Saved the receivers of %(category)s.",
                category=cat.name(console_language())))
        return redirect(url_for("settings.receivers", category=cat.key))
    return _modify_page(cat.key, ContactForm(formdata=None), form)


@bp.route("/<category>/receivers/add", methods=["POST"])
@owner_required
def add_receiver(category: str) -> Any:
    cat = get_category(category)
    contact_form = ContactForm()
    status = add_contact(contact_form) if contact_form.validate_on_submit() else 400
    if status == 201:
        return redirect(url_for("settings.receivers", category=cat.key))
    return _modify_page(cat.key, contact_form, CsrfForm(formdata=None), status)
