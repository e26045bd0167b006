"""Benchmark: the official SDK against the served Alibaba-compatible endpoint, with a bare
Flask route on the same server as the baseline.

A server process (this script with ``--serve``) runs the icpsim app as ``icpsim serve``
does: behind the ops endpoints, on waitress with the same threads (web/http_server.py),
with the scheduler and the wake-up running and an embedded mail sink. Requests that carry
``Locale=bare-baseline`` go to a bare Flask route in the same WSGI server answering a fixed
ListContacts body (no signature check, no database): everything but the endpoint's work.
The client process calls, through the official MscOpenSubscription SDK:
  - ListContacts for an account with 15 contacts (16 rows with the owner), and the same
    call answered by the bare route, alternating in blocks so both see the same noise;
  - CreateContact + DeleteContact pairs.
It prints calls per second, p50 and p99 latency, and the ratio of ListContacts calls per
second to the bare route's. Floors: ListContacts p99 under 10 ms and ratio >= 0.3; the
exit status is 1 below either.
Run: .venv/bin/python bench/bench_api.py [--calls N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

P99_FLOOR_MS = 10.0
RATIO_FLOOR = 0.3
BARE = "bare-baseline"


def serve(port: int, instance: Path) -> None:
    """The server process: what `icpsim serve` runs (its app behind the ops endpoints, on
    the same waitress server with the same threads, with the scheduler and the wake-up
    running), plus the bare route in the same WSGI server."""
    from flask import Flask, Response

    from notify.mailsink import MailSink, free_port
    from notify.stopping import sigterm_as_interrupt
    from notify.system import build_system
    from notify.wakeup import scheduled_jobs, start_waker
    from web.app import create_app
    from web.http_server import DEFAULT_THREADS, make_wsgi_server
    from web.migrate import upgrade
    from web.ops import ops_app, with_ops
    from web.server import start_scheduler
    from workflow.config import Config

    # The account's call allowance is taken on every call as by default (same statement,
    # same cost); its burst is large enough that no call of a long run is refused.
    config = Config(instance_path=instance, secret_key="bench", admin_token="bench-token",
                    base_url=f"http://127.0.0.1:{port}", api_burst=1_000_000_000)
    upgrade(config)
    sink = MailSink(port=free_port()).start()
    system = build_system(config.with_(smtp_url=sink.url))
    waker = start_waker(system)
    scheduler = start_scheduler(system, jobs=scheduled_jobs(waker))
    app = create_app(system=system)
    bare = Flask("bare")

    @bare.route("/", methods=["GET", "POST"])
    def answer() -> Response:
        return Response((instance / "canned.json").read_bytes(), mimetype="application/json")

    icpsim = with_ops(app.wsgi_app, ops_app(system))  # as `icpsim serve` wraps it

    def dispatch(environ, start_response):  # type: ignore[no-untyped-def]
        if f"Locale={BARE}" in environ.get("QUERY_STRING", ""):
            return bare.wsgi_app(environ, start_response)
        return icpsim(environ, start_response)

    server = make_wsgi_server(dispatch, host="127.0.0.1", port=port, threads=DEFAULT_THREADS)
    try:
        with sigterm_as_interrupt():
            print("ready", flush=True)
            server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        if waker is not None:
            waker.stop()
        scheduler.shutdown(wait=True)
        system.close()
        sink.stop()


def _timed(call: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        out.append(time.perf_counter() - start)
    return out


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def _line(name: str, samples: list[float]) -> str:
    rate = len(samples) / sum(samples)
    return (f"{name:<34} {rate:8.0f} calls/s   p50 {_p(samples, 0.5):6.2f} ms   "
            f"p99 {_p(samples, 0.99):6.2f} ms")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--serve", nargs=2, metavar=("PORT", "INSTANCE"))
    args = parser.parse_args()
    if args.serve:
        serve(int(args.serve[0]), Path(args.serve[1]))
        return 0

    from alibabacloud_mscopensubscription20210713 import models as m

    from notify.mailsink import free_port
    from tests.api.served import Key

    with tempfile.TemporaryDirectory(prefix="icpsim-bench-api-") as tmp:
        instance, port = Path(tmp), free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("ICPSIM_")}
        proc = subprocess.Popen([sys.executable, __file__, "--serve", str(port), str(instance)],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        try:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready"
            return _measure(port, instance, args.calls, m, Key)
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def _measure(port: int, instance: Path, calls: int, m: object, key_type: type) -> int:
    import urllib.request

    from tests.api.served import Served

    control = Served.__new__(Served)  # only its control() helper, on this server
    control.base, control.token, control.port = f"http://127.0.0.1:{port}", "bench-token", port
    status, _ = control.control("POST", "/_icpsim/v1/accounts", {
        "id": "bench", "owner": {"name": "Bench Owner", "email": "owner@bench.example"}})
    assert status == 201
    key = control.key("bench")
    client = control.subscription(key)
    models: object = m
    for i in range(15):
        client.create_contact(models.CreateContactRequest(  # type: ignore[attr-defined]
            contact_name=f"Contact {chr(65 + i)}", email=f"c{i}@bench.example", position="CEO"))
    listed = client.list_contacts(models.ListContactsRequest())  # type: ignore[attr-defined]
    assert listed.body.total_count == 16
    (instance / "canned.json").write_text(json.dumps(listed.body.to_map()))
    urllib.request.urlopen(control.base + "/_icpsim/v1/health").read()

    api_list = models.ListContactsRequest()  # type: ignore[attr-defined]
    bare_list = models.ListContactsRequest(locale=BARE)  # type: ignore[attr-defined]
    assert len(client.list_contacts(bare_list).body.contacts) == 16
    api: list[float] = []
    bare: list[float] = []
    _timed(lambda: client.list_contacts(api_list), 50)  # warm both paths up
    _timed(lambda: client.list_contacts(bare_list), 50)
    block = 50
    for _ in range(max(1, calls // block)):
        api += _timed(lambda: client.list_contacts(api_list), block)
        bare += _timed(lambda: client.list_contacts(bare_list), block)

    status, _ = control.control("POST", "/_icpsim/v1/accounts", {
        "id": "bench-writes", "owner": {"name": "Bench Owner", "email": "o@bench.example"}})
    assert status == 201
    writer = control.subscription(control.key("bench-writes"))

    def pair(n: list[int] = [0]) -> None:  # noqa: B006  (a counter across calls)
        n[0] += 1
        made = writer.create_contact(models.CreateContactRequest(  # type: ignore[attr-defined]
            contact_name="Temp Contact", email=f"t{n[0]}@bench.example", position="CEO"))
        writer.delete_contact(models.DeleteContactRequest(  # type: ignore[attr-defined]
            contact_id=made.body.contact_id))

    writes = _timed(pair, max(20, calls // 10))
    ratio = (len(api) / sum(api)) / (len(bare) / sum(bare))
    print(f"SDK calls against a served icpsim ({len(api)} ListContacts calls, 16 rows)")
    print(_line("ListContacts (icpsim)", api))
    print(_line("ListContacts (bare Flask route)", bare))
    print(_line("CreateContact + DeleteContact", writes).replace("calls/s", "pairs/s"))
    print(f"ratio ListContacts / bare route: {ratio:.2f} (floor {RATIO_FLOOR})")
    p99 = _p(api, 0.99)
    print(f"ListContacts p99: {p99:.2f} ms (floor: under {P99_FLOOR_MS} ms)")
    ok = ratio >= RATIO_FLOOR and p99 < P99_FLOOR_MS
    print("PASS" if ok else "BELOW FLOOR")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
