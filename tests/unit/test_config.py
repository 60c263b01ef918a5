"""Operator mistakes in the environment and in strategy.yml become one-line ConfigErrors naming the field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.config import DEFAULT_SLACK_API_URL, ConfigError, Settings, load_settings, load_strategy

ROOT = Path(__file__).resolve().parents[2]


def config_error(call, *args) -> str:
    with pytest.raises(ConfigError) as raised:
        call(*args)
    message = str(raised.value)
    assert message and "\n" not in message and "\r" not in message, repr(message)
    assert "Traceback" not in message and "pydantic" not in message.lower()
    return message


# --- settings from the environment --------------------------------------------------------------


def test_settings_default_when_nothing_is_set():
    settings = load_settings({})
    assert settings.slack_api_url == DEFAULT_SLACK_API_URL
    assert settings.pmo_staff_ids == frozenset()
    assert settings.database_url == "sqlite:///idea-coach.db"


def test_load_settings_reads_only_the_mapping_it_is_given(monkeypatch):
    monkeypatch.setenv("PMO_STAFF_IDS", "bob")
    assert load_settings({"PMO_STAFF_IDS": "U1"}).pmo_staff_ids == frozenset({"U1"})


def test_staff_ids_are_split_on_commas_and_trimmed():
    settings = load_settings({"PMO_STAFF_IDS": " UCOACH0001, W0COACH2 ,,UCOACH0001 "})
    assert settings.pmo_staff_ids == frozenset({"UCOACH0001", "W0COACH2"})
    assert settings.is_staff("W0COACH2")
    assert not settings.is_staff("USUBMIT001")


@pytest.mark.parametrize("value", ["bob", "UCOACH0001,bob", "U12-34", "C012ABCDEF", "u012abcdef"])
def test_a_staff_id_that_is_not_a_slack_user_id_is_one_line_naming_pmo_staff_ids(value):
    message = config_error(load_settings, {"PMO_STAFF_IDS": value})
    assert message.startswith("PMO_STAFF_IDS is invalid: ")
    assert "is not a Slack user id (like U012ABCDEF)" in message


def test_the_bad_staff_id_is_quoted_in_the_message():
    assert "'bob'" in config_error(load_settings, {"PMO_STAFF_IDS": "UCOACH0001,bob"})


@pytest.mark.parametrize("value", ["general", "#general", "U012ABCDEF", "C01-2"])
def test_a_channel_that_is_not_a_slack_channel_id_is_one_line_naming_pmo_channel_id(value):
    message = config_error(load_settings, {"PMO_CHANNEL_ID": value})
    assert message.startswith("PMO_CHANNEL_ID is invalid: ")
    assert "is not a Slack channel id" in message


@pytest.mark.parametrize("value", ["C012ABCDEF", "G012ABCDEF"])
def test_public_and_private_channel_ids_are_accepted(value):
    assert load_settings({"PMO_CHANNEL_ID": value}).pmo_channel_id == value


@pytest.mark.parametrize(
    "environ",
    [{"PMO_STAFF_IDS": "UCOACH0001\nbob"}, {"PMO_CHANNEL_ID": "CPMO00001\nCPMO00002"}],
    ids=["staff-one-per-line", "channel-two-lines"],
)
def test_a_value_with_a_newline_still_gives_a_one_line_error(environ):
    config_error(load_settings, environ)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("http://127.0.0.1:8080/api", "http://127.0.0.1:8080/api/"),
        ("https://slack.com/api/", "https://slack.com/api/"),
    ],
)
def test_the_slack_api_url_always_ends_with_a_slash(given, expected):
    assert load_settings({"SLACK_API_URL": given}).slack_api_url == expected


def test_a_slack_api_url_that_is_not_http_is_refused():
    message = config_error(load_settings, {"SLACK_API_URL": "slack.com/api"})
    assert message == "SLACK_API_URL is invalid: must be an http(s) URL"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://coach:pw@db:5432/ideas", "postgresql+psycopg://coach:pw@db:5432/ideas"),
        ("postgresql://coach:pw@db/ideas", "postgresql+psycopg://coach:pw@db/ideas"),
        ("postgresql+psycopg://coach@db/ideas", "postgresql+psycopg://coach@db/ideas"),
        ("sqlite:////var/lib/idea-coach.db", "sqlite:////var/lib/idea-coach.db"),
    ],
)
def test_database_urls_are_normalised_to_the_psycopg_driver(given, expected):
    assert load_settings({"DATABASE_URL": given}).database_url == expected


def test_an_unsupported_database_is_refused_without_echoing_the_url():
    message = config_error(load_settings, {"DATABASE_URL": "mysql://root:s3cret@db/ideas"})
    assert message.startswith("DATABASE_URL is invalid: ")
    assert "s3cret" not in message


def test_lowercase_variable_names_are_read_too():
    assert load_settings({"pmo_channel_id": "CPMO00001"}).pmo_channel_id == "CPMO00001"


@pytest.mark.parametrize(
    "name", ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "PMO_CHANNEL_ID", "PMO_STAFF_IDS"]
)
def test_require_names_the_missing_variable_and_what_it_is(name):
    message = config_error(Settings().require, name)
    assert message.startswith(f"{name} is not set: ")
    assert len(message) > len(f"{name} is not set: ") + 10


def test_require_names_the_first_missing_of_several():
    settings = Settings(slack_bot_token="xoxb-1")
    message = config_error(settings.require, "SLACK_BOT_TOKEN", "PMO_CHANNEL_ID", "PMO_STAFF_IDS")
    assert message.startswith("PMO_CHANNEL_ID is not set")


def test_require_passes_when_everything_is_set():
    settings = load_settings({"SLACK_BOT_TOKEN": "xoxb-1", "PMO_STAFF_IDS": "UCOACH0001"})
    settings.require("SLACK_BOT_TOKEN", "PMO_STAFF_IDS")


# --- strategy.yml -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def good() -> dict:
    return yaml.safe_load((ROOT / "strategy.yml").read_text(encoding="utf-8"))


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "strategy.yml"
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def broken(good: dict, edit) -> dict:
    data = yaml.safe_load(yaml.safe_dump(good))
    edit(data)
    return data


def test_the_shipped_strategy_loads(good, tmp_path):
    strategy = load_strategy(write(tmp_path, good))
    assert strategy.year == good["year"]
    assert [goal.id for goal in strategy.goals] == [goal["id"] for goal in good["goals"]]
    assert strategy.clocks.unassigned_business_days == 1


def test_a_missing_strategy_file_names_the_file_and_the_setting(tmp_path):
    path = tmp_path / "nowhere.yml"
    message = config_error(load_strategy, path)
    assert message == f"{path}: file not found (set STRATEGY_FILE to its path)"


def test_invalid_yaml_names_the_file_and_the_line(tmp_path):
    text = "organisation: Credit Union\nyear: 2027\npillars:\n  - id: growth\n    title: Growth: the plan\n"
    path = write(tmp_path, text)
    message = config_error(load_strategy, path)
    assert message == f"{path}: not valid YAML at line 5: mapping values are not allowed here"


def test_a_tab_indented_file_names_the_line_of_the_tab(tmp_path):
    path = write(tmp_path, "organisation: Credit Union\nyear: 2027\npillars:\n\t- id: x\n")
    message = config_error(load_strategy, path)
    assert message.startswith(f"{path}: not valid YAML at line 4")


@pytest.mark.parametrize("text", ["", "just a sentence", "- a\n- list\n"], ids=["empty", "scalar", "list"])
def test_a_file_that_is_not_a_mapping_says_what_is_expected(tmp_path, text):
    path = write(tmp_path, text)
    assert config_error(load_strategy, path) == (
        f"{path}: expected a mapping with organisation, year, pillars, goals and criteria"
    )


def _goal_with_unknown_pillar(data):
    data["goals"][2]["pillar"] = "world-domination"


def _duplicate_goal(data):
    data["goals"][3]["id"] = data["goals"][0]["id"]


def _duplicate_pillar(data):
    data["pillars"][1]["id"] = data["pillars"][0]["id"]


def _zero_weight(data):
    data["criteria"][1]["weight"] = 0


def _unknown_key(data):
    data["goals"][4]["owner"] = "Jane"


def _unknown_top_level_key(data):
    data["colour"] = "blue"


def _missing_title(data):
    del data["pillars"][2]["title"]


def _bad_id(data):
    data["goals"][0]["id"] = "Digital Self Service"


def _year_as_words(data):
    data["year"] = "next year"


def _clock_zero(data):
    data["clocks"]["unassigned_business_days"] = 0


def _long_goal_title(data):
    data["goals"][1]["title"] = "t" * 76


@pytest.mark.parametrize(
    ("edit", "field", "words"),
    [
        (_goal_with_unknown_pillar, "goals[2].pillar", "'world-domination' is not one of the pillars' ids"),
        (_duplicate_goal, "goals[3].id", "is used twice"),
        (_duplicate_pillar, "pillars[1].id", "is used twice"),
        (_zero_weight, "criteria[1].weight", "greater than 0"),
        (_unknown_key, "goals[4].owner", "Extra inputs are not permitted"),
        (_unknown_top_level_key, "colour", "Extra inputs are not permitted"),
        (_missing_title, "pillars[2].title", "Field required"),
        (_bad_id, "goals[0].id", "pattern"),
        (_year_as_words, "year", "integer"),
        (_clock_zero, "clocks.unassigned_business_days", "greater than or equal to 1"),
        (_long_goal_title, "goals[1].title", "at most 75 characters"),
    ],
    ids=lambda value: value.__name__.strip("_") if callable(value) else None,
)
def test_a_broken_strategy_is_one_line_naming_the_file_and_the_field(good, tmp_path, edit, field, words):
    path = write(tmp_path, broken(good, edit))

    message = config_error(load_strategy, path)

    assert message.startswith(f"{path}: {field}: "), message
    assert words in message


@pytest.mark.parametrize("kind", ["latin-1-file", "directory"])
def test_an_unreadable_strategy_file_is_a_config_error_naming_the_file(good, tmp_path, kind):
    if kind == "directory":
        path = tmp_path
    else:
        path = tmp_path / "strategy.yml"
        text = yaml.safe_dump(good | {"organisation": "Société de crédit"}, allow_unicode=True)
        path.write_bytes(text.encode("latin-1"))

    message = config_error(load_strategy, path)

    assert message.startswith(f"{path}: ")
