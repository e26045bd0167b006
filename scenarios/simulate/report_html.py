"""report.html: one self-contained page (inline SVG plots by matplotlib, no network)."""

from __future__ import annotations

import html
import io
import json
from collections import Counter
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .collect import Results

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_STYLE = """body{font-family:system-ui,sans-serif;margin:2rem;max-width:1100px;color:#222}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}figure{margin:0}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .6rem;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}pre{background:#f7f7f7;
padding:1rem;overflow:auto}"""


@cache
def _pyplot() -> Any:
    """pyplot on the Agg backend (no display, SVG only), imported when first needed: the
    simulation's shard processes never load matplotlib."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def write_report(results: Results, run: dict[str, Any], path: Path) -> Path:
    s = results.summary
    days = [r["date"] for r in results.daily]
    parts = [f"<h1>Simulation {html.escape(s['model'])}</h1>",
             f"<p>Seed {s['seed']}, calendar {s['calendar']}, {html.escape(s['start'])} to "
             f"{html.escape(s['end'])}; {s['population']['filings']} filings, "
             f"{s['population']['accounts']} accounts. Ran in {run['wall_seconds']:.1f} s, "
             f"peak memory {run['peak_rss_mb']:.0f} MB.</p>",
             _table("Filings by final state", s["filings_by_state"]),
             _table("Transitions by trigger", s["transitions_by_trigger"])]
    with _pyplot().rc_context({"svg.hashsalt": "icpsim", "svg.fonttype": "none"}):
        parts.append(_plot("Arrivals and approvals per day", _lines(days, {
            "arrivals": [r["arrivals"] for r in results.daily],
            "approvals": [r["approve"] for r in results.daily]})))
        parts.append(_plot("Filings per state over time (end of day)",
                           _lines(days, results.states_over_time)))
        parts.append(_plot("Time from first submission to approval (business days)",
                           _histogram(results.business_days_to_approval)))
        parts.append(_plot("Messages per day by channel", _lines(days, {
            "email": [r["emails"] for r in results.daily],
            "internal": [r["internal_messages"] for r in results.daily],
            "sms": [r["sms"] for r in results.daily]})))
        parts.append(_plot("Delivery outcomes", _outcomes(s["messages"])))
    parts.append("<h2>summary.json</h2><pre>"
                 + html.escape(json.dumps(s, indent=2, ensure_ascii=False)) + "</pre>")
    page = ("<!doctype html><html lang=en><meta charset=utf-8>"
            f"<title>Simulation {html.escape(s['model'])}</title><style>{_STYLE}</style>"
            + "\n".join(parts) + "</html>\n")
    path.write_text(page, encoding="utf-8")
    return path


def _table(title: str, data: dict[str, Any]) -> str:
    rows = "".join(f"<tr><td>{html.escape(str(k))}</td><td>{v}</td></tr>"
                   for k, v in data.items())
    return f"<h2>{html.escape(title)}</h2><table><tr><th>name</th><th>count</th></tr>{rows}</table>"


def _plot(title: str, fig: Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    _pyplot().close(fig)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]  # drop the XML prolog and doctype: inline in HTML
    return f"<h2>{html.escape(title)}</h2><figure>{svg}</figure>"


def _lines(days: list[str], series: dict[str, list[int]]) -> Figure:
    fig, ax = _pyplot().subplots(figsize=(10, 3.2))
    x = range(len(days))
    for name, values in series.items():
        ax.plot(x, values, label=name, linewidth=1.2)
    step = max(1, len(days) // 12)
    ax.set_xticks(list(x)[::step], days[::step], rotation=30, ha="right", fontsize=8)
    ax.legend(fontsize=8, ncols=4)
    ax.grid(alpha=0.3)
    return fig


def _histogram(counts: Counter[int]) -> Figure:
    fig, ax = _pyplot().subplots(figsize=(10, 3.2))
    if counts:
        values = sorted(counts)
        ax.hist(values, weights=[counts[v] for v in values], bins=range(0, values[-1] + 2),
                color="#4477aa", edgecolor="white")
    ax.set_xlabel("business days")
    ax.set_ylabel("filings")
    return fig


def _outcomes(messages: dict[str, Any]) -> Figure:
    fig, ax = _pyplot().subplots(figsize=(10, 3.2))
    channels = list(messages)
    bottom = [0] * len(channels)
    for outcome in ("sent", "failed", "pending", "skipped"):
        values = [sum(m[outcome].values()) if outcome == "skipped" else m[outcome]
                  for m in messages.values()]
        ax.bar(channels, values, bottom=bottom, label=outcome)
        bottom = [a + b for a, b in zip(bottom, values, strict=True)]
    ax.legend(fontsize=8)
    return fig


__all__ = ["write_report"]
