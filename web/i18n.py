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

from .services import services

LANGUAGES = {"en": "English", "zh": "中文"}
DEFAULT = "en"
TRANSLATIONS = Path(__file__).parent / "translations"

bp = Blueprint("i18n", __name__)


def console_language() -> str:
    """The language of this request's pages: the reader's choice, else English."""
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else DEFAULT


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
