"""The console's language (English or Chinese), chosen with the switch in the page header.

Flask-Babel translates every label, button and message: templates use ``_()`` and views
``gettext``/``lazy_gettext``. The console language is the reader's choice and is separate
from the account's message language, which decides the language of notifications.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, g, redirect, request, session, url_for
from flask_babel import Babel
from flask_babel import lazy_gettext as _l

from workflow import names

from .delivery_reasons import plain_reason
from .services import services

LANGUAGES = {"en": "English", "zh": "中文"}
DEFAULT = "en"
TRANSLATIONS = Path(__file__).parent / "translations"

bp = Blueprint("i18n", __name__)

# The statuses of contacts, mobiles and deliveries; a filing's states are in workflow.names.
STATUSES = {
    "pending": _l("Pending"),
    "verified": _l("Verified"),
    "expired": _l("Expired"),
    "sending": _l("Sending"),
    "sent": _l("Sent"),
    "failed": _l("Failed"),
    "skipped": _l("Skipped"),
    "temporary": _l("Temporary failure"),
    "permanent": _l("Permanent failure"),
    "released": _l("Released"),
}


def console_language() -> str:
    """The language of this request's pages: the reader's choice, else English."""
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else DEFAULT

# What a transition recorded (the filing's history), by field.
DATA_NAMES = {
    "reason": _l("Reason"),
    "icp_number": _l("ICP number"),
    "items": _l("Unqualified items"),
    "deadline": _l("Deadline"),
    "deadline_days": _l("Deadline (days)"),
    "expires_at": _l("Expires"),
}


# A contact's title is stored as one of these values; people read its name.
TITLE_NAMES = {
    "CEO": _l("CEO"),
    "Technical Director": _l("Technical Director"),
    "Maintenance Director": _l("Maintenance Director"),
    "Project Director": _l("Project Director"),
    "Finance Director": _l("Finance Director"),
    "Other": _l("Other"),
}


def title_name(title: str | None) -> str:
    return str(TITLE_NAMES.get(title or "", title or ""))


def data_name(key: str) -> str:
    return str(DATA_NAMES[key]) if key in DATA_NAMES else key.replace("_", " ")


def status_name(status: str | None) -> str:
    """A status or a filing state by its name in the console language, never its id."""
    if not status:
        return ""
    if status in STATUSES:
        return str(STATUSES[status])
    return names.state(status, console_language())


@bp.route("/language/<code>", methods=["POST"])
def switch(code: str) -> Any:
    """Sets the console language (kept for the signed-in user) and returns to the page."""
    from .auth import _local_path

    if code in LANGUAGES:
        session["lang"] = code
        if getattr(g, "user", None) is not None:
            services().accounts.set_console_language(g.user.username, code)
    target = request.form.get("next", "")
    return redirect(target if _local_path(target) else url_for("auth.home"))


def restore(username: str) -> None:
    """At sign-in: the language the user chose last, else the one chosen before signing in."""
    kept = services().accounts.console_language(username)
    if kept is not None:
        session["lang"] = kept


def install(app: Flask) -> None:
    Babel(app, locale_selector=console_language,
          default_translation_directories=str(TRANSLATIONS))
    app.register_blueprint(bp)
    app.context_processor(lambda: {"languages": LANGUAGES, "console_lang": console_language()})
    app.jinja_env.globals.update(
        status_name=status_name, data_name=data_name, names=names, title_name=title_name,
        plain_reason=lambda detail, channel="email": plain_reason(detail, console_language(),
                                                                  channel))
    app.jinja_env.filters.update(
        data_name=data_name, status_name=status_name,
        trigger_name=lambda key: names.trigger(key, console_language()))
