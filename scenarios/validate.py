"""Check a loaded scenario document against the contract; every problem names its line."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from notify.validation import clean_email, clean_owner_name
from workflow.errors import IcpsimError

from .loader import LoadError, load_file
from .model import AccountSpec, Check, Scenario, Step
from .problems import InvalidScenario, Problem, hint, line_of
from .schema import (
    ACCOUNT_ID,
    ACTIONS,
    CHECKS,
    ERROR_CODE,
    LATEST,
    SMTP_CODES,
    STEP_KEYS,
    TEXT,
    FieldError,
    Kind,
    Shape,
    enum,
)

TOP_KEYS = ("name", "description", "start", "accounts", "steps")


def load_scenario(path: Path | str) -> Scenario:
    """Load and validate one file; raise InvalidScenario naming each problem's line."""
    path = Path(path)
    try:
        doc = load_file(path)
    except LoadError as exc:
        raise InvalidScenario([Problem(path, exc.line, exc.message)]) from None
    return Validator(path).scenario(doc)


class Validator:
    def __init__(self, path: Path):
        self.path = path
        self.problems: list[Problem] = []
        self.account_ids: tuple[str, ...] = ()
        self.filings: set[str] = set()

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def scenario(self, doc: Any) -> Scenario:
        if not isinstance(doc, dict):
            self.problem(getattr(doc, "line", 1), "a scenario file must be a mapping "
                         "with name, start, accounts and steps")
            raise InvalidScenario(self.problems)
        for key in doc:
            if key not in TOP_KEYS:
                self.problem(line_of(doc, key, 1), f"unknown key {key!r}{hint(str(key), TOP_KEYS)}")
        name = self.field(doc, "name", TEXT, "scenario", required=True, line=1)
        description = self.field(doc, "description", TEXT, "scenario", line=1) or ""
        start = self.field(doc, "start", Kind("time"), "scenario", required=True, line=1)
        accounts = self.accounts(doc)
        steps = self.steps(doc, start)
        if self.problems:
            raise InvalidScenario(self.problems)
        return Scenario(self.path, name, start, accounts, steps, description)

    # fields ------------------------------------------------------------------
    def field(self, mapping: Any, key: str, kind: Kind, where: str, *, required: bool = False,
              line: int = 0) -> Any:
        if key not in mapping:
            if required:
                self.problem(getattr(mapping, "line", line),
                             f"{where}: missing field {key!r} ({kind.describe()})")
            return None
        try:
            return kind.convert(mapping[key])
        except FieldError as exc:
            self.problem(line_of(mapping, key, line), f"{where}: field {key!r}: {exc}")
            return None

    def fields(self, mapping: Any, shape: Shape, where: str, line: int) -> dict[str, Any]:
        known = {**shape.fields, "account": TEXT} if shape.scope else shape.fields
        for key in mapping:
            if key not in known:
                expected = ", ".join(known) or "no fields"
                self.problem(line_of(mapping, key, line),
                             f"{where}: unknown field {key!r}"
                             + (hint(str(key), known) if known else f" ({expected})"))
        out: dict[str, Any] = {}
        order = [k for k in mapping if k in shape.fields]  # as written, for reports
        order += [k for k in shape.required if k not in mapping]
        for key in order:
            value = self.field(mapping, key, shape.fields[key], where,
                               required=key in shape.required, line=line)
            if value is not None:
                out[key] = value
        present = [k for k in shape.exactly_one if k in mapping]
        if shape.exactly_one and len(present) != 1:
            self.problem(line, f"{where}: give exactly one of {', '.join(shape.exactly_one)}")
        if shape.at_least_one and not any(k in mapping for k in shape.at_least_one):
            self.problem(line, f"{where}: give at least one of {', '.join(shape.at_least_one)}")
        return out

    def account_ref(self, mapping: Any, shape: Shape, where: str, line: int,
                    default: str | None = None) -> str | None:
        given = self.field(mapping, "account", TEXT, where, line=line) if shape.scope else None
        given = given or default
        if given is not None and given not in self.account_ids:
            self.problem(line_of(mapping, "account", line),
                         f"{where}: unknown account {given!r}{hint(given, self.account_ids)}")
            return None
        if given is None and shape.scope == "required":
            if len(self.account_ids) == 1:
                return self.account_ids[0]
            if len(self.account_ids) > 1:
                self.problem(line, f"{where}: which account? this scenario has several "
                             f"({', '.join(self.account_ids)}): add account: ID")
        return given

    # accounts ----------------------------------------------------------------
    def accounts(self, doc: Any) -> tuple[AccountSpec, ...]:
        items = doc.get("accounts")
        if not isinstance(items, list) or not items:
            self.problem(line_of(doc, "accounts", 1), "accounts: expected a list of one or more "
                         "accounts (id, owner: {name, email}, language?)")
            return ()
        out: list[AccountSpec] = []
        for i, item in enumerate(items):
            line = line_of(items, i, items.line if hasattr(items, "line") else 1)
            if not isinstance(item, dict):
                self.problem(line, "accounts: each account is a mapping with id and owner")
                continue
            for key in item:
                if key not in ("id", "owner", "language"):
                    self.problem(line_of(item, key, line), f"account: unknown field {key!r} "
                                 "(expected: id, owner, language)")
            aid = self.field(item, "id", TEXT, "account", required=True, line=line)
            if aid is not None and not ACCOUNT_ID.fullmatch(aid):
                self.problem(line_of(item, "id", line),
                             f"account: id {aid!r} must be 1-64 of a-z, 0-9 and -")
            if aid is not None and aid in [a.id for a in out]:
                self.problem(line_of(item, "id", line), f"account: duplicate id {aid!r}")
            owner = item.get("owner")
            oname = oemail = None
            if not isinstance(owner, dict):
                self.problem(line_of(item, "owner", line),
                             "account: owner: expected a mapping {name, email}")
            else:
                oline = getattr(owner, "line", line)
                for key in owner:
                    if key not in ("name", "email"):
                        self.problem(line_of(owner, key, oline),
                                     f"owner: unknown field {key!r} (expected: name, email)")
                oname = self.field(owner, "name", TEXT, "owner", required=True, line=oline)
                oemail = self.field(owner, "email", TEXT, "owner", required=True, line=oline)
                if oname is not None:
                    oname = self.checked(owner, "name", oname, clean_owner_name, oline)
                if oemail is not None:
                    oemail = self.checked(owner, "email", oemail,
                                          lambda v: clean_email(v).address, oline)
            language = self.field(item, "language", enum("en", "zh"), "account", line=line)
            if aid and oname is not None and oemail is not None:
                out.append(AccountSpec(aid, oname, oemail, language or "en"))
        self.account_ids = tuple(a.id for a in out)
        return tuple(out)

    def checked(self, mapping: Any, key: str, value: str, clean: Callable[[str], str],
                line: int) -> str | None:
        """The value as the services will take it, or a problem with their message."""
        try:
            return clean(value)
        except IcpsimError as exc:
            self.problem(line_of(mapping, key, line), f"owner: {key}: {exc.message}")
            return None

    # steps -------------------------------------------------------------------
    def steps(self, doc: Any, start: datetime | None) -> tuple[Step, ...]:
        items = doc.get("steps")
        if not isinstance(items, list):
            self.problem(line_of(doc, "steps", 1), "steps: expected a list of steps")
            return ()
        now = start
        out: list[Step] = []
        for i, item in enumerate(items):
            step = self.step(i + 1, item, line_of(items, i, 1))
            if step is None:
                continue
            if now is not None and step.action == "advance":
                now = now + step.args["value"]
                if now >= LATEST:
                    self.problem(step.line, f"advance: takes the scenario's time to "
                                 f"{now.isoformat()}, past the last year a scenario can "
                                 f"simulate ({LATEST.year - 1})")
                    now = None
            elif now is not None and step.action == "advance_to":
                if step.args["value"] < now:
                    self.problem(step.line, f"advance_to: {step.args['value'].isoformat()} is "
                                 f"before the scenario's time at that step ({now.isoformat()})")
                now = max(now, step.args["value"])
            out.append(step)
        return tuple(out)

    def step(self, number: int, item: Any, line: int) -> Step | None:
        where = f"step {number}"
        if not isinstance(item, dict):
            self.problem(line, f"{where}: a step is a mapping with one action key, "
                         f"e.g. '- advance: 1d'")
            return None
        actions = [k for k in item if k not in STEP_KEYS]
        if len(actions) != 1:
            found = ", ".join(map(str, actions)) or "none"
            self.problem(line, f"{where}: expected exactly one action key, found {found}")
            return None
        action = str(actions[0])
        if action not in ACTIONS:
            self.problem(line_of(item, action, line), f"{where}: unknown action {action!r}"
                         f"{hint(action, ACTIONS)}")
            return None
        shape, value = ACTIONS[action], item[action]
        line = line_of(item, action, line)
        where = f"{where} ({action})"
        expect_error = self.field(item, "expect_error", TEXT, where, line=line)
        if expect_error is not None and not ERROR_CODE.fullmatch(expect_error):
            self.problem(line_of(item, "expect_error", line),
                         f"{where}: expect_error {expect_error!r} is not an error code")
        if expect_error is not None and action in ("expect", "advance", "advance_to"):
            self.problem(line_of(item, "expect_error", line),
                         f"{where}: this action cannot be refused; remove expect_error")
        step_account = self.field(item, "account", TEXT, where, line=line)
        if action == "expect":
            checks = self.checks(value, where, line, step_account)
            return Step(number, line, action, {}, None, None, checks)
        if shape.scalar is not None:
            if step_account is not None:
                self.problem(line_of(item, "account", line), f"{where}: takes no account")
            try:
                return Step(number, line, action, {"value": shape.scalar.convert(value)},
                            None, expect_error)
            except FieldError as exc:
                self.problem(line, f"{where}: {exc}")
                return None
        if not isinstance(value, dict):
            self.problem(line, f"{where}: expected a mapping of fields "
                         f"({', '.join(shape.fields)})")
            return None
        if step_account is not None and "account" in value:
            self.problem(line, f"{where}: give account once, in the step or in the action")
        if step_account is not None and not shape.scope:
            self.problem(line_of(item, "account", line), f"{where}: takes no account")
        args = self.fields(value, shape, where, line)
        account = self.account_ref(value, shape, where, line, default=step_account)
        if "account" in value and account is not None:
            args["account"] = account  # shown in reports when written
        if action == "mail_server" and "code" in args:
            self.smtp_code(args, value, where, line)
        if action == "create_filing" and "id" in args and expect_error is None:
            if args["id"] in self.filings:
                self.problem(line, f"{where}: filing {args['id']!r} is already created "
                             "(filing ids are unique within a scenario)")
            self.filings.add(args["id"])
        return Step(number, line, action, args, account, expect_error)

    def smtp_code(self, args: dict[str, Any], value: Any, where: str, line: int) -> None:
        """A fault's reply code must be of its kind: 250 as a "temporary failure" is none."""
        mode, code = args.get("mode"), args["code"]
        span = SMTP_CODES.get(str(mode))
        if span is None:
            self.problem(line_of(value, "code", line),
                         f"{where}: mode {mode} takes no code (only tempfail and reject do)")
        elif not span[0] <= code <= span[1]:
            self.problem(line_of(value, "code", line),
                         f"{where}: a {mode} code must be an SMTP reply from {span[0]} to "
                         f"{span[1]}, not {code}")

    def checks(self, value: Any, where: str, line: int, account: str | None) -> tuple[Check, ...]:
        if not isinstance(value, dict) or not value:
            self.problem(line, f"{where}: expected a mapping of checks "
                         f"({', '.join(CHECKS)})")
            return ()
        out: list[Check] = []
        for kind, spec in value.items():
            kline = line_of(value, kind, line)
            if kind not in CHECKS:
                self.problem(kline, f"{where}: unknown check {kind!r}{hint(str(kind), CHECKS)}")
                continue
            shape = CHECKS[kind]
            entries = spec if isinstance(spec, list) else [spec]
            if not entries:
                self.problem(kline, f"{where}: check {kind!r}: an empty list checks nothing")
            for j, entry in enumerate(entries):
                eline = line_of(spec, j, kline) if isinstance(spec, list) else kline
                if not isinstance(entry, dict):
                    self.problem(eline, f"{where}: check {kind!r}: expected a mapping of "
                                 f"fields ({', '.join(shape.fields)}) or a list of them")
                    continue
                cwhere = f"{where}: check {kind!r}"
                fields = self.fields(entry, shape, cwhere, eline)
                acct = self.account_ref(entry, shape, cwhere, eline,
                                        default=account if shape.scope else None)
                if "account" in entry and acct is not None:
                    fields["account"] = acct  # shown in reports when written
                out.append(Check(kind, eline, fields, acct))
        return tuple(out)


__all__ = ["InvalidScenario", "Problem", "Validator", "load_scenario"]
