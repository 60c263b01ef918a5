"""`--demo` builds a pipeline through the protocol: every stage, coaching threads, a LogFrame, a stalled idea."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from models import Decision, Idea, Stage, ThreadMessage
from models.business_time import business_days_between
from sandbox.run import start

ROOT = Path(__file__).resolve().parents[2]


def test_the_demo_pipeline_has_every_stage_and_a_stalled_idea(tmp_path):
    sandbox = start(
        port=0, db_path=tmp_path / "demo.db", demo=True, strategy_file=ROOT / "strategy.yml", scheduler=False
    )
    try:
        with sandbox.runtime.session_factory() as session:
            ideas = session.scalars(select(Idea)).all()
            stages = {idea.stage for idea in ideas}
            replies = session.scalar(select(func.count()).select_from(ThreadMessage))
            outcomes = {d.outcome for d in session.scalars(select(Decision))}
            acknowledged = session.scalar(select(func.count()).where(Decision.acknowledged_at.is_not(None)))
            calendar = sandbox.runtime.strategy.calendar.work_calendar
            waiting = [
                business_days_between(i.created_at, sandbox.workspace.now(), calendar)
                for i in ideas
                if i.stage == Stage.SUBMITTED
            ]
            worksheets = max(idea.worksheet.completed_cells for idea in ideas)
        assert len(ideas) == 12
        assert {
            Stage.SUBMITTED,
            Stage.IN_COACHING,
            Stage.READY_FOR_DECISION,
            Stage.DECIDED_GO,
            Stage.DECIDED_NO_GO,
            Stage.NOT_NOW,
        } <= stages
        assert outcomes == {"go", "no_go", "not_now"} and acknowledged >= 1
        assert replies >= 20 and worksheets >= 4
        assert max(waiting) >= 10  # the stalled one; the others arrived yesterday
        assert sandbox.workspace.now().timestamp() - sandbox.workspace.state["last_ts"] >= -1
    finally:
        sandbox.stop()
