"""Filings: list, create, and the detail page with lifecycle, actions, history, deliveries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from workflow import names
from workflow.diagram import mermaid
from workflow.errors import IcpsimError, InvalidData
from workflow.lifecycle import RULES

from .auth import owner_required
from .errors import ActionNotPermitted, attach
from .forms import ActionForm, CsrfForm, FilingForm
from .i18n import console_language
from .lifecycle_svg import lifecycle_svg
from .services import services

if TYPE_CHECKING:
    from workflow.models import Filing

bp = Blueprint("filings", __name__, url_prefix="/filings")

# Who presses which button (documented in the README): the owner files and answers the
# MIIT SMS; the reviewer plays Alibaba Cloud and the authority. verify_sms is offered to
# both, because the simulator has no phone: the reviewer may confirm it for the owner.
OWNER_TRIGGERS = ("submit", "withdraw", "verify_sms", "rectify", "cancel")
REVIEWER_TRIGGERS = ("start_review", "pass_review", "reject", "verify_sms", "approve",
                     "start_inspection", "pass_inspection", "fail_inspection",
                     "extend_deadline")
OPTIONAL_DATA = {"fail_inspection": ("deadline_days",)}


def label(trigger: str) -> str:
    """A trigger's name in the console language ("Verify SMS", 完成短信核验)."""
    return names.trigger(trigger, console_language())


def my_triggers() -> tuple[str, ...]:
    return REVIEWER_TRIGGERS if g.user.is_reviewer else OWNER_TRIGGERS


def data_fields(trigger: str) -> tuple[str, ...]:
    """The form fields a trigger reads: its required data and optional extras."""
    return RULES[trigger].required + OPTIONAL_DATA.get(trigger, ())


def load(account_id: str, filing_id: str) -> Filing:
    """The filing, if the user may see it: an owner only their own (else a plain 404)."""
    if not g.user.is_reviewer and account_id != g.user.account_id:
        abort(404)
    return services().filings.get(account_id, filing_id)


@bp.route("/")
def index() -> Any:
    filings = services().filings.list(None if g.user.is_reviewer else g.user.account_id)
    return render_template("filings.html", filings=filings)


@bp.route("/new", methods=["GET", "POST"])
@owner_required
def new() -> Any:
    form = FilingForm()
    if form.validate_on_submit():
        try:
            filing = services().filings.create(
                g.user.account_id, (form.filing_id.data or "").strip(), type=form.type.data,
                domain=form.domain.data or "", website=form.website.data or "",
                actor=g.user.account_id)
        except IcpsimError as exc:
            status = attach(form, exc)
            return render_template("filing_new.html", form=form), status
        flash(_("Filing %(id)s was created as a draft.", id=filing.filing_id))
        return redirect(url_for("filings.show", account_id=filing.account_id,
                                filing_id=filing.filing_id))
    return render_template("filing_new.html", form=form)


def _detail(filing: Filing, form: ActionForm, status: int = 200) -> Any:
    svc = services()
    allowed = svc.filings.allowed_triggers(filing)
    mine = [t for t in allowed if t in my_triggers()]
    others = [t for t in allowed if t not in my_triggers()]
    fields = list(dict.fromkeys(f for t in mine for f in data_fields(t)))
    form.expected_version.data = str(filing.version)
    deliveries = svc.deliveries.list(filing.account_id, filing_id=filing.filing_id)
    return render_template(
        "filing.html", filing=filing, form=form, mine=mine, others=others, fields=fields,
        label=label, data_fields=data_fields,
        picture=lifecycle_svg(filing.state, console_language()),
        mermaid=mermaid(filing.state),
        history=svc.filings.history(filing.account_id, filing.filing_id),
        deliveries=deliveries, attempts={d.id: svc.deliveries.attempts(d.id)
                                         for d in deliveries if d.id is not None},
        retry_form=CsrfForm(formdata=None)), status


@bp.route("/<account_id>/<filing_id>")
def show(account_id: str, filing_id: str) -> Any:
    return _detail(load(account_id, filing_id), ActionForm(formdata=None))


def _data(form: ActionForm, trigger: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in data_fields(trigger):
        if name == "items":
            items = [line.strip() for line in (form.items.data or "").splitlines()]
            values["items"] = [i for i in items if i]
        elif name == "deadline_days":
            if form.deadline_days.data is not None:
                values["deadline_days"] = form.deadline_days.data
        else:
            values[name] = getattr(form, name).data or ""
    return values


@bp.route("/<account_id>/<filing_id>/fire", methods=["POST"])
def fire(account_id: str, filing_id: str) -> Any:
    filing = load(account_id, filing_id)
    form = ActionForm()
    trigger = request.form.get("trigger", "")
    if not form.validate_on_submit():
        if form.deadline_days.errors:  # not a whole number: shown next to the field
            form.deadline_days.errors = [_("The deadline must be a whole number of days.")]
            return _detail(filing, form, 400)
        abort(400)
    if trigger not in my_triggers():
        who = "the filing owner" if g.user.is_reviewer else "the reviewer"
        raise ActionNotPermitted(f"{trigger!r} is not an action you can take here; it is "
                                 f"for {who}, or it does not exist.")
    version = form.expected_version.data or ""
    if not version.isdigit():
        raise InvalidData("the form lost its version: reload the page", field="version")
    try:
        filing = services().filings.fire(
            account_id, filing_id, trigger, _data(form, trigger) if trigger in RULES else None,
            actor="reviewer" if g.user.is_reviewer else g.user.account_id,
            expected_version=int(version))
    except IcpsimError as exc:
        status = attach(form, exc)
        return _detail(services().filings.get(account_id, filing_id), form, status)
    flash(_("%(action)s: filing %(id)s is now %(state)s.", action=label(trigger),
            id=filing.filing_id, state=names.state(filing.state, console_language())))
    return redirect(url_for("filings.show", account_id=account_id, filing_id=filing_id))


@bp.route("/<account_id>/<filing_id>/deliveries/<int:delivery_id>/retry", methods=["POST"])
def retry(account_id: str, filing_id: str, delivery_id: int) -> Any:
    filing = load(account_id, filing_id)
    if services().deliveries.get(filing.account_id, delivery_id).filing_id != filing_id:
        abort(404)
    if CsrfForm().validate_on_submit():
        services().deliveries.retry(filing.account_id, delivery_id,
                                    actor="reviewer" if g.user.is_reviewer
                                    else g.user.account_id)
        flash(_("Delivery %(id)s will be tried again shortly.", id=delivery_id))
    return redirect(url_for("filings.show", account_id=account_id, filing_id=filing_id,
                            _anchor="deliveries"))
