"""The verification link a contact opens from its email: no sign-in needed."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l

from notify.errors import LinkInvalid

from .services import services

bp = Blueprint("verify", __name__)

OUTCOMES = {
    "verified": (_l("Email address verified"),
                 _l("Thank you. This email address is verified and can now be selected to "
                    "receive ICP filing notifications.")),
    "expired": (_l("This link has expired"),
                _l("Verification links are valid for 72 hours. Ask the account owner to "
                   "resend the verification email from Manage Contacts.")),
    "used": (_l("This link was already used"),
             _l("The address was verified with this link before; nothing more to do.")),
    "superseded": (_l("This link is no longer valid"),
                   _l("A newer verification email was sent after this one: use the link in "
                      "the newest email.")),
    "unknown": (_l("This link is invalid"),
                _l("The link is not recognised. Check that it was copied completely, or ask "
                   "the account owner to resend the verification email.")),
}


@bp.route("/verify/<token>")
def verify(token: str) -> Any:
    try:
        contact = services().contacts.verify(token)
    except LinkInvalid as exc:
        reason = exc.reason if exc.reason in OUTCOMES else "unknown"
        title, text = OUTCOMES[reason]
        return render_template("verify.html", outcome=reason, title=title, text=text,
                               contact=None), exc.http_status
    if contact.channel == "sms":
        return render_template("verify.html", outcome="verified", title=_l("Mobile verified"),
                               text=_l("Thank you. This mobile is verified and can now "
                                       "receive notifications by SMS."), contact=contact)
    title, text = OUTCOMES["verified"]
    return render_template("verify.html", outcome="verified", title=title, text=text,
                           contact=contact)
