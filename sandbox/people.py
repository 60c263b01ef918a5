"""Who is in the sandbox workspace, and its fixed ids."""

from __future__ import annotations

from dataclasses import dataclass

TEAM_ID = "T0SANDBOX"
TEAM_DOMAIN = "credit-union"
APP_ID = "A0IDEACOACH"
BOT_USER_ID = "U0IDEACOACH"
BOT_ID = "B0IDEACOACH"
APP_NAME = "Idea Coach"
BOT_TOKEN = "xoxb-sandbox-idea-coach"
PMO_CHANNEL = "C0PMOIDEAS"
GENERAL_CHANNEL = "C0GENERAL"
TIME_ZONE = "America/New_York"


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    role: str
    title: str

    @property
    def first_name(self) -> str:
        return self.name.split()[0]

    @property
    def label(self) -> str:
        return f"{self.name} ({self.role})"

    def as_slack_user(self) -> dict:
        return {
            "id": self.id,
            "team_id": TEAM_ID,
            "name": self.name.split()[0].lower(),
            "real_name": self.name,
            "deleted": False,
            "is_bot": False,
            "tz": TIME_ZONE,
            "tz_label": "Eastern Standard Time",
            "tz_offset": -18000,
            "profile": {"real_name": self.name, "display_name": self.first_name, "title": self.title},
        }


STAFF = "staff member"
COACH = "PMO coach"
LEAD = "PMO lead"

PEOPLE = (
    Person("U0MAYA0001", "Maya Chen", STAFF, "Loan officer"),
    Person("U0SAM00002", "Sam Okafor", STAFF, "Member services"),
    Person("U0PRIYA003", "Priya Raman", COACH, "Process improvement coach"),
    Person("U0LUIS0004", "Luis Ortega", COACH, "Business analyst"),
    Person("U0DANA0005", "Dana Whitfield", LEAD, "Head of the PMO"),
)
BY_ID = {person.id: person for person in PEOPLE}
COACHES = tuple(p.id for p in PEOPLE if p.role == COACH)
LEAD_ID = next(p.id for p in PEOPLE if p.role == LEAD)

BOT_USER = {
    "id": BOT_USER_ID,
    "team_id": TEAM_ID,
    "name": "idea_coach",
    "real_name": APP_NAME,
    "is_bot": True,
    "deleted": False,
    "tz": TIME_ZONE,
    "tz_offset": -18000,
    "profile": {"real_name": APP_NAME, "display_name": APP_NAME, "bot_id": BOT_ID},
}


def display_name(user_id: str) -> str:
    if user_id == BOT_USER_ID:
        return APP_NAME
    person = BY_ID.get(user_id)
    return person.name if person else user_id
