"""Settings from the environment and the organisation's strategy from strategy.yml.

Every operator mistake becomes a ConfigError whose message is one line naming the problem.
"""

from __future__ import annotations

import logging
import os
from datetime import date, time
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

if TYPE_CHECKING:  # importing models loads SQLAlchemy and every table: not for a lean server master
    from models.business_time import WorkCalendar


DEFAULT_SLACK_API_URL = "https://slack.com/api/"


class ConfigError(Exception):
    """A configuration problem an operator can fix; the message is one line."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    slack_bot_token: str = ""
    slack_signing_secret: str = ""
    slack_app_token: str = ""
    slack_api_url: str = DEFAULT_SLACK_API_URL
    database_url: str = "sqlite:///idea-coach.db"
    pmo_channel_id: str = ""
    pmo_staff_ids: Annotated[frozenset[str], NoDecode] = frozenset()
    pmo_decider_ids: Annotated[frozenset[str], NoDecode] = frozenset()
    pmo_lead_id: str = ""
    pmo_admin_ids: Annotated[frozenset[str], NoDecode] = frozenset()
    strategy_file: Path = Path("strategy.yml")
    log_level: str = "INFO"
    log_format: str = "text"
    # Seconds a change waits before the App Homes it concerns are published again; changes meanwhile
    # ride along, so each person's Home is published once. 0 leaves refreshes to the scheduler's sweep.
    home_refresh_seconds: Annotated[float, Field(ge=0, le=300)] = 2.0

    @field_validator("pmo_staff_ids", "pmo_decider_ids", "pmo_admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("pmo_staff_ids", "pmo_admin_ids")
    @classmethod
    def _check_ids(cls, value: frozenset[str]) -> frozenset[str]:
        for user_id in value:
            if user_id[:1] not in ("U", "W") or not user_id.isalnum():
                raise ValueError(f"{user_id!r} is not a Slack user id (like U012ABCDEF)")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_ends_with_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("log_level")
    @classmethod
    def _check_log_level(cls, value: str) -> str:
        if value.upper() not in logging.getLevelNamesMapping():
            raise ValueError(f"{value!r} is not a log level (DEBUG, INFO, WARNING, ERROR)")
        return value.upper()

    @field_validator("log_format")
    @classmethod
    def _check_log_format(cls, value: str) -> str:
        if value.lower() not in ("text", "json"):
            raise ValueError(f"{value!r} is not a log format (text or json)")
        return value.lower()

    @field_validator("pmo_channel_id")
    @classmethod
    def _check_channel(cls, value: str) -> str:
        if value and (value[:1] not in ("C", "G") or not value.isalnum()):
            raise ValueError(f"{value!r} is not a Slack channel id (like C012ABCDEF)")
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        if value.startswith("postgres://"):
            value = "postgresql://" + value.removeprefix("postgres://")
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("only sqlite:/// and postgresql:// URLs are supported")
        return value

    def is_staff(self, user_id: str) -> bool:
        return user_id in self.pmo_staff_ids

    def is_admin(self, user_id: str) -> bool:
        return user_id in self.pmo_admin_ids

    @property
    def deciders(self) -> frozenset[str]:
        """Who may decide: PMO_DECIDER_IDS, or every PMO staff member when it is not set."""
        return self.pmo_decider_ids or self.pmo_staff_ids

    def is_decider(self, user_id: str) -> bool:
        return user_id in self.deciders

    def require(self, *names: str) -> None:
        """Raise ConfigError naming the first of `names` that is not set."""
        for name in names:
            if not getattr(self, name.lower()):
                raise ConfigError(f"{name.upper()} is not set: {REQUIRED_HELP[name.upper()]}")

    def check_token_kinds(self) -> None:
        """Raise ConfigError when a token is of the wrong kind (each kind has its own prefix)."""
        for name, prefix in TOKEN_PREFIXES.items():
            value = getattr(self, name.lower())
            if value and not value.startswith(prefix):
                other = next((each for each, kind in TOKEN_PREFIXES.items() if value.startswith(kind)), None)
                found = f"it holds the token that belongs in {other}" if other else f"it starts {value[:5]!r}"
                raise ConfigError(f"{name} must start with {prefix}, but {found}: {REQUIRED_HELP[name]}")

    @cached_property
    def strategy(self) -> Strategy:
        return load_strategy(self.strategy_file)


def _check_user_id(user_id: str) -> str:
    if user_id[:1] not in ("U", "W") or not user_id.isalnum():
        raise ValueError(f"{user_id!r} is not a Slack user id (like U012ABCDEF)")
    return user_id


TOKEN_PREFIXES = {"SLACK_BOT_TOKEN": "xoxb-", "SLACK_APP_TOKEN": "xapp-"}

REQUIRED_HELP = {
    "SLACK_BOT_TOKEN": "the Bot User OAuth Token (xoxb-...) from the app's OAuth & Permissions page",
    "SLACK_SIGNING_SECRET": "the Signing Secret from the app's Basic Information page",
    "SLACK_APP_TOKEN": "an app-level token (xapp-...) with connections:write, for Socket Mode",
    "PMO_CHANNEL_ID": "the id of the channel where intake cards are posted (like C012ABCDEF)",
    "PMO_STAFF_IDS": "comma-separated Slack user ids of the PMO staff (like U012ABCDEF,U034GHIJKL)",
}


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Settings from `environ` (default: the process environment), or ConfigError."""
    environ = dict(os.environ if environ is None else environ)
    known = {name.upper() for name in Settings.model_fields}
    values = {key.lower(): value for key, value in environ.items() if key.upper() in known}
    try:
        return Settings.model_validate(values)
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "setting"
        raise ConfigError(f"{name} is invalid: {_clean(first['msg'])}") from None


def _clean(message: str) -> str:
    return message.removeprefix("Value error, ")


# --- strategy.yml -------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = {"extra": "forbid", "frozen": True}


Identifier = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")]


class Pillar(_Strict):
    id: Identifier
    title: Annotated[str, Field(min_length=1, max_length=75)]
    description: Annotated[str, Field(min_length=1, max_length=500)]


class Goal(_Strict):
    id: Identifier
    pillar: Identifier
    title: Annotated[str, Field(min_length=1, max_length=75)]
    description: Annotated[str, Field(min_length=1, max_length=500)]


class Criterion(_Strict):
    id: Identifier
    title: Annotated[str, Field(min_length=1, max_length=75)]
    question: Annotated[str, Field(min_length=1, max_length=300)]
    weight: Annotated[float, Field(gt=0, le=100)]


class Clocks(_Strict):
    """How many business days an idea may rest in a stage before someone is nudged."""

    unassigned_business_days: Annotated[int, Field(ge=1, le=30)] = 1
    coaching_quiet_business_days: Annotated[int, Field(ge=1, le=60)] = 5
    awaiting_decision_business_days: Annotated[int, Field(ge=1, le=60)] = 5


class Capacity(_Strict):
    """What the PMO can deliver this year, in the unit Go decisions estimate their effort in."""

    amount: Annotated[float, Field(gt=0, le=1_000_000)]
    unit: Annotated[str, Field(min_length=1, max_length=30)] = "person-days"


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _clock_time(value: object) -> object:
    """A time such as "09:00"; YAML reads an unquoted 17:00 as the base-60 number 1020, so take that too."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return time(value // 60, value % 60)
    return value


class Calendar(_Strict):
    """When people may be nudged, and when the weekly digest goes out (in the organisation's time zone)."""

    time_zone: str = "America/New_York"
    work_start: time = time(9, 0)
    work_end: time = time(17, 0)
    holidays: Annotated[list[date], Field(max_length=500)] = []
    digest_day: Literal[WEEKDAYS] = "monday"
    digest_time: time = time(9, 0)

    @field_validator("work_start", "work_end", "digest_time", mode="before")
    @classmethod
    def _times(cls, value: object) -> object:
        return _clock_time(value)

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"'{value}' is not a known time zone (like America/New_York)") from None
        return value

    @model_validator(mode="after")
    def _hours_in_order(self) -> Calendar:
        if self.work_start >= self.work_end:
            raise ValueError("work_start must be before work_end")
        return self

    @property
    def work_calendar(self) -> WorkCalendar:
        from models.business_time import WorkCalendar

        return WorkCalendar(self.time_zone, self.work_start, self.work_end, frozenset(self.holidays))

    @property
    def digest_weekday(self) -> int:
        return WEEKDAYS.index(self.digest_day)


class Strategy(_Strict):
    organisation: Annotated[str, Field(min_length=1, max_length=100)]
    year: Annotated[int, Field(ge=2000, le=2100)]
    pillars: Annotated[list[Pillar], Field(min_length=1, max_length=20)]
    goals: Annotated[list[Goal], Field(min_length=1, max_length=99)]
    criteria: Annotated[list[Criterion], Field(min_length=1, max_length=10)]
    clocks: Clocks = Clocks()
    calendar: Calendar = Calendar()
    capacity: Capacity | None = None

    @model_validator(mode="after")
    def _check_references(self) -> Strategy:
        _unique("pillars", [pillar.id for pillar in self.pillars])
        _unique("goals", [goal.id for goal in self.goals])
        _unique("criteria", [criterion.id for criterion in self.criteria])
        pillar_ids = {pillar.id for pillar in self.pillars}
        for index, goal in enumerate(self.goals):
            if goal.pillar not in pillar_ids:
                raise ValueError(f"goals[{index}].pillar: {goal.pillar!r} is not one of the pillars' ids")
        return self

    def goal(self, goal_id: str) -> Goal | None:
        return next((goal for goal in self.goals if goal.id == goal_id), None)

    def pillar(self, pillar_id: str) -> Pillar | None:
        return next((pillar for pillar in self.pillars if pillar.id == pillar_id), None)

    def goal_titles(self, goal_ids: list[str]) -> list[str]:
        return [goal.title for goal_id in goal_ids if (goal := self.goal(goal_id))]


def _unique(section: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for index, item_id in enumerate(ids):
        if item_id in seen:
            raise ValueError(f"{section}[{index}].id: {item_id!r} is used twice")
        seen.add(item_id)


def load_strategy(path: Path) -> Strategy:
    """The strategy in `path`, or ConfigError naming the file and the field at fault."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found (set STRATEGY_FILE to its path)") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text; save it as UTF-8") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read it ({error.strerror or error})") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}: not valid YAML{where}: {getattr(error, 'problem', error)}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping with organisation, year, pillars, goals and criteria")
    try:
        return Strategy.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = _location(first["loc"])
        message = _clean(first["msg"])
        raise ConfigError(f"{path}: {where + ': ' if where else ''}{message}") from None


def _location(loc: tuple) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
