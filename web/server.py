"""`icpsim serve`: database, demo sign-in, embedded mail sink, scheduler and the console."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import make_url

from notify.stopping import sigterm_as_interrupt
from workflow.config import Config, ConfigError
from workflow.db import Database

from .bootstrap import DEMO_ACCOUNT, Credentials, ensure_demo, prepare_database
from .channel_sinks import start_sms_gateway, start_webhook_sink
from .prefork import serve_forked
from .secret_files import instance_secret

if TYPE_CHECKING:
    from apscheduler.schedulers.background import BackgroundScheduler

    from notify.system import System

SECRET_KEY_FILE = "secret_key"


def serve(config: Config, *, host: str = "127.0.0.1", port: int = 5000,
          threads: int | None = None, jobs: bool = True,
          simulated_clock: str | None = None, workers: int = 1) -> int:
    """Run until Ctrl-C or SIGTERM; everything started here is stopped on the way out.

    ``jobs=False`` leaves the scheduler jobs to `icpsim worker` processes;
    ``simulated_clock`` (ISO 8601) runs on a clock only the control API moves;
    ``workers`` > 1 serves from that many processes sharing one listening socket
    (see ``web.prefork``).
    """
    from notify.logs import configure_logging
    from notify.mailsink import MailSink
    from notify.system import build_system

    from .http_server import bind

    configure_logging(config)
    clock = _simulated(simulated_clock)
    if workers > 1 and clock is not None:
        raise ConfigError("--simulated-clock runs in one process: it cannot be combined "
                          "with --workers", field="workers")
    config, new_secrets = with_secret_key(config)
    prepare_database(config)
    token = instance_secret(config.instance_path, "admin_token", env_var="ICPSIM_ADMIN_TOKEN")
    config = config.with_(admin_token=token.value)
    if not os.environ.get("ICPSIM_BASE_URL"):
        config = config.with_(base_url=f"http://{_display_host(host)}:{port}")
    listener = bind(host, port) if workers > 1 else None  # a taken port fails here
    sink = gateway = hooks = None
    maildir: Path | None = None
    sinks_db: Database | None = None
    try:
        # The embedded receivers stand in for real endpoints: each one starts only when
        # its endpoint is not configured, and the webhook receiver only while one of the
        # other two runs (a setup with a real mail server and SMS gateway has no use for
        # a local robot receiver). With several processes they run once, in this one.
        if not os.environ.get("ICPSIM_SMTP_URL"):
            maildir = Path(config.instance_path) / "mail"
            sink = MailSink(port=config.mail_sink_port, maildir=maildir).start()
            config = config.with_(smtp_url=sink.url)
        if not os.environ.get("ICPSIM_SMS_URL"):
            gateway, config = start_sms_gateway(config)
        if sink is not None or gateway is not None:
            sinks_db = Database(config.database_url)
            hooks, config = start_webhook_sink(config, sinks_db)
        local = _Local(maildir=maildir, sms_store=gateway.store if gateway else None,
                       webhook_store=hooks.store if hooks else None)
        setup = build_system(config, clock=clock)
        try:
            creds = ensure_demo(setup)  # once, before any second process could race it
        finally:
            setup.close()

        def announce() -> None:
            _announce(config, creds, host=host, port=port,
                      sink_url=sink.url if sink else None, new_secrets=new_secrets)
            receiver = f"embedded receiver on {hooks.url}/hook/<name>" if hooks else "sent out"
            print(f"sms: {'embedded SMS gateway on ' if gateway else 'sent to '}"
                  f"{config.sms_url}; webhooks: {receiver}", flush=True)
            _announce_apis(config, token_created=token.created, clock=clock)

        if listener is None:
            _serve_one(config, local, clock=clock, host=host, port=port, threads=threads,
                       jobs=jobs, announce=announce)
        else:
            # Each serving process has its own database pool, request threads and, with
            # ``jobs``, its own jobs and wake-up (leases keep them apart, as between
            # workers); it only sends to the embedded receivers this process runs.
            bound, sockets = listener.getsockname()[:2], [listener]
            serve_forked(lambda: _serve_one(config, local, clock=None, host=bound[0],
                                            port=bound[1], threads=threads, jobs=jobs,
                                            announce=None, sockets=sockets),
                         workers=workers, announce=announce)
    finally:
        if listener is not None:
            listener.close()
        if sink is not None:
            sink.stop()
        if gateway is not None:
            gateway.stop()
        if hooks is not None:
            hooks.stop()
        if sinks_db is not None:
            sinks_db.dispose()
    return 0


@dataclass(frozen=True)
class _Local:
    """Where the embedded receivers keep what they got (None: not running)."""

    maildir: Path | None
    sms_store: Path | None
    webhook_store: Path | None


def _serve_one(config: Config, local: _Local, *, clock: Any, host: str, port: int,
               threads: int | None, jobs: bool, announce: Callable[[], None] | None,
               sockets: list[socket.socket] | None = None) -> None:
    """One serving process: its system, jobs and wake-up (when ``jobs``), and waitress
    (on ``sockets`` when given, else bound to ``host``:``port``), until Ctrl-C/SIGTERM."""
    from notify.metrics import measure_latency
    from notify.system import build_system
    from notify.wakeup import scheduled_jobs, start_waker
    from notify.worker import settle_heap

    from .app import create_app
    from .http_server import DEFAULT_THREADS, make_wsgi_server
    from .ops import ops_app, with_ops

    system = build_system(config, clock=clock)
    waker = scheduler = server = None
    try:
        # From the first thread on, SIGTERM stops the process the clean way, even while it
        # starts: its wake-up may already be sending when a supervisor stops it.
        with sigterm_as_interrupt():
            waker = start_waker(system) if jobs else None
            scheduler = start_scheduler(system, jobs=scheduled_jobs(waker)) if jobs else None
            measure_latency(clock is None)  # wall-clock latency: not on a simulated clock
            app = create_app(system=system)
            app.config["ICPSIM_MAILDIR"] = local.maildir  # Mailbox only with the embedded sink
            app.config["ICPSIM_SMS_STORE"] = local.sms_store
            app.config["ICPSIM_WEBHOOK_STORE"] = local.webhook_store
            server = make_wsgi_server(with_ops(app, ops_app(system)), host=host, port=port,
                                      threads=threads or DEFAULT_THREADS, sockets=sockets)
            settle_heap()
            if announce is not None:
                announce()
            server.run()  # until Ctrl-C / SIGTERM (KeyboardInterrupt)
    except KeyboardInterrupt:
        pass
    finally:
        if server is not None:
            server.close()
            if announce is not None:
                print("icpsim console stopped", flush=True)
        if waker is not None:
            waker.stop()
        if scheduler is not None:
            scheduler.shutdown(wait=True)
        system.close()


def with_secret_key(config: Config) -> tuple[Config, list[str]]:
    """The config with its session key: ``ICPSIM_SECRET_KEY``, else the instance file
    (generated on first start, mode 0600). Returns the lines announcing a new secret."""
    if config.secret_key:
        return config, []
    path = Path(config.instance_path) / SECRET_KEY_FILE
    try:
        secret = instance_secret(config.instance_path, SECRET_KEY_FILE,
                                 env_var="ICPSIM_SECRET_KEY")
    except (OSError, RuntimeError) as exc:
        raise ConfigError(f"the session key in {path} cannot be used ({exc}); set "
                          "ICPSIM_SECRET_KEY, or delete the file to generate a new key",
                          field="ICPSIM_SECRET_KEY") from exc
    lines = [f"session key: generated and stored in {path} (mode 0600), shown this once: "
             f"{secret.value}"] if secret.created else []
    return config.with_(secret_key=secret.value), lines


def start_scheduler(system: System, *,
                    jobs: tuple[str, ...] | None = None) -> BackgroundScheduler:
    """A BackgroundScheduler running the same job functions as `icpsim worker`."""
    from apscheduler.schedulers.background import BackgroundScheduler

    from notify import worker

    scheduler = BackgroundScheduler(timezone="UTC")
    worker.register_jobs(scheduler, system, jobs=jobs or worker.JOBS)
    scheduler.start()
    return scheduler


def _simulated(start: str | None) -> Any:
    """The simulated clock ``--simulated-clock START`` asks for (None: the system clock)."""
    if start is None:
        return None
    from datetime import datetime

    from workflow.clock import SimulatedClock
    from workflow.config import ConfigError

    try:
        when = datetime.fromisoformat(start)
    except ValueError:
        raise ConfigError(f"--simulated-clock {start!r} is not an ISO 8601 time such as "
                          "2026-01-05T09:00:00+08:00", field="simulated_clock") from None
    if when.tzinfo is None:
        raise ConfigError(f"--simulated-clock {start!r} must name its zone (Z or +08:00)",
                          field="simulated_clock")
    return SimulatedClock(when)


def _announce_apis(config: Config, *, token_created: bool, clock: Any) -> None:
    print(f"APIs: Alibaba Cloud SDKs at {config.base_url}/ (keys: icpsim access-key create "
          f"ACCOUNT); control API at {config.base_url}/_icpsim/v1", flush=True)
    if token_created:
        print(f"control API admin token (shown once; kept in "
              f"{Path(config.instance_path) / 'admin_token'}): {config.admin_token}")
    if clock is not None:
        print(f"clock: simulated, at {clock.now().isoformat()}; move it with POST "
              "/_icpsim/v1/clock/advance", flush=True)


def _display_host(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "") else host


def _announce(config: Config, creds: Credentials, *, host: str, port: int,
              sink_url: str | None, new_secrets: list[str]) -> None:
    url = f"http://{_display_host(host)}:{port}"
    print(f"icpsim console on {url}  (Ctrl-C to stop)", flush=True)
    print(f"database: {make_url(config.database_url).render_as_string(hide_password=True)}")
    for line in new_secrets:
        print(line)
    if sink_url:
        print(f"mail: embedded mail sink on {sink_url}; read it in the console's Mailbox")
    else:
        print(f"mail: sent to {config.smtp_url}")
    if creds.demo_password or creds.reviewer_password:
        print("Sign in with (shown once; also kept in "
              f"{creds.file}):")
        if creds.demo_password:
            print(f"  account owner  ID: {DEMO_ACCOUNT}      password: {creds.demo_password}")
        if creds.reviewer_password:
            print(f"  reviewer       ID: reviewer  password: {creds.reviewer_password}")
    else:
        print(f"Sign in as '{DEMO_ACCOUNT}' (account owner) or 'reviewer' with the passwords "
              f"in {creds.file}")
