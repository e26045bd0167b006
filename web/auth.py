"""Sign-in: account owners by account id and password, and the operator (reviewer) role.

A session names its user and carries the user's session version and a fingerprint of
the password hash it was opened with: signing out raises the version (held in the
database, so every process agrees) and a new password changes the fingerprint, and
either way every copy of the old cookie stops working.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, wraps
from pathlib import Path
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
from werkzeug.security import check_password_hash, generate_password_hash

from workflow.errors import NotFound
from workflow.signin_guard import SignInGuard, TooManyAttempts

from .forms import SignInForm
from .services import EXTENSION, services

bp = Blueprint("auth", __name__)
REVIEWER = "reviewer"  # the user name of the simulated Alibaba Cloud / authority reviewer
OWNER = "owner"  # role: one account's owner; sees only that account
OPERATOR = "operator"  # role: runs the simulator; reviews every filing, sees every message
PUBLIC_ENDPOINTS = {"auth.signin", "verify.verify", "static"}
GUARD = "icpsim.signin_guard"


@dataclass(frozen=True)
class User:
    role: str  # owner | operator
    account_id: str | None
    name: str

    @property
    def is_operator(self) -> bool:
        return self.role == OPERATOR

    @property
    def is_reviewer(self) -> bool:
        """The operator reviews filings (standing in for Alibaba Cloud and the authority)."""
        return self.is_operator

    @property
    def username(self) -> str:
        return self.account_id or REVIEWER


def reviewer_hash_file(instance_path: Path | str) -> Path:
    return Path(instance_path) / "reviewer.hash"


def set_reviewer_password(instance_path: Path | str, password: str) -> None:
    """Store the reviewer's password hash in the instance folder (never the password)."""
    path = reviewer_hash_file(instance_path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # 0600 from creation
    with os.fdopen(fd, "w") as out:
        out.write(generate_password_hash(password) + "\n")


def _reviewer_hash() -> str | None:
    configured = current_app.config.get("ICPSIM_REVIEWER_HASH")
    if configured:
        return str(configured)
    path = reviewer_hash_file(services().config.instance_path)
    return path.read_text().strip() if path.exists() else None


def _password_hash(username: str) -> str | None:
    """The stored hash of ``username`` (None: no such user, or no password)."""
    if username == REVIEWER:
        return _reviewer_hash()
    try:
        return services().accounts.get(username).password_hash  # type: ignore[no-any-return]
    except NotFound:
        return None


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Checked when there is no hash to check, so an unknown id takes as long to refuse."""
    return generate_password_hash(secrets.token_urlsafe(16))


def authenticate(username: str, password: str) -> User | None:
    """The user, or None; always checks one password hash, whether or not ``username``
    exists, so the time taken tells nothing."""
    stored = _password_hash(username)
    ok = check_password_hash(stored or _dummy_hash(), password) and stored is not None
    if not ok:
        return None
    if username == REVIEWER:
        return User(OPERATOR, None, "Reviewer")
    account = services().accounts.get(username)
    return User(OWNER, account.id, account.owner_name)


def guard() -> SignInGuard:
    return current_app.extensions[GUARD]  # type: ignore[no-any-return]


def _fingerprint(password_hash: str | None) -> str:
    """Names the password a session was opened with, without revealing anything of it."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, (password_hash or "").encode(), hashlib.sha256).hexdigest()[:32]


@bp.route("/signin", methods=["GET", "POST"])
def signin() -> Any:
    form = SignInForm()
    if form.validate_on_submit():
        username = (form.username.data or "").strip()
        _dummy_hash()  # made on the first attempt of any kind: no unknown id pays for it
        try:
            guard().attempt(username)
        except TooManyAttempts as exc:
            return render_template("signin.html", form=form, refusal=exc), exc.http_status
        user = authenticate(username, form.password.data or "")
        if user is None:
            guard().failed(username)
            form.password.errors = ["The account ID or password is incorrect."]
            return render_template("signin.html", form=form), 400
        guard().passed(username)
        session.clear()
        session["user"] = [user.role, user.account_id, user.name]
        session["auth"] = [guard().session_version(username),
                           _fingerprint(_password_hash(username))]
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
    flash("You have signed out.")
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
    raw, auth = session.get("user"), session.get("auth")
    try:
        user = User(*raw)
        version, fingerprint = auth
    except (TypeError, ValueError):
        return None
    if user.role not in (OWNER, OPERATOR) or (user.role == OWNER) != bool(user.account_id):
        return None
    if version != guard().session_version(user.username):
        return None
    if not hmac.compare_digest(str(fingerprint), _fingerprint(_password_hash(user.username))):
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
