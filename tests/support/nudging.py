"""Ideas put straight into the database at a chosen stage and time, and a runtime on a fixed clock."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.config import Settings, Strategy
from bot.db import transaction
from bot.runtime import Runtime
from bot.slack import SlackGateway, make_web_client
from models import CoachingThread, Idea, Nudge, Stage
from tests.conftest import SUBMITTER

NY = ZoneInfo("America/New_York")
LEAD = "ULEAD00001"
DECIDER = "UDECIDE001"
DECIDER_2 = "UDECIDE002"


def ny(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=NY)


MONDAY_10AM = datetime(2027, 3, 1, 10, tzinfo=NY)


def runtime_for(settings: Settings, strategy: Strategy, session_factory, **changes) -> Runtime:
    settings = settings.model_copy(update={"pmo_lead_id": LEAD} | changes)
    client = make_web_client(settings.slack_bot_token, settings.slack_api_url)
    return Runtime(settings, strategy, session_factory, SlackGateway(client))


def make_idea(
    session_factory,
    stage: Stage = Stage.SUBMITTED,
    entered: datetime = MONDAY_10AM,
    *,
    title: str = "Text members when a loan document is missing",
    coach: str | None = None,
    submitter: str = SUBMITTER,
    reply: tuple[datetime, str] | None = None,
    revisit_on: date | None = None,
    created: datetime | None = None,
) -> int:
    with transaction(session_factory) as session:
        idea = Idea(
            title=title,
            problem="Loan files stall for days because members don't know a document is missing.",
            proposal="Send an automatic text the moment the loan officer flags a missing document.",
            beneficiaries=["members"],
            success_signal="Median days waiting on documents drops from 4 to 1.",
            help_offer="yes",
            submitter_id=submitter,
            stage=stage,
            stage_entered_at=entered,
            coach_id=coach,
            last_reply_at=reply[0] if reply else None,
            last_reply_by=reply[1] if reply else None,
            revisit_on=revisit_on,
            created_at=created or entered,
            updated_at=entered,
        )
        session.add(idea)
        session.flush()
        return idea.id


def add_thread(
    session_factory, idea_id: int, coach: str, opened: datetime, channel: str = "GTHREAD01"
) -> CoachingThread:
    with transaction(session_factory) as session:
        thread = CoachingThread(
            idea_id=idea_id,
            channel_id=channel,
            thread_ts=f"1800000{idea_id:03d}.000100",
            coach_id=coach,
            permalink=f"https://credit.example/archives/{channel}/p1800000{idea_id:03d}000100",
            opened_at=opened,
        )
        session.add(thread)
    return thread


def nudges_of(session_factory, idea_id: int | None = None) -> list[Nudge]:
    with session_factory() as session:
        query = select(Nudge).order_by(Nudge.id)
        if idea_id is not None:
            query = query.where(Nudge.idea_id == idea_id)
        return list(session.scalars(query))


def change_idea(session_factory, idea_id: int, **values) -> None:
    with transaction(session_factory) as session:
        idea = session.get(Idea, idea_id)
        for name, value in values.items():
            setattr(idea, name, value)
