"""The prose of the scenario file reference: what each action does and each check holds.

Field names, types and which are required come from ``scenarios.schema``; this module
only says what they mean. ``scenarios.reference`` puts both together.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Entry:
    """What an action or check is for, and notes on some of its fields."""

    summary: str
    fields: dict[str, str] = field(default_factory=dict)
    example: str = ""  # the value of a scalar action, e.g. ``3d``


INTRO = """
A scenario is a YAML file that tells one story end to end: it sets up accounts and their
contacts, changes notification settings, moves filings through the lifecycle, breaks and
mends the mail server, lets simulated time pass, and states what must be true at each
point. Compliance and QA teams write them; the project's own acceptance tests are written
in them too (`scenarios/library/`). Files written to this reference keep running unchanged.

    icpsim run PATH [PATH ...]         # files, or folders (every *.yaml / *.yml inside, sorted)
        --report text|json             # text (default): a timeline per scenario and a verdict
        --junit FILE                   # also JUnit XML, one test case per scenario

Every file is checked before anything runs. The exit status is `0` when every scenario
passed, `1` when at least one expectation failed (the report names the step, its line,
what was expected and what was found), and `2` when at least one file is not a valid
scenario (each problem names the file, the line and what is wrong; no scenario runs).

Each scenario runs alone: its own fresh database, its own simulated clock starting at
`start`, and its own real SMTP server on loopback, so `emails` checks count what a mail
server actually received. The behaviour the checks observe is described in
[behaviour.md](behaviour.md); the lifecycle's triggers and their data are listed there.
"""

TOP_LEVEL = {
    "name": "required text: the scenario's title in reports",
    "description": "optional text: what the story shows",
    "start": "required ISO 8601 time with a UTC offset, e.g. `2026-03-02T09:00:00+08:00`: "
             "the simulated clock's first reading; reports show times in this offset",
    "accounts": "required list of one or more accounts (below)",
    "steps": "required list of steps, run in order (below)",
}

ACCOUNTS = """
An account is a mapping with `id` (1-64 of `a-z`, `0-9` and `-`, unique in the file),
`owner` (a mapping with the owner's `name` and `email`) and an optional `language` (`en`,
the default, or `zh`). The owner is always a receiver of ICP filing notifications and is
addressed in checks by the owner's email.
"""

STEPS = """
Every step is a mapping with exactly one action key. A step must succeed unless it carries
`expect_error: CODE`: then it must be refused with that error code and change nothing (no
row of the database, no email). Codes are the stable snake_case codes of
[behaviour.md](behaviour.md#errors).

An action or check that concerns an account's data (contacts, receivers, channels,
language, inbox) takes `account: ID`, which may be left out when the scenario has one
account. Filing ids are unique within a scenario, so actions and checks on a filing find
its account by themselves.

After every step the runner runs the jobs that are due at the current simulated time
(relay, dispatch, timers, contact expiry) without moving the clock: a step's emails and
internal messages have arrived when the next step starts, unless the mail server refused
them. Retries wait for the clock to move (`advance`, `advance_to`), which stops at every
moment a job has work and runs it then.
"""

STEP_FIELDS = {
    "expect_error": "the error code the step must be refused with",
    "account": "the account the step concerns, instead of writing it inside the action",
}

_CATEGORY = "a category key of the catalog, e.g. `icp_filing`"
_CONTACT = "the contact's email address"

ACCOUNT_FIELD = "the account id; may be left out when the scenario has one account"

ACTIONS: dict[str, Entry] = {
    "set_channels": Entry(
        "Saves the channels a category's notifications go out on, as the Common Settings page "
        "does. The list replaces the old selection.",
        {"category": _CATEGORY}),
    "add_contact": Entry(
        "Adds a contact to the account. It starts `pending`, and a verification email holding "
        "a link is sent to its address.",
        {"name": "2-12 Chinese characters or letters, spaces allowed inside",
         "email": "unique in the account, compared without case",
         "title": "`CEO`, `Technical Director`, `Maintenance Director`, `Project Director`, "
                  "`Finance Director` or `Other`",
         "mobile": "mainland China mobile number: 11 digits starting with 1"}),
    "verify_contact": Entry(
        "Opens a verification link of the contact. The link is read from a verification "
        "email the scenario's mail server received for that address, so a lost email means "
        "no link.",
        {"email": _CONTACT,
         "link": "`latest` (default): the newest email's link; `first`: the oldest"}),
    "resend_verification": Entry(
        "Sends the contact a new verification link; its older links stop working. Limited "
        "per contact and per account (`resend_limited`).",
        {"email": _CONTACT}),
    "modify_contact": Entry(
        "Changes the contact found by `email`. A real change puts it back to `pending` and "
        "sends a new verification email (to the new address when the email changed).",
        {"email": "the contact's current address",
         "new_email": "its new address"}),
    "delete_contact": Entry(
        "Deletes the contact. It leaves every receiver list; its delivery log stays.",
        {"email": _CONTACT}),
    "select_receivers": Entry(
        "Saves the contacts who receive a category's notifications. The set replaces the old "
        "one; a contact newly added to it must be `verified`.",
        {"category": _CATEGORY,
         "contacts": "the contacts' emails; the owner is always a receiver and is not listed"}),
    "set_language": Entry(
        "Sets the account's message language for messages planned from now on.",
        {}),
    "create_filing": Entry(
        "Creates a filing in `draft`, with its 45-day expiry and its reminders.",
        {"id": "unique within the scenario",
         "type": "`first_filing`, `new_website`, `add_access`, `change_filing`, "
                 "`cancel_access` or `cancel_filing`",
         "domain": "the filing's domain, e.g. `acme.cn`",
         "website": "the website's name"}),
    "fire": Entry(
        "Fires a lifecycle trigger on a filing, as its owner (`submit`, `withdraw`) or as the "
        "reviewer (the others). Timer triggers are fired by time, not by this action.",
        {"filing": "the filing id",
         "trigger": "a trigger of [the lifecycle](behaviour.md#the-filing-lifecycle)",
         "reason": "why (`reject` needs it)",
         "icp_number": "the ICP number (`approve` needs it)",
         "items": "the unqualified items (`fail_inspection` needs them)",
         "deadline_days": "days to rectify (`fail_inspection`; default 10)"}),
    "advance": Entry(
        "Moves the clock forward by a duration. On the way it stops at every moment a job has "
        "work (a timer, a retry, a link expiry) and runs the jobs then.",
        example="3d"),
    "advance_to": Entry(
        "Moves the clock to a given time, like `advance`. The time may not be earlier than the "
        "scenario's time at that step.",
        example="2026-04-16T09:00:00+08:00"),
    "mail_server": Entry(
        "Changes how the scenario's SMTP server answers. `down` refuses connections; "
        "`tempfail` answers a temporary failure to the next `count` messages (or until `up`); "
        "`reject` answers a permanent failure for `addresses` (or everyone) until `up`; `up` "
        "accepts everything again.",
        {"mode": "`up`, `down`, `tempfail` or `reject`, as above",
         "code": "the SMTP reply code (default 451 for `tempfail`, 550 for `reject`)",
         "count": "how many messages `tempfail` answers (default: until `up`)",
         "addresses": "the addresses `reject` refuses (default: all)"}),
    "retry_delivery": Entry(
        "Queues failed notification deliveries to an address again, due now, as the delivery "
        "log's retry button does.",
        {"to": "the receiver's email address",
         "type": "only deliveries of this notification type",
         "filing": "only deliveries about this filing"}),
    "inbox": Entry(
        "Acts on the account's internal messages: marks the newest one (`latest`) or all of "
        "them read, or deletes them.",
        {}),
    "verify_mobile": Entry(
        "Opens the mobile verification link of the contact, read from the SMS the scenario's "
        "SMS gateway received for the contact's mobile. Email and mobile are verified apart.",
        {"email": _CONTACT,
         "link": "`latest` (default): the newest SMS's link; `first`: the oldest"}),
    "add_webhook": Entry(
        "Adds a webhook robot to the account (at most 5). Calls to it use the robot's own "
        "message format, signed when it has a secret.",
        {"name": "the robot's name, unique in the account",
         "type": "`dingtalk`, `wecom`, `lark`, `slack` or `custom`",
         "secret": "signs each call (DingTalk and Lark schemes; `X-Icpsim-Signature` for "
                   "custom)",
         "url": "where calls go; default the scenario's webhook receiver. Loopback, private "
                "and link-local addresses are refused"}),
    "delete_webhook": Entry(
        "Deletes a webhook robot; it leaves every category's webhook selection.",
        {"name": "the robot's name"}),
    "select_webhooks": Entry(
        "Saves the category's webhook robots (the saved set replaces the old one).",
        {"category": _CATEGORY, "webhooks": "the robots' names"}),
    "set_limit": Entry(
        "At most `per_day` messages to one receiver on one local day on that channel; more "
        "are `skipped` with the reason. Required channels have no limit.",
        {"category": _CATEGORY, "channel": "the channel",
         "per_day": "messages per receiver per day"}),
    "set_keywords": Entry(
        "Keyword filters of one receiver: with `allow` words only messages whose title or body "
        "holds one are delivered; messages holding a `deny` word never are. Filtered messages "
        "are `skipped`; internal messages are never filtered.",
        {"category": _CATEGORY, "contact": "the contact's email (or give `webhook`)",
         "webhook": "a robot's name (or give `contact`)", "allow": "words", "deny": "words"}),
    "set_receive_hours": Entry(
        "The local hours (account time zone) in which the category's messages are delivered; "
        "a message planned outside them waits for the next allowed hour. Required channels "
        "ignore them.",
        {"category": _CATEGORY, "hours": "whole hours 0-23",
         "days": "weekdays 1 (Monday) to 7; default every day"}),
    "sms_gateway": Entry(
        "Faults of the scenario's SMS gateway: `down` answers every send with a server error; "
        "`fail` answers the error `code` to the next `count` sends; `up` accepts again.",
        {"mode": "`up`, `down` or `fail`",
         "code": "the gateway's error code, e.g. `isv.BUSINESS_LIMIT_CONTROL` (temporary) or "
                 "`isv.MOBILE_NUMBER_ILLEGAL` (permanent)",
         "count": "how many sends fail (default: until `up`)"}),
    "webhook_server": Entry(
        "Faults of the scenario's webhook receiver: `down` refuses connections; `fail` answers "
        "`status` to the next `count` calls; `hang` answers after `seconds` (a timeout); `up` "
        "answers 200 again.",
        {"mode": "`up`, `down`, `fail` or `hang`", "status": "the HTTP status (default 500)",
         "count": "how many calls (default: until `up`)",
         "seconds": "how long `hang` waits before answering"}),
    "expect": Entry(
        "Checks that must all hold now; a mapping whose keys are the checks below. The clock "
        "does not move and nothing changes."),
}

CHECKS_INTRO = """
Each check inside `expect` takes a mapping of fields, or a list of such mappings for
several checks of one kind. Counts are exact: `count: 0` says that nothing matches.
"""

_MAIL_FILTERS = {
    "to": "the recipient's email address (the owner by the owner's email)",
    "kind": "`notification` (default) or `verification`: verification emails count only when "
            "asked for",
    "type": "the notification type",
    "filing": "the filing id",
}

CHECKS: dict[str, Entry] = {
    "filing": Entry("The filing is in that state.", {"id": "the filing id"}),
    "contact": Entry(
        "The contact has that status, or with `exists: false` there is no such contact.",
        {"email": _CONTACT, "exists": "`false`: the contact must not exist"}),
    "receivers": Entry(
        "The category's saved contacts are exactly these (the owner is implied).",
        {"category": _CATEGORY, "contacts": "the contacts' emails, in any order"}),
    "emails": Entry(
        "Exactly `count` emails matching every given field were received by the scenario's "
        "mail server.",
        {**_MAIL_FILTERS,
         "count": "how many emails match",
         "subject_contains": "text the subject holds",
         "body_contains": "text the body holds"}),
    "inbox": Entry(
        "`count` internal messages of the account match the filters, and `unread` of those are "
        "unread.",
        {"type": "the notification type", "filing": "the filing id",
         "count": "how many messages match", "unread": "how many of those are unread"}),
    "deliveries": Entry(
        "Exactly `count` rows of the delivery log match every given field.",
        {**_MAIL_FILTERS,
         "count": "how many rows match",
         "channel": "the channel",
         "status": "the delivery's state, see [behaviour.md](behaviour.md#delivery)"}),
    "channels": Entry(
        "The category's channels that are on (or required) are exactly these.",
        {"category": _CATEGORY}),
    "sms": Entry(
        "Exactly `count` SMS matching every given field were received by the scenario's SMS "
        "gateway.",
        {"to": "the mobile number", "kind": _MAIL_FILTERS["kind"],
         "type": "the notification type", "filing": "the filing id",
         "count": "how many SMS match", "body_contains": "text the SMS holds"}),
    "webhooks": Entry(
        "Exactly `count` calls matching every given field were received by the scenario's "
        "webhook receiver, each with a valid signature when the robot has a secret.",
        {"webhook": "the robot's name", "type": "a robot type or a notification type",
         "filing": "the filing id", "count": "how many calls match",
         "body_contains": "text the call's body holds"}),
}

TIMES = """
A duration is a whole number and a unit, `s`, `m`, `h` or `d`, or several of them from the
largest unit to the smallest: `90s`, `30m`, `25h`, `3d`, `1d2h30m`. A time is ISO 8601 with
a UTC offset, e.g. `2026-03-02T09:00:00+08:00`; YAML may also read it as a timestamp.
"""

REPORTS = """
The text report shows, per scenario, a timeline of its steps with the simulated time of
each, what every step did, the emails and internal messages it caused, and then a verdict.
A failed step shows its line, what was expected and what was found; the steps after a
failed action are not run. `--report json` gives the same facts as JSON, and `--junit`
writes one test case per scenario for CI.
"""
