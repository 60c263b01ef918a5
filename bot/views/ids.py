"""Every callback, block and action id, shared by builders, listeners and tests."""

from enum import StrEnum


class Callback(StrEnum):
    INTAKE = "idea_intake"
    DETAILS = "idea_details"
    SUBMIT_SHORTCUT = "submit_idea"
    MESSAGE_SHORTCUT = "turn_into_idea"


class Action(StrEnum):
    VIEW_DETAILS = "idea_view_details"
    OPEN_INTAKE = "idea_open_intake"
    INPUT = "value"


class Purpose(StrEnum):
    """What a remembered Slack message is for, per idea."""

    INTAKE_CARD = "intake_card"
    RECEIPT = "receipt"
