"""`--demo`: a realistic pipeline, made by people acting through the stand-in, so the real bot builds it.

Nothing is written to the bot's database directly: every idea is submitted with /idea and its modal,
coached in its thread, worked in the LogFrame and decided through the decision modal, on a workspace
clock set back a few weeks, so the pipeline has history and one idea has stalled.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

import yaml

from bot.views.ids import Action, Callback, Purpose
from models.business_time import subtract_business_days
from sandbox import client
from sandbox.people import LEAD_ID, PMO_CHANNEL

MAYA, SAM, PRIYA, LUIS = "U0MAYA0001", "U0SAM00002", "U0PRIYA003", "U0LUIS0004"
CRITERIA = ("strategic-fit", "member-impact", "effort", "risk", "readiness")

PEOPLE_BY_NAME = {"maya": MAYA, "sam": SAM, "priya": PRIYA, "luis": LUIS}


def load_ideas() -> list[dict[str, Any]]:
    ideas = yaml.safe_load((Path(__file__).parent / "demo_ideas.yml").read_text(encoding="utf-8"))
    for idea in ideas:
        idea["by"] = PEOPLE_BY_NAME[idea["by"]]
        if "coach" in idea:
            idea["coach"] = PEOPLE_BY_NAME[idea["coach"]]
    return ideas


def eventually(find, timeout: float = 10):
    deadline = time.monotonic() + timeout
    while not (found := find()):
        if time.monotonic() > deadline:
            raise TimeoutError("the bot did not answer in time while seeding the demo")
        time.sleep(0.05)
    return found


class Seeder:
    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.ws = sandbox.workspace
        self.side = sandbox.side
        self.calendar = sandbox.runtime.strategy.calendar.work_calendar
        self.count = 0

    # --- finding things -----------------------------------------------------------------------------

    def element(self, message: dict, action_id: str) -> tuple[str, dict] | None:
        for block in message.get("blocks") or []:
            for element in block.get("elements") or []:
                if element.get("action_id") == action_id:
                    return block["block_id"], element
        return None

    def card(self, reference: str) -> dict | None:
        for message in self.ws.messages_in(PMO_CHANNEL):
            headers = [b for b in message.get("blocks") or [] if b.get("type") == "header"]
            if headers and headers[0]["text"]["text"].startswith(f"{reference} ·"):
                return message
        return None

    def kickoff(self, reference: str) -> dict | None:
        """The coaching thread's first message for the idea (its buttons carry the idea's id)."""
        idea_id = reference.split("-")[1]
        for channel in self.ws.channels():
            for message in self.ws.messages_in(channel["id"]) if channel["kind"] == "mpim" else []:
                found = self.element(message, Action.OPEN_LOGFRAME)
                if found and found[1].get("value") == idea_id:
                    return message
        return None

    # --- acting ---------------------------------------------------------------------------------------

    def click(self, user: str, message: dict, action_id: str) -> None:
        block_id, _ = self.element(message, action_id)
        problem = client.act_in_message(self.side, user, message["channel"], message["ts"], block_id, action_id, None)
        if problem:
            raise RuntimeError(problem)

    def submit_top(self, user: str, callback: str, answers: dict[str, Any]) -> None:
        view = eventually(lambda: (v := self.ws.top_view(user)) and v["callback_id"] == callback and v)
        state = {block_id: {Action.INPUT.value: value} for block_id, value in answers.items()}
        problem = client.submit(self.side, user, view["id"], state)
        if problem or view.get("_errors"):
            raise RuntimeError(f"{callback}: {problem or view['_errors']}")

    def at(self, business_days_ago: float, hour: int, minute: int = 0) -> None:
        day = subtract_business_days(datetime.now(self.calendar.zone), business_days_ago, self.calendar)
        moment = datetime.combine(day.date(), clock_time(hour, minute), self.calendar.zone)
        self.ws.move_clock_to(min(moment, datetime.now(self.calendar.zone) - timedelta(minutes=5)))

    # --- the product's steps --------------------------------------------------------------------------

    def submit(self, idea: dict) -> str:
        client.send(
            self.side, idea["by"], PMO_CHANNEL if idea["by"] == SAM else "D" + idea["by"][1:], f"/idea {idea['title']}"
        )
        answers = {
            "problem": idea["problem"],
            "proposal": idea["idea"],
            "beneficiaries": ["members"],
            "goals": [idea["goal"]],
            "success_signal": idea["signal"],
            "help_offer": "maybe",
        }
        self.submit_top(idea["by"], Callback.INTAKE, answers)
        self.count += 1
        reference = f"IDEA-{self.count}"
        eventually(lambda: self.card(reference))
        return reference

    def coach(self, idea: dict, reference: str) -> dict:
        self.click(idea["coach"], self.card(reference), Action.COACH_THIS)
        return eventually(lambda: self.kickoff(reference))

    def converse(self, idea: dict, kickoff: dict) -> None:
        lines = [
            (idea["coach"], "Thanks for this! Which part of the problem do members feel most?"),
            (idea["by"], f"Mostly the waiting. {idea['problem']}"),
            (idea["coach"], "How would we know in three months that it worked?"),
            (idea["by"], idea["signal"]),
        ]
        for user, text in lines:
            client.send(self.side, user, kickoff["channel"], text, kickoff["ts"])

    def logframe(self, idea: dict, kickoff: dict) -> None:
        self.click(idea["coach"], kickoff, Action.OPEN_LOGFRAME)
        cells = {
            "goal.objective": idea["goal"],
            "purpose.objective": idea["signal"],
            "outcome1.objective": idea["idea"],
            "inputs.objective": "The owning team configures it; the PMO tracks the pilot for one quarter.",
        }
        self.submit_top(idea["coach"], Callback.LOGFRAME, cells)

    def ready(self, idea: dict, kickoff: dict, reference: str) -> None:
        self.click(idea["coach"], kickoff, Action.MARK_READY)
        eventually(lambda: self.element(self.card(reference), Action.DECIDE))

    def decide(self, idea: dict, reference: str) -> None:
        outcome = idea["to"]
        self.click(LEAD_ID, self.card(reference), Action.DECIDE)
        self.submit_top(LEAD_ID, Callback.DECISION, _decision(idea, outcome, self.ws.now()))
        self.submit_top(LEAD_ID, Callback.DECISION_PREVIEW, {})
        eventually(lambda: not self.ws.stack(LEAD_ID))

    def understood(self, idea: dict, reference: str) -> None:
        def notice() -> dict | None:
            for message in self.ws.messages_in("D" + idea["by"][1:]):
                if reference in message.get("text", "") and self.element(message, Action.UNDERSTOOD):
                    return message
            return None

        message = eventually(notice)
        eventually(lambda: self.remembered(reference, Purpose.DECISION_NOTICE))  # as a person could not be faster
        self.click(idea["by"], message, Action.UNDERSTOOD)

    def remembered(self, reference: str, purpose: str) -> bool:
        """Whether the bot has noted which message is the idea's `purpose` one (it does so after posting)."""
        from sqlalchemy import select

        from models import SlackMessage

        idea_id = int(reference.split("-")[1])
        with self.sandbox.runtime.session_factory() as session:
            found = select(SlackMessage.id).where(SlackMessage.idea_id == idea_id, SlackMessage.purpose == purpose)
            return session.scalar(found) is not None


def _decision(idea: dict, outcome: str, now: datetime) -> dict[str, Any]:
    score = {"go": "4", "no_go": "2", "not_now": "3"}[outcome]
    answers: dict[str, Any] = {
        "outcome": outcome,
        "goals": [idea["goal"]],
        "rationale": RATIONALES[outcome],
        **{f"score:{c}": score for c in CRITERIA},
        # One reason per criterion: the decision guard refuses a reason pasted into several.
        **{f"reason:{c}": f"{REASONS[outcome]} ({c.replace('-', ' ')})" for c in CRITERIA},
    }
    if outcome == "go":
        answers |= {
            "next_steps": "The owning team runs a one-branch pilot this quarter; the PMO reports monthly.",
            "owner": idea["coach"],
            "target_start": (now + timedelta(days=21)).date().isoformat(),
            "effort": "20",
        }
    else:
        answers |= {
            "alternatives": "Start with the smallest manual version in one branch and measure it first.",
            "what_would_change": "Evidence from a one-branch trial, or budget freed up at the mid-year review.",
        }
    if outcome == "not_now":
        answers["revisit_on"] = (now + timedelta(days=60)).date().isoformat()
    return answers


RATIONALES = {
    "go": "It moves one of this year's goals directly, the tools already exist, and the owning team has "
    "capacity this quarter; the pilot is small enough to stop cheaply if the measure does not move.",
    "no_go": "The website vendor cannot host a chatbot until the platform upgrade in 2028, and the card "
    "network's own activation line already answers these calls, so we would pay twice for the same help.",
    "not_now": "The schools' calendar means a challenge could only start in September, and the marketing "
    "budget for this year is committed; the idea is strong, so we will bring it back with next year's plan.",
}
REASONS = {
    "go": "Clear fit and a cheap pilot",
    "no_go": "Blocked by the platform for now",
    "not_now": "Good, but the timing is wrong",
}

# (business days ago, hour) at which each step happens, so the pipeline has a history.
PLAN = {
    "submit": (15, 9),
    "coach": (14, 10),
    "talk": (13, 11),
    "logframe": (11, 14),
    "ready": (9, 15),
    "decide": (6, 10),
}


def _advance(seeder: Seeder, idea: dict, reference: str, index: int) -> None:
    target = idea["to"]
    if target in ("new", "stalled"):
        return
    seeder.at(PLAN["coach"][0] - index * 0.05, PLAN["coach"][1])
    kickoff = seeder.coach(idea, reference)
    seeder.at(PLAN["talk"][0] - index * 0.05, PLAN["talk"][1])
    seeder.converse(idea, kickoff)
    if target == "coaching":
        return
    seeder.at(PLAN["logframe"][0], PLAN["logframe"][1], index)
    seeder.logframe(idea, kickoff)
    seeder.at(PLAN["ready"][0], PLAN["ready"][1], index)
    seeder.ready(idea, kickoff, reference)
    if target == "ready":
        return
    seeder.at(PLAN["decide"][0], PLAN["decide"][1], index)
    seeder.decide(idea, reference)
    if target == "go":
        seeder.at(PLAN["decide"][0] - 1, 9, index)
        seeder.understood(idea, reference)


def seed(sandbox) -> None:
    """Build the demo pipeline through the protocol; leaves the workspace clock at the present."""
    seeder = Seeder(sandbox)
    references = []
    ideas = load_ideas()
    for index, idea in enumerate(ideas):
        days_ago = 1 if idea["to"] == "new" else PLAN["submit"][0] - (3 if idea["to"] == "stalled" else 0)
        seeder.at(days_ago, PLAN["submit"][1], index * 3)
        references.append(seeder.submit(idea))
    for index, (idea, reference) in enumerate(zip(ideas, references, strict=True)):
        _advance(seeder, idea, reference, index)
    sandbox.workspace.move_clock_to(datetime.now().astimezone())
    from bot.scheduler import sweep_job

    sweep_job(sandbox.runtime)  # the stalled idea's nudge, now (or at the next working hour)
