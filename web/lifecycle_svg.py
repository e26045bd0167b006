"""The lifecycle picture: an SVG drawn server-side from the lifecycle table (no CDN)."""

from __future__ import annotations

from collections import defaultdict

from markupsafe import Markup, escape

from workflow import names
from workflow.lifecycle import LIFECYCLE, State

BOX_W, BOX_H, COL, ROW, PAD = 132, 34, 176, 84, 14
# Happy path along the top; refusals, inspection and endings below (row, column).
LAYOUT: dict[str, tuple[int, int]] = {
    "draft": (0, 0), "submitted": (0, 1), "under_review": (0, 2),
    "sms_verification": (0, 3), "authority_review": (0, 4), "approved": (0, 5),
    "expired": (2, 1), "withdrawn": (1, 1), "rejected": (1, 2),
    "cancelled": (1, 4), "item_review": (1, 5), "rectification": (2, 5),
}


def _positions() -> dict[str, tuple[float, float]]:
    """Box centres; states missing from LAYOUT go to an extra row."""
    pos: dict[str, tuple[float, float]] = {}
    extra = 0
    for state in State:
        row, col = LAYOUT.get(state.value, (3, extra))
        if state.value not in LAYOUT:
            extra += 1
        pos[state.value] = (PAD + col * COL + BOX_W / 2, PAD + row * ROW + BOX_H / 2)
    return pos


def _clip(x1: float, y1: float, x2: float, y2: float) -> tuple[float, float]:
    """Where the segment from centre 1 to centre 2 leaves box 1."""
    dx, dy = x2 - x1, y2 - y1
    scale = min((BOX_W / 2 + 3) / abs(dx) if dx else 1e9, (BOX_H / 2 + 3) / abs(dy) if dy else 1e9)
    return x1 + dx * scale, y1 + dy * scale


def lifecycle_svg(current: str, language: str = "en") -> Markup:
    """The whole lifecycle with ``current`` filled and its next states outlined; states and
    triggers by their names in ``language``."""
    pos = _positions()
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for rule in LIFECYCLE:
        for source in rule.sources:
            edges[(source.value, rule.dest.value)].append(rule.trigger.value)
    nexts = {dst for (src, dst) in edges if src == current}
    parts: list[str] = []
    labels: list[str] = []  # drawn last, over boxes and lines
    for (src, dst), triggers in edges.items():
        hot = src == current
        cls = "edge next" if hot else "edge"
        label = ", ".join(names.trigger(t, language) for t in triggers)
        if src == dst:  # extend_deadline: a loop under the box
            x, y = pos[src]
            y0 = y + BOX_H / 2
            parts.append(f'<path class="{cls}" marker-end="url(#arrow)" d="M{x - 20},{y0} '
                         f'C{x - 30},{y0 + 28} {x + 30},{y0 + 28} {x + 20},{y0 + 2}">'
                         f"<title>{escape(label)}</title></path>")
            if hot:
                labels.append(f'<text class="label" x="{x}" y="{y0 + 34}" '
                             f'text-anchor="middle">{escape(label)}</text>')
            continue
        (x1, y1), (x2, y2) = pos[src], pos[dst]
        sx, sy = _clip(x1, y1, x2, y2)
        ex, ey = _clip(x2, y2, x1, y1)
        if (dst, src) in edges:  # both directions: draw them side by side
            length = ((ex - sx) ** 2 + (ey - sy) ** 2) ** 0.5 or 1.0
            ox, oy = -(ey - sy) / length * 5, (ex - sx) / length * 5
            sx, sy, ex, ey = sx + ox, sy + oy, ex + ox, ey + oy
        parts.append(f'<line class="{cls}" x1="{sx:.0f}" y1="{sy:.0f}" x2="{ex:.0f}" '
                     f'y2="{ey:.0f}" marker-end="url(#{"hot" if hot else "arrow"})">'
                     f"<title>{escape(label)}</title></line>")
        if hot:
            labels.append(f'<text class="label" x="{(sx + ex) / 2:.0f}" '
                         f'y="{(sy + ey) / 2 - 4:.0f}" text-anchor="middle">'
                         f"{escape(label)}</text>")
    for state, (x, y) in pos.items():
        cls = "state current" if state == current else (
            "state reachable" if state in nexts else "state")
        parts.append(f'<g class="{cls}" data-state="{state}"><rect x="{x - BOX_W / 2:.0f}" '
                     f'y="{y - BOX_H / 2:.0f}" width="{BOX_W}" height="{BOX_H}" rx="4"/>'
                     f'<text x="{x:.0f}" y="{y + 4:.0f}" text-anchor="middle">'
                     f'{escape(names.state(state, language))}</text></g>')
    width = PAD * 2 + max(x for x, _ in pos.values()) + BOX_W / 2 - PAD
    height = PAD * 2 + max(y for _, y in pos.values()) + BOX_H / 2 + 30 - PAD
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'role="img" aria-label="{escape(_aria(current, language))}">'
            '<defs>'
            '<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#aaa"/></marker>'
            '<marker id="hot" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#ff6a00"/>'
            "</marker></defs>")
    return Markup(head + "".join(parts + labels) + "</svg>")


def _aria(current: str, language: str) -> str:
    state = names.state(current, language)
    return f"备案生命周期，当前状态：{state}" if language == "zh" else \
        f"Filing lifecycle, current state: {state}"
