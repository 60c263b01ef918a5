"""The stand-in's Web API on its own, with the interface of the test suite's fake (tests/support/fake_slack.py).

It admits the suite's own ids (any bot token, user, channel and trigger_id) and checks everything else as
the sandbox does (Block Kit limits, block types, modal rules), so the suite's fake can become this.
"""

from __future__ import annotations

from typing import Any

from sandbox.run import _serve_page, bind
from sandbox.slack_side import SlackSide
from sandbox.web import Site
from sandbox.webapi import Call, RecordedCalls, WebApi
from sandbox.workspace import Workspace


class StandIn(RecordedCalls):
    def __init__(self) -> None:
        self._socket = bind("127.0.0.1", 0)
        self.base = f"http://127.0.0.1:{self._socket.getsockname()[1]}/"
        self.workspace = Workspace(None)
        self.api = WebApi(self.workspace, self.base, admit_strangers=True)
        self._server = None

    @property
    def url(self) -> str:
        return self.base + "api/"

    @property
    def calls(self) -> list[Call]:
        return self.api.calls

    @property
    def users(self) -> dict[str, dict[str, Any]]:
        return self.api.users

    def start(self) -> StandIn:
        site = Site(SlackSide(self.api, "", self.base + "respond/"), lambda days: None)
        self._server = _serve_page(site, self._socket)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True

    def fail(self, method: str, error: str, *, status: int = 200, times: int = 1, **headers: str) -> None:
        self.api.fail(method, error, status=status, times=times, **headers)

    def hold(self, method: str):
        return self.api.hold(method)

    def calls_to(self, method: str) -> list[Call]:
        return self.api.calls_to(method)

    def methods(self) -> list[str]:
        return [call.method for call in list(self.api.calls) if call.method != "auth.test"]

    def reset(self) -> None:
        self.api.calls.clear()
