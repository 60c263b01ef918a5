"""GET /healthz reports whether the database answers."""

from __future__ import annotations

import io
import json

from bot.app import create_app, wsgi_app
from bot.db import make_engine, make_session_factory


def get(application, path: str) -> tuple[str, dict]:
    captured = {}

    def start_response(status, headers):
        captured["status"] = status

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "wsgi.input": io.BytesIO(b""),
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    body = b"".join(application(environ, start_response))
    return captured["status"], json.loads(body) if body.startswith(b"{") else {}


def test_healthz_is_200_while_the_database_answers(settings, strategy, session_factory):
    app = create_app(settings, strategy, session_factory=session_factory)
    status, body = get(wsgi_app(app), "/healthz")
    assert status == "200 OK" and body == {"ok": True, "database": "up"}


def test_healthz_is_503_when_the_database_is_down(settings, strategy):
    unreachable = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/nowhere?connect_timeout=1")
    app = create_app(settings, strategy, session_factory=make_session_factory(unreachable))
    status, body = get(wsgi_app(app), "/healthz")
    assert status.startswith("503") and body == {"ok": False, "database": "down"}


def test_other_get_paths_are_404(settings, strategy, session_factory):
    app = create_app(settings, strategy, session_factory=session_factory)
    status, _ = get(wsgi_app(app), "/slack/events")
    assert status.startswith("404")
