"""How `idea-coach serve` in Socket Mode stops on SIGTERM, whatever the moment it arrives."""

from __future__ import annotations

import signal
import threading
from types import SimpleNamespace

import pytest

from bot import socket_mode


@pytest.fixture
def sigterm(monkeypatch: pytest.MonkeyPatch) -> socket_mode._Sigterm:
    state = socket_mode._Sigterm()
    monkeypatch.setattr(socket_mode, "_sigterm", state)
    return state


def serve_in_background(stopped: list[str]) -> threading.Thread:
    handler = SimpleNamespace(close=lambda: stopped.append("connection closed"))
    server = threading.Thread(target=socket_mode.serve_forever, args=(handler, lambda: stopped.append("drained")))
    server.start()
    return server


def test_during_the_start_sigterm_ends_it_at_once(sigterm):
    with pytest.raises(SystemExit) as exit_:
        socket_mode._on_sigterm(signal.SIGTERM, None)
    assert exit_.value.code == 0


def test_a_sigterm_whose_exit_was_swallowed_during_the_start_stops_the_server_as_soon_as_it_is_up(sigterm):
    with pytest.raises(SystemExit):  # raised where Python swallows it (an import's clean-up callback, say)
        socket_mode._on_sigterm(signal.SIGTERM, None)
    stopped: list[str] = []

    server = serve_in_background(stopped)
    server.join(5)

    assert not server.is_alive()
    assert stopped == ["connection closed", "drained"]


def test_once_serving_sigterm_ends_the_wait_instead_of_raising_wherever_it_lands(sigterm):
    stopped: list[str] = []
    server = serve_in_background(stopped)
    while not sigterm.serving:
        threading.Event().wait(0.01)

    socket_mode._on_sigterm(signal.SIGTERM, None)  # raises nothing in the thread it lands in
    server.join(5)

    assert not server.is_alive()
    assert stopped == ["connection closed", "drained"]
