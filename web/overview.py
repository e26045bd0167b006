"""`icpsim catalog`: the message catalog and an account's notification settings, with rich."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from workflow.config import Config

from .bootstrap import DEMO_ACCOUNT, ensure_demo, prepare_database

MARKS = {"required": "[bold]required[/]", "unavailable": "[dim]-[/]", "on": "[green]on[/]",
         "off": "[red]off[/]"}


def print_overview(config: Config, *, console: Console | None = None) -> int:
    """Create the database and a demo account if needed, then print both tables."""
    from notify.catalog import CHANNEL_NAMES, CHANNELS, SECTIONS
    from notify.system import build_system

    out = console or Console()
    prepare_database(config)
    system = build_system(config)
    try:
        creds = ensure_demo(system)
        catalog = Table(title="Message catalog (default channel states)")
        catalog.add_column("Section")
        catalog.add_column("Category")
        catalog.add_column("Key", style="dim", overflow="fold")
        for ch in CHANNELS:
            catalog.add_column(CHANNEL_NAMES[ch]["en"], min_width=8)
        for section in SECTIONS:
            for i, cat in enumerate(section.categories):
                catalog.add_row(section.name_en if i == 0 else "", cat.name_en, cat.key,
                                *(MARKS[cat.defaults[ch]] for ch in CHANNELS),
                                end_section=i == len(section.categories) - 1)
        out.print(catalog)
        account = system.accounts.list()[0]
        mine = Table(title=f"Settings of account {account.id!r} "
                           f"(owner {account.owner_name} <{account.owner_email}>)")
        mine.add_column("Category", no_wrap=True)
        for ch in CHANNELS:
            mine.add_column(CHANNEL_NAMES[ch]["en"], min_width=8)
        mine.add_column("Receivers")
        for sec in system.settings.common_settings(account.id):
            for row in sec.categories:
                names = ", ".join(
                    r.name + ("" if r.status == "verified" else f" ({r.status})")
                    for r in row.receivers)
                mine.add_row(row.category.name_en,
                             *(MARKS[row.channels[ch]] for ch in CHANNELS), names)
        out.print(mine)
        out.print(f"Console (`icpsim serve`): sign in as {DEMO_ACCOUNT!r} or 'reviewer'; "
                  f"first-run passwords in {creds.file}")
    finally:
        system.close()
    return 0
