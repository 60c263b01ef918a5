"""Every callback, block and action id, shared by builders, listeners and tests."""

import re
from enum import StrEnum

_DIGITS = re.compile(r"[0-9]{1,10}")
ID_MAX = 2**31 - 1
"""Ids are PostgreSQL integers: anything larger can't name a row, and would fail in the query."""


def parse_id(value: object) -> int | None:
    """A row id carried in a button value or private_metadata: ASCII digits only, within a PostgreSQL
    integer (str.isdigit() also accepts '²' and '٣', which int() then refuses or misreads)."""
    if not isinstance(value, str) or not _DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if 0 < number <= ID_MAX else None


class Callback(StrEnum):
    INTAKE = "idea_intake"
    DETAILS = "idea_details"
    SUBMIT_SHORTCUT = "submit_idea"
    MESSAGE_SHORTCUT = "turn_into_idea"
    ASSIGN_COACH = "idea_assign_coach"
    LOGFRAME = "idea_logframe"
    ALIGNMENT = "idea_alignment"
    WITHDRAW = "idea_withdraw"
    DECISION = "idea_decision"
    DECISION_PREVIEW = "idea_decision_preview"
    RECONSIDER = "idea_reconsider"
    FEEDBACK = "idea_feedback"
    EXPLANATION = "idea_explanation"


class Action(StrEnum):
    VIEW_DETAILS = "idea_view_details"
    OPEN_INTAKE = "idea_open_intake"
    COACH_THIS = "idea_coach_this"
    ASSIGN_COACH = "idea_assign_coach"
    OPEN_LOGFRAME = "idea_open_logframe"
    OPEN_ALIGNMENT = "idea_open_alignment"
    MARK_READY = "idea_mark_ready"
    WITHDRAW = "idea_withdraw"
    DECIDE = "idea_decide"
    REVISIT = "idea_revisit"
    ASK_QUESTION = "idea_ask_question"
    UNDERSTOOD = "idea_understood"
    RECONSIDER = "idea_reconsider"
    GIVE_FEEDBACK = "idea_give_feedback"
    INPUT = "value"
    SNOOZE_DAY = "nudge_snooze_day"
    SNOOZE_3_DAYS = "nudge_snooze_3_days"
    SNOOZE_WEEK = "nudge_snooze_week"
    ON_IT = "nudge_on_it"
    HOME_STAGE = "home_filter_stage"
    HOME_GOAL = "home_filter_goal"
    HOME_COACH = "home_filter_coach"
    HOME_CLEAR = "home_clear_filters"
    HOME_SECTION = "home_section"
    HOME_PAGE = "home_page"
    OPEN_EXPLANATION = "idea_open_explanation"
    PROPOSE_JOIN = "idea_propose_join"
    JOIN_AGREE = "idea_join_agree"
    JOIN_DECLINE = "idea_join_decline"
    ADMIN_RELOAD = "admin_reload_strategy"


class Purpose(StrEnum):
    """What a remembered Slack message is for, per idea."""

    INTAKE_CARD = "intake_card"
    RECEIPT = "receipt"
    KICKOFF = "kickoff"
    DECISION_NOTICE = "decision_notice"
