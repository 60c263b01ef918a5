"""Two sweepers racing over the same due ideas on PostgreSQL send each nudge exactly once.

Each sweeper has its own session factory, Slack client and runtime (as two `serve` processes would),
on connections of their own; a barrier starts them at the same moment, round after round.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.db import make_session_factory
from bot.services import digest, nudges
from models import DeliveryStatus, Nudge, Stage
from tests.conftest import COACH
from tests.support.nudging import add_thread, make_idea, ny, runtime_for

ROUNDS = 20
IDEAS_PER_ROUND = 30


def _idea_of(call) -> str:
    return call["text"].split(" ", 1)[0].split(":", 1)[0]  # "IDEA-12 has been …" / "IDEA-12: the coaching …"


def test_two_sweepers_send_each_nudge_exactly_once(engine, settings, strategy, fake_slack):
    if engine.dialect.name != "postgresql":
        pytest.skip("SKIP LOCKED races need PostgreSQL; SQLite allows one writer at a time")
    runtimes = [runtime_for(settings, strategy, make_session_factory(engine)) for _ in range(2)]
    seed = runtimes[0].session_factory
    now = ny(2027, 3, 9, 11)
    sent_by: Counter[int] = Counter()
    lock = threading.Lock()

    for round_number in range(ROUNDS):
        for index in range(IDEAS_PER_ROUND):  # a mix of channel posts and thread posts
            if index % 3:
                make_idea(seed, Stage.SUBMITTED, ny(2027, 3, 1, 10))
            else:
                idea_id = make_idea(seed, Stage.IN_COACHING, ny(2027, 3, 1, 10), coach=COACH)
                add_thread(seed, idea_id, COACH, ny(2027, 3, 1, 10), channel=f"G{idea_id:08d}")
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []
        moment = now + timedelta(minutes=round_number)

        def race(runtime, at=moment, gate=barrier, failures=errors):
            try:
                gate.wait(timeout=30)
                report = nudges.sweep(runtime, at, pause=lambda _seconds: None)
                with lock:
                    sent_by[id(runtime)] += len(report.sent)
            except BaseException as error:  # surfaced below
                failures.append(error)

        threads = [threading.Thread(target=race, args=(runtime,)) for runtime in runtimes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not errors, errors

        sent = Counter(_idea_of(call) for call in fake_slack.calls_to("chat.postMessage"))
        assert len(sent) == (round_number + 1) * IDEAS_PER_ROUND, f"round {round_number}: some nudge was not sent"
        duplicates = {idea: times for idea, times in sent.items() if times > 1}
        assert not duplicates, f"round {round_number}: sent more than once: {duplicates}"

    with seed() as session:
        statuses = dict(session.execute(select(Nudge.status, func.count()).group_by(Nudge.status)).all())
    assert statuses == {DeliveryStatus.SENT: ROUNDS * IDEAS_PER_ROUND}
    assert len(sent_by) == 2, f"the sweepers did not race: {sent_by}"  # both won some claims


def test_two_instances_post_each_weekly_digest_once(engine, settings, strategy, fake_slack):
    if engine.dialect.name != "postgresql":
        pytest.skip("SKIP LOCKED races need PostgreSQL; SQLite allows one writer at a time")
    runtimes = [runtime_for(settings, strategy, make_session_factory(engine)) for _ in range(2)]
    weeks = 8
    for week in range(weeks):
        moment = ny(2027, 3, 1, 9, 0) + timedelta(weeks=week, minutes=1)
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []

        def race(runtime, at=moment, gate=barrier, failures=errors):
            try:
                gate.wait(timeout=30)
                digest.digest_if_due(runtime, at)
            except BaseException as error:  # surfaced below
                failures.append(error)

        threads = [threading.Thread(target=race, args=(runtime,)) for runtime in runtimes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not errors, errors
        assert len(fake_slack.calls_to("chat.postMessage")) == week + 1
        assert len(fake_slack.calls_to("files.completeUploadExternal")) == week + 1
