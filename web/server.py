"""`icpsim serve`: database, demo sign-in, embedded mail sink, scheduler and the console."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server

from notify.stopping import sigterm_as_interrupt
from workflow.config import Config
from workflow.db import Database

from .bootstrap import DEMO_ACCOUNT, ensure_demo, prepare_database
from .channel_sinks import start_sms_gateway, start_webhook_sink


def serve(config: Config, *, host: str = "127.0.0.1", port: int = 5000) -> int:
    """Run until Ctrl-C or SIGTERM; everything started here is stopped on the way out."""
    from notify.mailsink import MailSink
    from notify.system import build_system

    from .app import create_app

    prepare_database(config)
    if not os.environ.get("ICPSIM_BASE_URL"):
        config = config.with_(base_url=f"http://{_display_host(host)}:{port}")
    sink = gateway = hooks = None
    maildir: Path | None = None
    system = scheduler = None
    try:
        if not os.environ.get("ICPSIM_SMTP_URL"):
            maildir = Path(config.instance_path) / "mail"
            sink = MailSink(port=config.mail_sink_port, maildir=maildir).start()
            config = config.with_(smtp_url=sink.url)
        if not os.environ.get("ICPSIM_SMS_URL"):
            gateway, config = start_sms_gateway(config)
        db = Database(config.database_url)
        hooks, config = start_webhook_sink(config, db)
        system = build_system(config, db=db)
        creds = ensure_demo(system)
        scheduler = start_scheduler(system)
        app = create_app(system=system)
        app.config["ICPSIM_MAILDIR"] = maildir  # Mailbox only with the embedded sink
        app.config["ICPSIM_SMS_STORE"] = gateway.store if gateway else None
        app.config["ICPSIM_WEBHOOK_STORE"] = hooks.store
        server = make_server(host, port, app, threaded=True)
        try:
            with sigterm_as_interrupt():  # before announcing: a stop may follow at once
                _announce(config, creds, host=host, port=port,
                          sink_url=sink.url if sink else None)
                print(f"sms: {'embedded SMS gateway on ' if gateway else 'sent to '}"
                      f"{config.sms_url}; webhooks: embedded receiver on {hooks.url}/hook/<name>",
                      flush=True)
                server.serve_forever()  # until Ctrl-C / SIGTERM (KeyboardInterrupt)
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
            print("icpsim console stopped", flush=True)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=True)
        if system is not None:
            system.close()
        if sink is not None:
            sink.stop()
        if gateway is not None:
            gateway.stop()
        if hooks is not None:
            hooks.stop()
    return 0


def start_scheduler(system: Any) -> Any:
    """A BackgroundScheduler running the same job functions as `icpsim worker`."""
    from apscheduler.schedulers.background import BackgroundScheduler

    from notify import worker

    scheduler = BackgroundScheduler(timezone="UTC")
    worker.register_jobs(scheduler, system)
    scheduler.start()
    return scheduler


def _display_host(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "") else host


def _announce(config: Config, creds: Any, *, host: str, port: int,
              sink_url: str | None) -> None:
    url = f"http://{_display_host(host)}:{port}"
    print(f"icpsim console on {url}  (Ctrl-C to stop)", flush=True)
    print(f"database: {config.database_url}")
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
