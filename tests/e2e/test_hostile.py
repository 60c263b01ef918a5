"""Hostile but correctly signed payloads, generated with hypothesis, sent to every listener.

Each test starts from requests shaped exactly as Slack sends them and changes one to three parts of them to
something hostile: control characters, '²', numbers beyond any integer, lists where objects belong, missing
keys. Whatever arrives: the answer is never a 5xx, every request is answered, no listener fails unexpectedly,
and nothing half-written or raw reaches the database.
"""

from __future__ import annotations

import copy
import json
import logging
import os
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.edge import clean_text
from bot.services.intake import load_idea
from bot.views.after_decision import feedback_modal, reconsider_modal
from bot.views.coaching import alignment_modal, assign_coach_modal, withdraw_modal
from bot.views.decisions import decision_modal
from bot.views.ids import Action, Callback
from bot.views.intake import intake_modal
from bot.views.logframe import logframe_modal
from models import AuditEvent, Base, Idea
from tests.conftest import COACH, PMO_CHANNEL, SUBMITTER
from tests.support.driver import fill_state
from tests.support.flows import GOOD_ANSWERS, coach_this, coaching_thread, decision_answers, submit_idea

EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "50"))
DELETE = object()
SPECIALS = ["\x00", "a\x00b", "\x07\x1b[2J", "²", "٣", "1²", "99999999999999999999", "2147483648", "-1", "0", "1e9"]
SPECIALS += ["\ud800", "\u202e", "IDEA-²", "<!channel>", "&lt;", "{", "[]", "null", "V1", "U" * 40, " " * 10]
HOSTILE = st.one_of(
    st.sampled_from(SPECIALS),
    st.text(max_size=30),
    st.text(st.characters(max_codepoint=0x9F), max_size=10),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    st.none(),
    st.booleans(),
    st.lists(st.one_of(st.integers(), st.text(max_size=3)), max_size=3),
    st.dictionaries(st.text(max_size=5), st.one_of(st.integers(), st.text(max_size=5)), max_size=3),
    st.just(DELETE),
)


def _paths(node: Any, path: tuple = ()) -> list[tuple]:
    """Every place in a payload a change could go; a view's own blocks count as one place, not hundreds."""
    found = [path] if path else []
    if isinstance(node, dict) and (not path or path[-1] != "blocks"):
        for key, value in node.items():
            found += _paths(value, (*path, key))
    elif isinstance(node, list) and (not path or path[-1] != "blocks"):
        for index, value in enumerate(node):
            found += _paths(value, (*path, index))
    return found


def mutated(data, payload: dict) -> dict:
    payload = copy.deepcopy(payload)
    for _ in range(data.draw(st.integers(1, 3), label="changes")):
        paths = _paths(payload)
        if not paths:
            break
        path = data.draw(st.sampled_from(paths), label="where")
        value = data.draw(HOSTILE, label="what")
        parent = payload
        for step in path[:-1]:
            parent = parent[step]
        if value is DELETE:
            del parent[path[-1]]
        else:
            parent[path[-1]] = value
    return payload


class _Failures(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def failures():
    handler = _Failures()
    logger = logging.getLogger("handlers.errors")
    logger.addHandler(handler)
    yield handler.records
    logger.removeHandler(handler)


def assert_whole(session_factory) -> None:
    """No stored text holds a control character; every idea was stored with its submission record."""
    with session_factory() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)):
                for value in row:
                    if isinstance(value, str):
                        assert clean_text(value) == value, (table.name, value)
        ideas = session.scalars(select(Idea.id)).all()
        submitted = session.scalars(select(AuditEvent.idea_id).where(AuditEvent.action == "submitted")).all()
        assert sorted(ideas) == sorted(submitted)


SENT: list[int] = []


def check(response, failures) -> None:
    SENT.append(response.status)
    # 404 is Bolt's answer when no listener matches (an unknown command, action or callback id).
    assert response.status in (200, 400, 404), (response.status, response.body[:200])
    assert not failures, [record.getMessage() for record in failures]


def hostile(test):
    """Run `test` on EXAMPLES generated cases (the same ones every run), and make sure they really ran."""
    generated = settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=not os.environ.get("HOSTILE_RANDOM"),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )(given(data=st.data())(test))

    def run() -> None:
        SENT.clear()
        generated()
        assert len(SENT) >= EXAMPLES, len(SENT)
        print(f"{test.__qualname__}: {len(SENT)} requests, answers {sorted(set(SENT))}")

    return run


def an_idea_in_coaching(slack, session_factory) -> int:
    idea_id = submit_idea(slack)
    coach_this(slack, idea_id, COACH)
    return idea_id


def test_slash_commands(slack, session_factory, failures):
    base = {"command": "/idea", "text": "IDEA-1", "user_id": SUBMITTER, "channel_id": "CGENERAL1"}
    base |= {"team_id": "T0CREDIT", "trigger_id": "1.T0CREDIT.trig", "response_url": "https://hooks.slack.invalid/x"}
    an_idea_in_coaching(slack, session_factory)

    @hostile
    def send(data):
        form = {key: value for key, value in mutated(data, base).items() if value is not None}
        form = {key: value if isinstance(value, str) else json.dumps(value) for key, value in form.items()}
        # A lone surrogate can't be UTF-8: sent as the invalid bytes it would be.
        body = urlencode(form, errors="surrogatepass")
        check(slack.post(body, "application/x-www-form-urlencoded"), failures)

    send()
    assert_whole(session_factory)


def _click(action_id: str, value: str, user: str = COACH) -> dict:
    return {
        "type": "block_actions",
        "team": {"id": "T0CREDIT", "domain": "credit"},
        "user": {"id": user, "name": "someone", "team_id": "T0CREDIT"},
        "api_app_id": "A0IDEACOACH",
        "trigger_id": "1.T0CREDIT.trig",
        "container": {"type": "message", "message_ts": "1700000000.000100", "channel_id": PMO_CHANNEL},
        "channel": {"id": PMO_CHANNEL, "name": "pmo"},
        "message": {"type": "message", "ts": "1700000000.000100", "text": "card"},
        "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": value, "action_ts": "1.2"}],
    }


def test_shortcuts_and_button_clicks(slack, session_factory, failures):
    idea_id = an_idea_in_coaching(slack, session_factory)
    shortcut = {"type": "shortcut", "callback_id": Callback.SUBMIT_SHORTCUT.value, "trigger_id": "1.T.t"}
    shortcut |= {"user": {"id": SUBMITTER}, "team": {"id": "T0CREDIT"}}
    message_shortcut = shortcut | {"type": "message_action", "callback_id": Callback.MESSAGE_SHORTCUT.value}
    message_shortcut |= {"channel": {"id": "CGENERAL1"}, "message": {"ts": "1700000000.000100", "text": "hi"}}
    message_shortcut |= {"message_ts": "1700000000.000100"}
    bases = [shortcut, message_shortcut]
    bases += [_click(action.value, str(idea_id), user) for action in Action for user in (COACH, SUBMITTER)]

    @hostile
    def send(data):
        payload = mutated(data, data.draw(st.sampled_from(bases), label="request"))
        check(slack.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"), failures)

    send()
    assert_whole(session_factory)


def _submission(view: dict, answers: dict, user: str) -> dict:
    return {
        "type": "view_submission",
        "team": {"id": "T0CREDIT", "domain": "credit"},
        "user": {"id": user, "name": "someone", "team_id": "T0CREDIT"},
        "api_app_id": "A0IDEACOACH",
        "trigger_id": "1.T0CREDIT.trig",
        "view": view | {"id": "VHOSTILE1", "hash": "h.1", "state": {"values": fill_state(view, answers)}},
    }


def test_view_submissions(app, slack, session_factory, failures, strategy):
    idea = load_idea(app.runtime, an_idea_in_coaching(slack, session_factory))
    bases = [
        _submission(intake_modal(strategy), GOOD_ANSWERS, SUBMITTER),
        _submission(assign_coach_modal(idea), {}, COACH),
        _submission(logframe_modal(idea, strategy), {}, SUBMITTER),
        _submission(alignment_modal(idea, strategy), {}, COACH),
        _submission(withdraw_modal(idea), {"reason": "Not needed any more, sorry."}, SUBMITTER),
        _submission(decision_modal(idea, strategy, None), decision_answers("no_go"), COACH),
        _submission(reconsider_modal(idea), {}, SUBMITTER),
        _submission(feedback_modal(idea), {"rating": "4"}, SUBMITTER),
    ]

    @hostile
    def send(data):
        payload = mutated(data, data.draw(st.sampled_from(bases), label="request"))
        payload = json.loads(json.dumps(payload | {"trigger_id": data.draw(st.uuids()).hex}))
        check(slack.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"), failures)

    send()
    assert_whole(session_factory)


def test_events(slack, session_factory, failures):
    thread = coaching_thread(session_factory, an_idea_in_coaching(slack, session_factory))
    message = {"type": "message", "channel": thread.channel_id, "user": SUBMITTER, "text": "hello"}
    message |= {"ts": "1800000001.000100", "thread_ts": thread.thread_ts, "channel_type": "mpim"}
    changed = {"type": "message", "subtype": "message_changed", "channel": thread.channel_id}
    changed |= {"message": message | {"text": "edited"}, "ts": "1800000009.000100"}
    home = {"type": "app_home_opened", "user": SUBMITTER, "tab": "home", "channel": "DSUBMIT001"}

    @hostile
    def send(data):
        event = mutated(data, {"event": data.draw(st.sampled_from([message, changed, home]))})
        envelope = {"type": "event_callback", "team_id": "T0CREDIT", "api_app_id": "A0IDEACOACH"}
        envelope |= {"event_id": f"Ev{data.draw(st.uuids()).hex[:12]}", **event}
        check(slack.post(json.dumps(envelope), "application/json"), failures)

    send()
    assert_whole(session_factory)


def test_raw_bodies(slack, session_factory, failures):
    @hostile
    def send(data):
        body = data.draw(st.one_of(st.text(max_size=200), st.binary(max_size=200).map(lambda b: b.decode("latin-1"))))
        kind = data.draw(st.sampled_from(["application/json", "application/x-www-form-urlencoded", "text/plain"]))
        check(slack.post(body, kind), failures)

    send()
    assert_whole(session_factory)
