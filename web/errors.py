"""Domain errors to HTTP responses, in one place: field errors, 404, 409, error pages."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, render_template, request
from flask_babel import gettext, lazy_gettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from workflow.errors import IcpsimError, InvalidTransition, NotFound, StaleFiling

from .error_messages import describe
from .i18n import console_language

log = logging.getLogger(__name__)
PAGE_LEVEL = (NotFound, InvalidTransition, StaleFiling)

TITLES = {
    400: _l("Bad request"),
    403: _l("Not available"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    409: _l("Not possible now"),
    500: _l("Something went wrong"),
}


class ActionNotPermitted(IcpsimError):
    """A filing button of the other role (owner vs reviewer)."""

    code = "action_not_permitted"
    http_status = 403


class Refusal(str):
    """A refusal as the console says it: the catalog's sentence in the console language.

    ``str()`` is the sentence; in a page it also shows the error's code in small print,
    for support (wherever a template writes ``{{ e }}``).
    """

    code: str

    @classmethod
    def of(cls, exc: IcpsimError) -> Refusal:
        said = cls(describe(exc, console_language()))
        said.code = exc.code
        return said

    def __html__(self) -> Markup:
        return Markup('{0} <small class="error-code">{1} <code>{2}</code></small>').format(
            str(self), _("Code:"), self.code)


def attach(form: FlaskForm, exc: IcpsimError) -> int:
    """Show a refusal next to its field (or above the form); returns the status to answer.

    Missing objects (404) and refused or stale transitions (409) are not form problems:
    they are raised again for the page-level handlers below.
    """
    if isinstance(exc, PAGE_LEVEL):
        raise exc
    field = getattr(form, exc.field, None) if exc.field else None
    said = Refusal.of(exc)
    if field is not None and hasattr(field, "errors"):
        field.errors = [*list(field.errors or []), said]
    else:
        form.form_errors.append(said)
    return exc.http_status


def _page(status: int, message: str, code: str | None = None) -> tuple[str, int]:
    title = str(TITLES.get(status, _("Error")))
    return render_template("error.html", status=status, title=title, message=message,
                           code=code), status


def _domain(exc: IcpsimError) -> Any:
    if exc.http_status == 404:
        # Another account's object and a missing one look the same
        # (docs/behaviour.md#accounts-and-the-owner).
        return _page(404, _("There is no such page, or it is not yours."), exc.code)
    return _page(exc.http_status, describe(exc, console_language()), exc.code)


def _csrf(exc: CSRFError) -> Any:
    return _page(400, _("The form has expired or was not sent from this console: reload the "
                        "page and try again."), "csrf")


# What each owner-only part of the console is for, said on its 403 page.
PURPOSES = {
    "settings": lazy_gettext("Common Settings chooses how each kind of message reaches an "
                             "account and who receives it."),
    "contacts": lazy_gettext("Manage Contacts keeps the people who receive an account's "
                             "messages."),
    "inbox": lazy_gettext("Internal Messages holds the messages sent to an account."),
    "channels": lazy_gettext("Webhooks and mobile numbers carry an account's messages."),
    "rules": lazy_gettext("Delivery rules limit and filter an account's messages."),
    "filings": lazy_gettext("This page creates and changes an account's own filings."),
}


def _forbidden() -> str:
    purpose = PURPOSES.get(request.blueprint or "",
                           lazy_gettext("This page belongs to an account's Message Center."))
    return gettext("%(purpose)s Only the account owner, signed in with the account ID, can "
                   "use it. The reviewer reviews filings: open Filings.", purpose=purpose)


def _http(exc: HTTPException) -> Any:
    status = exc.code or 500
    if status == 403:
        return _page(status, _forbidden())
    messages = {404: _("There is no such page, or it is not yours.")}
    return _page(status, messages.get(status, exc.description or ""))


def _crash(exc: Exception) -> Any:
    log.exception("unhandled error")
    return _page(500, _("The console hit an unexpected error. It has been logged; please try "
                        "again."))


def install(app: Flask) -> None:
    app.jinja_env.globals["describe"] = lambda exc: describe(exc, console_language())
    app.register_error_handler(IcpsimError, _domain)
    app.register_error_handler(CSRFError, _csrf)
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(Exception, _crash)
