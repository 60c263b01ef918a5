"""What a sweep did (or, in a dry run, would do): one item per nudge, and a summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from bot.views import sweep as views
from bot.views.nudges import NudgeNotice
from models.nudging import Place, SweepOutcome


@dataclass(frozen=True)
class SweepItem:
    notice: NudgeNotice
    place: Place
    outcome: SweepOutcome
    not_before: datetime | None = None

    def describe(self) -> str:
        return views.item_line(self.notice, self.place, self.outcome, self.not_before)


@dataclass
class SweepReport:
    now: datetime
    dry_run: bool
    items: list[SweepItem] = field(default_factory=list)

    def having(self, *outcomes: SweepOutcome) -> list[SweepItem]:
        return [item for item in self.items if item.outcome in outcomes]

    @property
    def sent(self) -> list[SweepItem]:
        return self.having(SweepOutcome.SENT)

    @property
    def failed(self) -> list[SweepItem]:
        return self.having(SweepOutcome.FAILED)

    def summary(self) -> str:
        return views.summary(self.now, self.dry_run, Counter(item.outcome for item in self.items))
