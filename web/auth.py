"""Sign-in and sign-out, the signed-in user of each request, and the sign-in limits.

A session names its user and carries the user's session version and a fingerprint of
the password hash it was opened with: signing out raises the version (held in the
database, so every process agrees) and a new password changes the fingerprint, and
either way every copy of the old cookie stops working.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from workflow.signin_guard import SignInGuard, TooManyAttempts

from . import i18n
from .forms import SignInForm
from .services import EXTENSION
from .users import (
    OPERATOR,
    OWNER,
    REVIEWER,
    User,
    authenticate,
    dummy_hash,
    fingerprint,
    password_hash,
    reviewer_hash_file,
    set_reviewer_password,
)

bp = Blueprint("auth", __name__)
PUBLIC_ENDPOINTS = {"auth.signin", "verify.verify", "static", "i18n.switch", "favicon"}
GUARD = "icpsim.signin_guard"


def guard() -> SignInGuard:
    return current_app.extensions[GUARD]  # type: ignore[no-any-return]


@bp.route("/signin", methods=["GET", "POST"])
def signin() -> Any:
    form = SignInForm()
    if form.validate_on_submit():
        username = (form.username.data or "").strip()
        dummy_hash()  # made on the first attempt of any kind: no unknown id pays for it
        try:
            guard().attempt(username)
        except TooManyAttempts as exc:
            return render_template("signin.html", form=form, refusal=exc), exc.http_status
        user = authenticate(username, form.password.data or "")
        if user is None:
            guard().failed(username)
            form.password.errors = [_("The account ID or password is incorrect.")]
            return render_template("signin.html", form=form), 400
        guard().passed(username)
        chosen = session.get("lang")
        session.clear()
        if chosen:
            session["lang"] = chosen
        i18n.restore(user.username)
        session["user"] = [user.role, user.account_id, user.name]
        session["auth"] = [guard().session_version(username),
                           fingerprint(password_hash(username))]
        target = request.args.get("next", "")
        if not _local_path(target):
            target = url_for("filings.index" if user.is_reviewer else "settings.common")
        return redirect(target)
    return render_template("signin.html", form=form), 400 if form.errors else 200


def _local_path(target: str) -> bool:
    """A path on this console. Browsers read ``/\\host`` and ``/<tab>/host`` as ``//host``
    (another site), so backslashes, whitespace and control characters are refused too."""
    if not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
        return False
    return not any(c == "\\" or c.isspace() or ord(c) < 32 or ord(c) == 127 for c in target)


@bp.route("/signout", methods=["POST"])
def signout() -> Any:
    """Ends every session of the user, everywhere: copies of the cookie stop working."""
    if g.user is not None:
        guard().end_sessions(g.user.username)
    session.clear()
    flash(_("You have signed out."))
    return redirect(url_for("auth.signin"))


@bp.route("/")
def home() -> Any:
    return redirect(url_for("filings.index" if g.user.is_reviewer else "settings.common"))


def _load_user() -> Any:
    g.user = _session_user()
    if g.user is None and session.get("user"):
        session.clear()  # signed out elsewhere, a new password, or an older console's cookie
    if g.user is None and request.endpoint not in PUBLIC_ENDPOINTS:
        if request.endpoint is None:
            return None  # let the 404 handler answer
        return redirect(url_for("auth.signin", next=request.full_path.rstrip("?")))
    return None


def _session_user() -> User | None:
    """The signed-in user, if the session is still valid on the server side."""
    raw: Any = session.get("user")
    auth: Any = session.get("auth")
    try:
        user = User(*raw)
        version, mark = auth
    except (TypeError, ValueError):
        return None
    if user.role not in (OWNER, OPERATOR) or (user.role == OWNER) != bool(user.account_id):
        return None
    if version != guard().session_version(user.username):
        return None
    if not hmac.compare_digest(str(mark), fingerprint(password_hash(user.username))):
        return None
    return user


def owner_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Message Center pages belong to an account: the reviewer has none."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.user is None or g.user.account_id is None:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def install(app: Flask) -> None:
    system = app.extensions[EXTENSION]
    app.extensions[GUARD] = SignInGuard(system.db, system.clock)
    app.before_request(_load_user)


__all__ = ["OPERATOR", "OWNER", "REVIEWER", "User", "authenticate", "bp", "install",
           "owner_required", "reviewer_hash_file", "set_reviewer_password"]
