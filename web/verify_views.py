"""The verification link a contact opens from its email: no sign-in needed."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from notify.errors import LinkInvalid

from .services import services

bp = Blueprint("verify", __name__)

OUTCOMES = {
    "verified": ("Email address verified",
                 "Thank you. This email address is verified and can now be selected to "
                 "receive ICP filing notifications."),
    "expired": ("This link has expired",
                "Verification links are valid for 72 hours. Ask the account owner to resend "
                "the verification email from Manage Contacts."),
    "used": ("This link was already used",
             "The address was verified with this link before; nothing more to do."),
    "superseded": ("This link is no longer valid",
                   "A newer verification email was sent after this one: use the link in "
                   "the newest email."),
    "unknown": ("This link is invalid",
                "The link is not recognised. Check that it was copied completely, or ask "
                "the account owner to resend the verification email."),
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
        return render_template("verify.html", outcome="verified", title="Mobile verified",
                               text="Thank you. This mobile is verified and can now receive "
                                    "notifications by SMS.", contact=contact)
    title, text = OUTCOMES["verified"]
    return render_template("verify.html", outcome="verified", title=title, text=text,
                           contact=contact)
