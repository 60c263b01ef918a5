"""What a sweep did (or, in a dry run, would do): one line per nudge, and a summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.views import nudges as views


class Outcome:
    SENT = "sent"
    FAILED = "failed"
    WOULD_SEND = "would send"
    WAITING = "waiting for working hours"
    RETRY_WAITING = "retry waiting for working hours"
    WOULD_RETRY = "would retry"
    CANCELLED = "cancelled: the idea moved on"
    NO_RECIPIENT = "nobody to send it to"


@dataclass(frozen=True)
class SweepItem:
    notice: views.NudgeNotice
    where: str
    why: str
    outcome: str
    not_before: datetime | None = None

    def describe(self) -> str:
        line = views.dry_run_line(self.notice, self.where, self.why)
        if self.not_before is not None:
            line += f" [{self.outcome}, from {self.not_before:%Y-%m-%d %H:%M} UTC]"
        else:
            line += f" [{self.outcome}]"
        return line


@dataclass
class SweepReport:
    now: datetime
    dry_run: bool
    items: list[SweepItem] = field(default_factory=list)

    def having(self, *outcomes: str) -> list[SweepItem]:
        return [item for item in self.items if item.outcome in outcomes]

    @property
    def sent(self) -> list[SweepItem]:
        return self.having(Outcome.SENT)

    @property
    def failed(self) -> list[SweepItem]:
        return self.having(Outcome.FAILED)

    @property
    def planned(self) -> list[SweepItem]:
        return self.having(Outcome.WOULD_SEND, Outcome.WOULD_RETRY)

    @property
    def waiting(self) -> list[SweepItem]:
        return self.having(Outcome.WAITING, Outcome.RETRY_WAITING)

    def summary(self) -> str:
        if self.dry_run:
            return (
                f"dry run at {self.now:%Y-%m-%d %H:%M} UTC: {len(self.planned)} nudge(s) would be sent, "
                f"{len(self.waiting)} waiting for working hours; nothing was sent"
            )
        return (
            f"sweep at {self.now:%Y-%m-%d %H:%M} UTC: {len(self.sent)} sent, {len(self.failed)} failed "
            f"(retried later), {len(self.waiting)} waiting for working hours"
        )
