"""The runner gives up only when the jobs stop making progress, never for the amount of work."""

from __future__ import annotations

import json
import re

from scenarios import stepping


def filings_while_the_mail_server_is_down(count: int) -> str:
    steps = "  - mail_server: {mode: down}\n"
    for i in range(count):
        steps += (f"  - create_filing: {{id: F{i}, type: first_filing, domain: a{i}.cn, "
                  f"website: Shop}}\n  - fire: {{filing: F{i}, trigger: submit}}\n")
    return steps + ("  - advance: 6d\n"
                    "  - expect:\n"
                    f"      deliveries: {{channel: email, status: failed, count: {count}}}\n")


def test_an_advance_that_does_work_at_every_stop_runs_to_its_end(write, icpsim_run,
                                                                  monkeypatch):
    # Every retry of every email is a stop; a limit on stops would cut this short however
    # high it is set, once there are enough filings. With a limit of 5 idle stops the
    # hundreds of stops below all do work, so the advance finishes.
    monkeypatch.setattr(stepping, "MAX_IDLE_STOPS", 5)
    path = write(filings_while_the_mail_server_is_down(2))
    result = icpsim_run(path, report="json")
    assert result.code == 0, result.out[-2000:]
    steps = json.loads(result.out)["scenarios"][0]["steps"]
    advance = next(s for s in steps if s["action"] == "advance")
    stops = int(re.search(r"\((\d+) due times on the way\)", advance["outcome"]).group(1))
    assert stops > 100  # two emails retried for five days, each at its own due time
    refused = [e for e in advance["events"] if e["kind"] == "refused"]
    assert len(refused) >= stops - 5
