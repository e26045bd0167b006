"""Sign-in: account owners by account id and password, and the reviewer role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
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
from workflow.limits import has_control

from .forms import SignInForm
from .services import services

bp = Blueprint("auth", __name__)
REVIEWER = "reviewer"  # the simulated Alibaba Cloud / authority reviewer
PUBLIC_ENDPOINTS = {"auth.signin", "verify.verify", "static"}


@dataclass(frozen=True)
class User:
    role: str  # owner | reviewer
    account_id: str | None
    name: str

    @property
    def is_reviewer(self) -> bool:
        return self.role == REVIEWER


def reviewer_hash_file(instance_path: Path | str) -> Path:
    return Path(instance_path) / "reviewer.hash"


def set_reviewer_password(instance_path: Path | str, password: str) -> None:
    """Store the reviewer's password hash in the instance folder (never the password)."""
    path = reviewer_hash_file(instance_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(generate_password_hash(password) + "\n")


def _reviewer_hash() -> str | None:
    configured = current_app.config.get("ICPSIM_REVIEWER_HASH")
    if configured:
        return str(configured)
    path = reviewer_hash_file(services().config.instance_path)
    return path.read_text().strip() if path.exists() else None


def authenticate(username: str, password: str) -> User | None:
    username = username.strip()
    if username == REVIEWER:
        stored = _reviewer_hash()
        ok = stored is not None and check_password_hash(stored, password)
        return User(REVIEWER, None, "Reviewer") if ok else None
    try:
        account = services().accounts.get(username)
    except NotFound:
        return None
    if account.password_hash and check_password_hash(account.password_hash, password):
        return User("owner", account.id, account.owner_name)
    return None


@bp.route("/signin", methods=["GET", "POST"])
def signin() -> Any:
    form = SignInForm()
    if form.validate_on_submit():
        user = authenticate(form.username.data or "", form.password.data or "")
        if user is None:
            form.password.errors = ["The account ID or password is incorrect."]
            return render_template("signin.html", form=form), 400
        session.clear()
        session["user"] = [user.role, user.account_id, user.name]
        target = request.args.get("next", "")
        if (not target.startswith("/") or target.startswith("//") or "\\" in target
                or has_control(target) or urlsplit(target).netloc):
            target = url_for("filings.index" if user.is_reviewer else "settings.common")
        return redirect(target)
    return render_template("signin.html", form=form), 400 if form.errors else 200


@bp.route("/signout", methods=["POST"])
def signout() -> Any:
    session.clear()
    flash("You have signed out.")
    return redirect(url_for("auth.signin"))


@bp.route("/")
def home() -> Any:
    return redirect(url_for("filings.index" if g.user.is_reviewer else "settings.common"))


def _load_user() -> Any:
    raw = session.get("user")
    try:
        g.user = User(*raw) if raw else None
    except TypeError:  # a cookie from an older console: sign in again
        session.clear()
        g.user = None
    if g.user is None and request.endpoint not in PUBLIC_ENDPOINTS:
        if request.endpoint is None:
            return None  # let the 404 handler answer
        return redirect(url_for("auth.signin", next=request.full_path.rstrip("?")))
    return None


def owner_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Message Center pages belong to an account: the reviewer has none."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.user is None or g.user.account_id is None:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def install(app: Flask) -> None:
    app.before_request(_load_user)
