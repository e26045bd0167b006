"""Routes of the control API: accounts, access keys, filings, the clock, scenario runs."""

from __future__ import annotations

import tempfile
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Response, jsonify, request
from flask_openapi3 import OpenAPI, Tag

from notify.validation import clean_mobile
from scenarios.report import to_json
from scenarios.runner import run_scenario
from scenarios.stepping import step_to
from scenarios.validate import InvalidScenario, load_scenario
from workflow.clock import SimulatedClock, as_utc
from workflow.durations import parse_duration
from workflow.errors import Conflict, InvalidData

from ..rpc.security import security
from ..services import services
from . import schemas as s
from .observed import register_observers

V1 = "/_icpsim/v1"
BEARER: list[dict[str, list[Any]]] = [{"bearer": []}]
_advancing = threading.Lock()
LONGEST = timedelta(days=3650)


class ClockNotSimulated(Conflict):
    code = "clock_not_simulated"


def _created(value: Any) -> Response:
    response = jsonify(value)
    response.status_code = 201
    return response


def register(app: OpenAPI) -> None:
    tag = Tag(name="control")

    @app.get(f"{V1}/health", tags=[tag], responses={200: s.Health})
    def health() -> Any:
        return {"status": "ok"}

    @app.post(f"{V1}/accounts", tags=[tag], security=BEARER,
              responses={201: s.Account, 400: s.Error})
    def create_account(body: s.NewAccount) -> Any:
        owner_email = _email(body.owner.email)
        mobile = clean_mobile(body.owner.mobile)  # checked before anything is created
        services().accounts.create(body.id, owner_name=body.owner.name,
                                   owner_email=owner_email, language=body.language)
        if mobile:
            services().rules.set_owner_mobile(body.id, mobile, actor="control-api")
        return _created({"id": body.id, "language": body.language,
                         "owner": {"name": body.owner.name, "email": owner_email,
                                   "mobile": mobile}})

    @app.post(f"{V1}/accounts/<id>/access-keys", tags=[tag], security=BEARER,
              responses={201: s.AccessKey, 404: s.Error})
    def create_access_key(path: s.AccountPath) -> Any:
        key = security().keys.create(path.id)
        return _created({"AccessKeyId": key.id, "AccessKeySecret": key.secret})

    @app.post(f"{V1}/accounts/<id>/filings", tags=[tag], security=BEARER,
              responses={201: s.Filing, 400: s.Error, 404: s.Error})
    def create_filing(path: s.AccountPath, body: s.NewFiling) -> Any:
        system = services()
        system.filings.create(path.id, body.id, type=body.type, domain=body.domain,
                              website=body.website, actor="control-api")
        system.run_due()
        return _created(_filing(path.id, body.id))

    @app.get(f"{V1}/filings/<filing>", tags=[tag], security=BEARER,
             responses={200: s.Filing, 404: s.Error})
    def get_filing(path: s.FilingPath, query: s.AccountQuery) -> Any:
        return _filing(_account_of(path.filing, query.account), path.filing)

    @app.post(f"{V1}/filings/<filing>/fire", tags=[tag], security=BEARER,
              responses={200: s.Filing, 400: s.Error, 404: s.Error, 409: s.Error})
    def fire(path: s.FilingPath, query: s.AccountQuery, body: s.Fire) -> Any:
        system = services()
        account = _account_of(path.filing, query.account)
        system.filings.fire(account, path.filing, body.trigger, body.data or None,
                            actor=body.actor)
        system.run_due()
        return _filing(account, path.filing)

    @app.get(f"{V1}/clock", tags=[tag], security=BEARER, responses={200: s.Clock})
    def clock() -> Any:
        system = services()
        return {"now": system.clock.now().isoformat(),
                "simulated": isinstance(system.clock, SimulatedClock)}

    @app.post(f"{V1}/clock/advance", tags=[tag], security=BEARER,
              responses={200: s.Clock, 400: s.Error, 409: s.Error})
    def advance(body: s.Advance) -> Any:
        system = services()
        if not isinstance(system.clock, SimulatedClock):
            raise ClockNotSimulated("the server runs on the system clock; start it with "
                                    "`icpsim serve --simulated-clock START` to move time")
        with _advancing:
            target = _target(system.clock.now(), body)
            step_to(system.clock, target, next_due=system.next_due_at(),
                    settle=system.settle)
        return {"now": system.clock.now().isoformat(), "simulated": True}

    @app.post(f"{V1}/scenarios/run", tags=[tag], security=BEARER,
              responses={200: s.Report, 400: s.Error})
    def run() -> Any:
        text = request.get_data(as_text=True)
        with tempfile.TemporaryDirectory(prefix="icpsim-posted-") as tmp:
            path = Path(tmp) / "posted.yaml"
            path.write_text(text, encoding="utf-8")
            try:
                scenario = load_scenario(path)
            except InvalidScenario as exc:
                response = jsonify({"code": "invalid_scenario",
                                    "message": f"the scenario file has {len(exc.problems)} "
                                               "problem(s); nothing was run",
                                    "problems": [{"line": p.line, "message": p.message}
                                                 for p in exc.problems]})
                response.status_code = 422
                return response
            return to_json([run_scenario(scenario)])

    register_observers(app, tag)


def _email(value: str) -> str:
    from notify.validation import clean_email

    return clean_email(value).address


def _account_of(filing_id: str, given: str | None) -> str:
    if given:
        return given
    return str(services().filings.find(filing_id).account_id)


def _target(now: datetime, body: s.Advance) -> datetime:
    if (body.by is None) == (body.to is None):
        raise InvalidData("give exactly one of by (a duration such as 3d) or to (an ISO "
                          "8601 time)", field="by")
    if body.by is not None:
        try:
            delta = parse_duration(body.by)
            if delta > LONGEST:
                raise ValueError("the clock moves at most 10 years at a time")
        except (ValueError, OverflowError) as exc:
            raise InvalidData(f"by={body.by!r} is not a duration: {exc}", field="by") from None
        target = now + delta
    else:
        try:
            moment = datetime.fromisoformat(str(body.to))
        except ValueError:
            raise InvalidData(f"to={body.to!r} is not an ISO 8601 time", field="to") from None
        if moment.tzinfo is None:
            raise InvalidData("to must name its zone (e.g. 2026-01-01T00:00:00Z)", field="to")
        target = as_utc(moment)
    if target < now:
        raise InvalidData(f"the clock cannot move back from {now.isoformat()} to "
                          f"{target.isoformat()}", field="to")
    if target - now > LONGEST:
        raise InvalidData("the clock moves at most 10 years at a time", field="to")
    return target


def _filing(account_id: str, filing_id: str) -> dict[str, Any]:
    filings = services().filings
    row = filings.get(account_id, filing_id)

    def iso(value: datetime | None) -> str | None:
        return None if value is None else as_utc(value).isoformat()

    return {"id": row.filing_id, "account": row.account_id, "type": row.type,
            "domain": row.domain, "website": row.website, "state": row.state,
            "version": row.version, "icp_number": row.icp_number,
            "sms_deadline": iso(row.sms_deadline),
            "rectification_deadline": iso(row.rectification_deadline),
            "created_at": iso(row.created_at),
            "allowed_triggers": filings.allowed_triggers(row),
            "history": [{"at": iso(h.at), "trigger": h.trigger, "source": h.source,
                         "dest": h.dest, "actor": h.actor, "data": h.data}
                        for h in filings.history(account_id, filing_id)]}


__all__ = ["register"]
