"""The portfolio against the year's goals: pure arithmetic over counts the database already grouped."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class GoalLine:
    goal_id: str | None  # None: ideas linked to no goal
    title: str
    by_stage: dict[str, int] = field(default_factory=dict)
    go_count: int = 0
    effort: float = 0.0

    @property
    def ideas(self) -> int:
        return sum(self.by_stage.values())


@dataclass(frozen=True)
class Portfolio:
    year: int
    unit: str
    capacity: float | None
    lines: list[GoalLine]
    go_count: int
    effort: float

    @property
    def share(self) -> float | None:
        """Committed effort as a share of capacity (may exceed 1: over-committed)."""
        return self.effort / self.capacity if self.capacity else None


def build_portfolio(
    *,
    year: int,
    unit: str,
    capacity: float | None,
    goals: list[tuple[str, str]],
    stage_counts: Iterable[tuple[str | None, str, int]],
    go_ideas: Iterable[tuple[int, float | None, list[str]]],
) -> Portfolio:
    """`stage_counts`: (goal id or None, stage, ideas); `go_ideas`: (idea id, effort, its goal ids).

    An idea serving several goals counts in each goal's stage counts, but its effort is split evenly
    between them, so the goals' effort adds up to the total committed against capacity.
    """
    known = {goal_id for goal_id, _ in goals}
    by_stage: dict[str | None, dict[str, int]] = {goal_id: {} for goal_id, _ in goals}
    by_stage[None] = {}
    for goal_id, stage, count in stage_counts:
        key = goal_id if goal_id in known else None
        by_stage[key][stage] = by_stage[key].get(stage, 0) + count
    effort: dict[str | None, float] = dict.fromkeys(by_stage, 0.0)
    go_count: dict[str | None, int] = dict.fromkeys(by_stage, 0)
    total_effort, total_go = 0.0, 0
    for _, size, goal_ids in go_ideas:
        size = size or 0.0
        keys = [goal_id for goal_id in dict.fromkeys(goal_ids) if goal_id in known] or [None]
        for key in keys:
            effort[key] += size / len(keys)
            go_count[key] += 1
        total_effort += size
        total_go += 1
    lines = [
        GoalLine(goal_id, title, by_stage[goal_id], go_count[goal_id], round(effort[goal_id], 2))
        for goal_id, title in goals
    ]
    lines.append(GoalLine(None, "Linked to no goal", by_stage[None], go_count[None], round(effort[None], 2)))
    return Portfolio(year, unit, capacity, lines, total_go, round(total_effort, 2))
