"""Behaviour per stage: after each transition, what the applicant or reviewer does next.

Every decision is a draw from the one seeded sampler; the lifecycle table still decides
what is allowed (a planned move the filing has left behind is refused and dropped).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from workflow.lifecycle import Trigger

from .calendar import WorkCalendar, add_business_days
from .model import Stages
from .sampling import Sampler

YEAR = timedelta(days=365)


@dataclass(frozen=True, slots=True)
class Move:
    """A planned trigger on one filing."""

    at: datetime
    trigger: str
    data: dict[str, Any] = field(default_factory=dict)
    actor: str = "applicant"


class Policies:
    def __init__(self, stages: Stages, sampler: Sampler, calendar: WorkCalendar, *,
                 zone: Any, end: datetime):
        self.s = stages
        self.sampler = sampler
        self.calendar = calendar
        self.zone = zone
        self.end = end

    def business(self, at: datetime, days: int) -> datetime:
        return add_business_days(self.calendar, at.astimezone(self.zone), days)

    def created(self, at: datetime) -> list[Move]:
        if self.sampler.chance(self.s.abandon):
            return []  # never submitted: reminded, then expired by the order's timers
        return [Move(at + self.sampler.real(self.s.submit_after), Trigger.submit.value)]

    def after(self, trigger: str, at: datetime, *, filing: int) -> list[Move]:
        """The moves that follow ``trigger`` having happened at ``at`` to the filing
        numbered ``filing``."""
        s, draw = self.s, self.sampler
        if trigger == Trigger.submit:
            return [Move(at, Trigger.start_review.value, actor="reviewer")]
        if trigger == Trigger.start_review:
            when = self.business(at, draw.days(s.initial_review))
            if draw.chance(s.initial_reject):
                return [_reject(when, "materials incomplete")]
            return [Move(when, Trigger.pass_review.value, actor="reviewer")]
        if trigger == Trigger.pass_review:
            if draw.chance(s.sms_complete):
                return [Move(at + draw.real(s.sms_after), Trigger.verify_sms.value)]
            return []  # the 24 h timer rejects it
        if trigger == Trigger.verify_sms:
            when = self.business(at, draw.days(s.authority_review))
            if draw.chance(s.authority_reject):
                return [_reject(when, "website information inconsistent")]
            return [Move(when, Trigger.approve.value,
                         {"icp_number": f"京ICP备{26000000 + filing}号"},
                         actor="authority")]
        if trigger in (Trigger.reject, Trigger.sms_timeout):
            if draw.chance(s.resubmit):
                return [Move(self.business(at, draw.days(s.resubmit_after)),
                             Trigger.submit.value)]
            return []
        if trigger in (Trigger.approve, Trigger.pass_inspection):
            if s.inspection_rate <= 0:
                return []
            wait = YEAR * draw.exponential(s.inspection_rate)
            if at + wait >= self.end:
                return []
            return [Move(at + wait, Trigger.start_inspection.value, actor="authority")]
        if trigger in (Trigger.start_inspection, Trigger.rectify):
            when = self.business(at, draw.days(s.inspection_review))
            if draw.chance(s.inspection_fail):
                return [Move(when, Trigger.fail_inspection.value,
                             {"items": ["website name", "content"]}, actor="authority")]
            return [Move(when, Trigger.pass_inspection.value, actor="authority")]
        if trigger == Trigger.fail_inspection:
            return self._rectification(at)
        return []

    def _rectification(self, at: datetime) -> list[Move]:
        """Ask for the extension (once) near the deadline, and rectify before it or not."""
        s, draw, day = self.s, self.sampler, timedelta(days=1)
        moves: list[Move] = []
        start = at
        if draw.chance(s.extend):
            start = at + timedelta(seconds=round(draw.uniform(5, 9) * day.total_seconds()))
            moves.append(Move(start, Trigger.extend_deadline.value))
        if draw.chance(s.rectify):
            moves.append(Move(start + timedelta(seconds=round(draw.uniform(1, 9) * 86400)),
                              Trigger.rectify.value))
        return moves


def _reject(at: datetime, reason: str) -> Move:
    return Move(at, Trigger.reject.value, {"reason": reason}, actor="reviewer")


__all__ = ["Move", "Policies"]
