"""The adapted Logical Framework: its cells, how complete it is, and its if-then playback.

Four levels (Goal, Purpose, Outcomes, Inputs) by four columns (objective, success measure,
verification, assumptions) make the 16 cells. The Outcomes row holds one to three outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    GOAL = "goal"
    PURPOSE = "purpose"
    OUTCOMES = "outcomes"
    INPUTS = "inputs"


class Column(StrEnum):
    OBJECTIVE = "objective"
    MEASURE = "measure"
    VERIFICATION = "verification"
    ASSUMPTIONS = "assumptions"


LEVEL_LABELS = {
    Level.GOAL: "Goal",
    Level.PURPOSE: "Purpose",
    Level.OUTCOMES: "Outcomes",
    Level.INPUTS: "Inputs",
}

COLUMN_LABELS = {
    Column.OBJECTIVE: "Objective",
    Column.MEASURE: "Success measure",
    Column.VERIFICATION: "How we'll verify it",
    Column.ASSUMPTIONS: "Assumptions (outside our control)",
}

MAX_OUTCOMES = 3
CELL_MAX_LENGTH = 1000
OTHER_WAYS = "other_ways"
TOTAL_CELLS = len(Level) * len(Column)


def cell_key(level: Level, column: Column) -> str:
    return f"{level}.{column}"


def outcome_key(number: int, column: Column) -> str:
    """Outcome rows keep objective and measure per outcome; verification and assumptions are shared."""
    return f"outcome{number}.{column}"


def all_keys() -> list[str]:
    keys: list[str] = []
    for level in Level:
        if level is Level.OUTCOMES:
            for number in range(1, MAX_OUTCOMES + 1):
                keys += [outcome_key(number, Column.OBJECTIVE), outcome_key(number, Column.MEASURE)]
            keys += [cell_key(level, Column.VERIFICATION), cell_key(level, Column.ASSUMPTIONS)]
        else:
            keys += [cell_key(level, column) for column in Column]
    return [*keys, OTHER_WAYS]


@dataclass(frozen=True)
class Worksheet:
    """A LogFrame as saved: cell key -> text. The goal objective holds an annual goal's id."""

    cells: dict[str, str]

    @classmethod
    def from_cells(cls, cells: dict[str, str] | None) -> Worksheet:
        known = set(all_keys())
        kept = {key: value.strip() for key, value in (cells or {}).items() if key in known}
        return cls({key: value for key, value in kept.items() if value})

    def get(self, key: str) -> str:
        return self.cells.get(key, "")

    def outcomes(self) -> list[tuple[str, str]]:
        """(objective, measure) for each outcome with an objective, in order."""
        return [
            (self.get(outcome_key(n, Column.OBJECTIVE)), self.get(outcome_key(n, Column.MEASURE)))
            for n in range(1, MAX_OUTCOMES + 1)
            if self.get(outcome_key(n, Column.OBJECTIVE))
        ]

    def filled(self, level: Level, column: Column) -> bool:
        if level is Level.OUTCOMES and column in (Column.OBJECTIVE, Column.MEASURE):
            stated = self.outcomes()
            if column is Column.OBJECTIVE:
                return bool(stated)
            return bool(stated) and all(measure for _, measure in stated)
        return bool(self.get(cell_key(level, column)))

    @property
    def completed_cells(self) -> int:
        return sum(self.filled(level, column) for level in Level for column in Column)

    @property
    def completeness(self) -> str:
        return f"{self.completed_cells} of {TOTAL_CELLS} cells"

    def missing(self) -> list[str]:
        return [
            f"{LEVEL_LABELS[level]}: {COLUMN_LABELS[column].lower()}"
            for level in Level
            for column in Column
            if not self.filled(level, column)
        ]


def playback(worksheet: Worksheet, goal_title: str | None) -> list[str]:
    """The chain read bottom to top as plain 'If … then …' sentences, with gaps named."""
    inputs = worksheet.get(cell_key(Level.INPUTS, Column.OBJECTIVE)) or "[inputs not yet described]"
    outcomes = "; ".join(objective for objective, _ in worksheet.outcomes()) or "[outcomes not yet described]"
    purpose = worksheet.get(cell_key(Level.PURPOSE, Column.OBJECTIVE)) or "[purpose not yet described]"
    goal = goal_title or "[annual goal not yet chosen]"

    def holding(level: Level) -> str:
        assumptions = worksheet.get(cell_key(level, Column.ASSUMPTIONS))
        return f" and {assumptions} holds" if assumptions else ""

    return [
        f"If we do {inputs}{holding(Level.INPUTS)}, then we will deliver {outcomes}.",
        f"If we deliver {outcomes}{holding(Level.OUTCOMES)}, then {purpose}.",
        f"If {purpose}{holding(Level.PURPOSE)}, then it contributes to the goal: {goal}.",
    ]
