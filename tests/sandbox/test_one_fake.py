"""The suite's end-to-end journeys, run against the sandbox's stand-in instead of tests/support/fake_slack.py.

They pass unchanged: the stand-in can replace the fake (and adds Slack's own checks of every payload).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.standin import StandIn
from tests.e2e.test_coaching import *  # noqa: F403
from tests.e2e.test_journey import test_an_idea_goes_from_slash_command_to_an_explained_decision  # noqa: F401


@pytest.fixture
def fake_slack() -> Iterator[StandIn]:
    stand_in = StandIn().start()
    yield stand_in
    stand_in.stop()
