"""MscCommonQuery 2021-04-07 ``ListMessages``: the sent-message log, from the deliveries."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from notify.compose import rendered

from . import shapes
from .errors import invalid
from .registry import Call, action

V = "2021-04-07"
CHANNEL_TYPES = {"email": "email", "pmsg": "internal", "sms": "sms", "webhook": "webhook"}
API_TYPES = {v: k for k, v in CHANNEL_TYPES.items()}


def _time(call: Call, name: str) -> datetime | None:
    value = call.params.number(name, minimum=0, maximum=10**14)
    return None if value is None else datetime.fromtimestamp(value / 1000, UTC)


@action(V, "ListMessages")
def list_messages(call: Call) -> dict[str, Any]:
    p = call.params
    kind = p.text("ChannelType", max_length=20)
    if kind and kind not in CHANNEL_TYPES:
        raise invalid("ChannelType", f"must be one of {', '.join(CHANNEL_TYPES)}")
    start, end = _time(call, "StartTimestamp"), _time(call, "EndTimestamp")
    page_no = p.number("PageNo", minimum=1) or 1
    size = p.number("PageSize", minimum=1, maximum=shapes.MAX_PAGE) or shapes.DEFAULT_PAGE
    rows = call.system.deliveries.list(call.account_id,
                                       channel=CHANNEL_TYPES[kind] if kind else None)
    rows = [d for d in rows if d.status != "skipped"
            and (start is None or d.created_at >= start) and (end is None or d.created_at <= end)]
    rows.sort(key=lambda d: (d.created_at, d.id or 0), reverse=True)
    chunk = rows[(page_no - 1) * size: page_no * size]
    data = []
    for d in chunk:
        text = rendered(d)
        data.append({"ChannelType": API_TYPES.get(d.channel, d.channel),
                     "Receiver": d.to_address or call.account_id,
                     "Title": text.subject,
                     "Content": "" if d.kind == "verification" else text.body,
                     "Status": d.status, "Timestamp": shapes.ms(d.done_at or d.created_at),
                     "MessageId": str(d.id)})
    return {"Data": data, "Total": len(rows)}


__all__ = ["V"]
