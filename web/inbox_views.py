"""Internal Messages: the account's inbox, newest first, filter, read, delete."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext

from .auth import owner_required
from .forms import CsrfForm
from .services import services

bp = Blueprint("inbox", __name__, url_prefix="/messages")

TYPES = {
    "application_progress": "Application progress",
    "application_review_result": "Application review result",
    "item_review_result": "Item review result",
}


@bp.route("/")
@owner_required
def index() -> Any:
    kind = request.args.get("type") or None
    if kind is not None and kind not in TYPES:
        abort(404)
    messages = services().inbox.list(g.user.account_id, type=kind)
    shown_unread = services().inbox.unread_count(g.user.account_id, type=kind)
    return render_template("inbox.html", messages=messages, types=TYPES, kind=kind,
                           shown_unread=shown_unread, form=CsrfForm())


@bp.route("/<int:message_id>")
@owner_required
def show(message_id: int) -> Any:
    message = services().inbox.open(g.user.account_id, message_id)  # marks it read
    return render_template("message.html", message=message, types=TYPES, form=CsrfForm())


@bp.route("/read-all", methods=["POST"])
@owner_required
def read_all() -> Any:
    if CsrfForm().validate_on_submit():
        count = services().inbox.mark_all_read(g.user.account_id)
        flash(f"{count} message(s) marked as read.")
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
        flash(gettext("The message was deleted."))
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
        flash(gettext("%(n)s message(s) deleted.", n=count))
    return redirect(url_for("inbox.index"))
