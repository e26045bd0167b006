"""Internal Messages: the account's inbox, newest first, filter, read, delete."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from workflow import names

from .auth import owner_required
from .forms import CsrfForm
from .i18n import console_language
from .services import services

bp = Blueprint("inbox", __name__, url_prefix="/messages")

TYPES = tuple(names.NOTIFICATION_TYPES)


def _types() -> dict[str, str]:
    """The message types by their names in the console language, for the filter and rows."""
    language = console_language()
    return {key: names.notification_type(key, language) for key in TYPES}


@bp.route("/")
@owner_required
def index() -> Any:
    kind = request.args.get("type") or None
    if kind is not None and kind not in TYPES:
        abort(404)
    messages = services().inbox.list(g.user.account_id, type=kind)
    shown_unread = services().inbox.unread_count(g.user.account_id, type=kind)
    return render_template("inbox.html", messages=messages, types=_types(), kind=kind,
                           shown_unread=shown_unread, form=CsrfForm())


@bp.route("/<int:message_id>")
@owner_required
def show(message_id: int) -> Any:
    message = services().inbox.open(g.user.account_id, message_id)  # marks it read
    return render_template("message.html", message=message, types=_types(),
                           form=CsrfForm())


@bp.route("/read-all", methods=["POST"])
@owner_required
def read_all() -> Any:
    if CsrfForm().validate_on_submit():
        count = services().inbox.mark_all_read(g.user.account_id)
        flash(ngettext("%(num)d message marked as read.", "%(num)d messages marked as read.",
                       count))
    return redirect(url_for("inbox.index"))


def _confirmed() -> bool:
    """Deleting asks first: the button's own post shows a confirmation page (or, with
    script, a confirm dialog that adds ``confirmed``); only a confirmed post deletes."""
    return request.form.get("confirmed") == "yes"


@bp.route("/<int:message_id>/delete", methods=["POST"])
@owner_required
def delete(message_id: int) -> Any:
    form = CsrfForm()
    if form.validate_on_submit():
        message = services().inbox.get(g.user.account_id, message_id)
        if not _confirmed():
            return render_template("inbox_delete.html", message=message, form=form,
                                   action=url_for("inbox.delete", message_id=message_id))
        services().inbox.delete(g.user.account_id, message_id)
        flash(_("The message was deleted."))
    return redirect(url_for("inbox.index"))


@bp.route("/delete-all", methods=["POST"])
@owner_required
def delete_all() -> Any:
    form = CsrfForm()
    if form.validate_on_submit():
        if not _confirmed():
            total = len(services().inbox.list(g.user.account_id))
            return render_template("inbox_delete.html", message=None, total=total, form=form,
                                   action=url_for("inbox.delete_all"))
        count = services().inbox.delete_all(g.user.account_id)
        flash(ngettext("%(num)d message deleted.", "%(num)d messages deleted.", count))
    return redirect(url_for("inbox.index"))
