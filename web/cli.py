"""The `icpsim` command: one sub-command per job a user runs."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from sqlalchemy.exc import SQLAlchemyError

from workflow.config import Config
from workflow.errors import IcpsimError


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="icpsim", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    db = sub.add_parser("db", help="database migrations")
    db.add_argument("action", choices=["upgrade"], help="upgrade: apply every migration")

    run = sub.add_parser("run", help="run scenario files (docs/scenarios.md)")
    run.add_argument("paths", nargs="+", help="scenario files or folders")
    run.add_argument("--report", choices=["text", "json"], default="text")
    run.add_argument("--junit", metavar="FILE", help="also write JUnit XML")

    sim = sub.add_parser("simulate", help="run a population model file (SIMULATE.md)")
    sim.add_argument("model", help="model file (YAML)")
    sim.add_argument("--seed", type=int, default=None, help="overrides the model's seed")
    sim.add_argument("--out", metavar="DIR", help="default: simulation-out/<model name>/")
    sim.add_argument("--report", choices=["text", "json"], default="text")
    sim.add_argument("--step", default="6h", help="the jobs run at least this often in "
                     "simulated time (default 6h); moves keep their own times")

    sub.add_parser("worker", help="run the scheduler jobs until stopped")

    sink = sub.add_parser("mail-sink", help="run the embedded SMTP mail sink")
    sink.add_argument("--port", type=int, default=None)

    gateway = sub.add_parser("sms-gateway", help="run the local SMS gateway (Dysmsapi SendSms)")
    gateway.add_argument("--port", type=int, default=None)

    hooks = sub.add_parser("webhook-sink", help="run the local webhook receiver")
    hooks.add_argument("--port", type=int, default=None)

    serve = sub.add_parser("serve", help="web console + scheduler + mail sink")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=5000)
    serve.add_argument("--threads", type=_positive, default=None, metavar="N",
                       help="request threads of this process (default 8)")
    serve.add_argument("--workers", type=_positive, default=1, metavar="N",
                       help="serving processes sharing the port (default 1)")
    serve.add_argument("--no-jobs", dest="jobs", action="store_false",
                       help="leave the scheduler jobs to `icpsim worker` processes")
    serve.add_argument("--simulated-clock", metavar="START", default=None,
                       help="run on a simulated clock starting at START (ISO 8601); "
                            "only POST /_icpsim/v1/clock/advance moves it")

    keys = sub.add_parser("access-key", help="access keys of the Alibaba-compatible API")
    keys_sub = keys.add_subparsers(dest="key_action", required=True)
    keys_sub.add_parser("create", help="make a key; its secret is shown once").add_argument(
        "account")
    keys_sub.add_parser("list", help="the keys of an account").add_argument("account")
    keys_sub.add_parser("delete", help="delete a key").add_argument("key_id")

    sub.add_parser("catalog", help="print the message catalog and the demo account's settings")

    args = parser.parse_args(argv)
    try:
        config = Config.from_env()
        return int(_dispatch(args, config) or 0)
    except IcpsimError as exc:
        print(f"icpsim: {exc.code}: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except OSError as exc:  # a busy port, a missing or unwritable folder
        where = f": {exc.filename}" if exc.filename else ""
        print(f"icpsim: {args.command}: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:  # e.g. a database file that cannot be opened
        cause = " ".join(str(getattr(exc, "orig", None) or exc).split())
        print(f"icpsim: {args.command}: the database cannot be used: {cause}", file=sys.stderr)
        return 2
    except Exception as exc:  # one line, never a traceback; ICPSIM_DEBUG=1 shows it
        if os.environ.get("ICPSIM_DEBUG"):
            raise
        print(f"icpsim: {args.command}: unexpected error: {type(exc).__name__}: {exc} "
              "(set ICPSIM_DEBUG=1 for the traceback)", file=sys.stderr)
        return 2


def _positive(raw: str) -> int:
    if not raw.isdigit() or int(raw) < 1:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a whole number of at least 1")
    return int(raw)


def _dispatch(args: argparse.Namespace, config: Config) -> int | None:
    if args.command == "db":
        from .migrate import upgrade

        upgrade(config)
        print(f"database at {config.database_url} is up to date")
        return 0
    if args.command == "run":
        from scenarios.cli import run_command

        return run_command(args.paths, report=args.report, junit=args.junit)
    if args.command == "simulate":
        from scenarios.simulate.cli import simulate_command
        from workflow.durations import parse_duration

        try:
            step = parse_duration(args.step)
        except ValueError as exc:
            print(f"icpsim simulate: --step: {exc}", file=sys.stderr)
            return 2
        return simulate_command(args.model, seed=args.seed, out=args.out, report=args.report,
                                step=step)
    if args.command == "worker":
        from notify.worker import run_worker

        return run_worker(config)
    if args.command == "mail-sink":
        from notify.mailsink import serve_forever

        return serve_forever(config, port=args.port)
    if args.command == "sms-gateway":
        from .channel_sinks import sms_gateway_command

        return sms_gateway_command(config, port=args.port)
    if args.command == "webhook-sink":
        from .channel_sinks import webhook_sink_command

        return webhook_sink_command(config, port=args.port)
    if args.command == "serve":
        from .server import serve

        return serve(config, host=args.host, port=args.port, threads=args.threads,
                     jobs=args.jobs, simulated_clock=args.simulated_clock,
                     workers=args.workers)
    if args.command == "access-key":
        from .access_keys import access_key_command

        return access_key_command(config, args.key_action,
                                  getattr(args, "account", None) or args.key_id)
    if args.command == "catalog":
        from .overview import print_overview

        return print_overview(config)
    raise AssertionError(args.command)


if __name__ == "__main__":
    sys.exit(main())
