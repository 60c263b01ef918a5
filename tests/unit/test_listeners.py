"""Module-level listeners called directly: what Bolt will pass them, and how refusals are acked and told."""

import functools
import inspect
from types import SimpleNamespace

import pytest
from slack_bolt import App
from slack_bolt.kwargs_injection.args import Args
from slack_bolt.util.utils import get_arg_names_of_callable

from bot.delivery import Ephemeral
from bot.services import coaching, decisions
from bot.services.errors import Refused
from bot.services.once import Repeated
from bot.views.blocks import button, id_in_button, id_in_modal, modal
from bot.views.ids import Action, Callback
from bot.views.joining import pair_value, parse_pair
from bot.views.nudges import SNOOZES, snooze_days
from handlers import actions, register_all
from handlers import decisions as decision_listeners
from handlers.wiring import bound

BOLT_ARGUMENTS = set(inspect.signature(Args.__init__).parameters) - {"self"}
BODY = {"user": {"id": "U1"}, "channel": {"id": "C1"}, "trigger_id": "T1"}


class FakeAck:
    """Records the order of acks and tells, like Bolt's Ack keeps its first response."""

    def __init__(self, events: list) -> None:
        self.response = None
        self.events = events

    def __call__(self, **answer) -> None:
        self.events.append(("ack", answer))
        self.response = answer


def stub_runtime(events: list) -> SimpleNamespace:
    return SimpleNamespace(outbox=SimpleNamespace(send=lambda messages: events.append(("told", messages))))


def test_every_registered_listener_is_given_only_what_bolt_can_pass():
    app = App(token="xoxb-test", signing_secret="secret", token_verification_enabled=False)
    register_all(app, stub_runtime([]))
    assert len(app._listeners) >= 30
    for listener in app._listeners:
        names = get_arg_names_of_callable(listener.ack_function)
        assert names, listener.ack_function
        assert "runtime" not in names
        assert set(names) <= BOLT_ARGUMENTS, (listener.ack_function.__name__, names)
    assert app._listener_runner.listener_error_handler.arg_names == ["error", "body", "response"]


def test_bound_sees_through_the_refusals_decorator_where_a_bare_partial_does_not():
    assert get_arg_names_of_callable(functools.partial(actions.mark_ready, object())) == []
    assert get_arg_names_of_callable(bound(object(), actions.mark_ready)) == ["ack", "body", "action"]


def test_a_refusal_is_acked_before_it_is_told(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise Refused("Only its coach can mark it ready.")

    monkeypatch.setattr(coaching, "mark_ready", refuse)
    events: list = []
    runtime = stub_runtime(events)
    actions.mark_ready(runtime, ack=FakeAck(events), body=BODY, action={"value": "7"})
    assert [kind for kind, _ in events] == ["ack", "told"]
    (told,) = events[1][1]
    assert isinstance(told, Ephemeral)
    assert (told.channel, told.user, told.text) == ("C1", "U1", "Only its coach can mark it ready.")


def test_a_listener_called_positionally_still_acks_and_tells(monkeypatch):
    monkeypatch.setattr(coaching, "revisit", lambda *_: (_ for _ in ()).throw(Refused("Not now.")))
    events: list = []
    actions.revisit(stub_runtime(events), FakeAck(events), BODY, {"value": "7"})
    assert [kind for kind, _ in events] == ["ack", "told"]


def test_a_repeat_after_the_ack_is_neither_acked_again_nor_told_when_silent(monkeypatch):
    def repeated(*_args, **_kwargs):
        raise Repeated("")

    monkeypatch.setattr(decisions, "send", repeated)
    events: list = []
    view = {"private_metadata": "7", "id": "V1", "hash": "h1"}
    decision_listeners.decision_sent(stub_runtime(events), ack=FakeAck(events), body=BODY, view=view)
    assert events == [("ack", {"response_action": "clear"})]


def test_a_repeat_with_something_to_say_is_told_once(monkeypatch):
    monkeypatch.setattr(decisions, "acknowledge", lambda *_: (_ for _ in ()).throw(Repeated("Already noted.")))
    events: list = []
    decision_listeners.understood(stub_runtime(events), ack=FakeAck(events), body=BODY, action={"value": "3"})
    assert [kind for kind, _ in events] == ["ack", "told"]
    assert events[1][1][0].text == "Already noted."


def test_ids_are_read_back_by_the_parser_next_to_their_builder():
    assert id_in_button(button("Details", Action.VIEW_DETAILS, "42")) == 42
    assert id_in_modal(modal(Callback.WITHDRAW, "Withdraw", [], metadata="42")) == 42
    assert parse_pair(pair_value(12, 5)) == (12, 5)


@pytest.mark.parametrize("value", ["", "7", "7:", ":7", "²:1", "1:٣", "0:1", "1:99999999999", "a:b"])
def test_a_pair_that_names_no_two_ideas_is_none(value):
    assert parse_pair(value) is None


def test_each_snooze_button_says_its_days():
    for action_id, (days, _) in SNOOZES.items():
        assert snooze_days({"action_id": action_id.value}) == days
