"""Gunicorn, run from inside `idea-coach serve --http`."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, application, options: dict):
        self.application = application
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.application


def run_http(application, *, host: str, port: int, threads: int) -> None:
    # One process: the scheduler and Bolt's listener pool live in it; threads serve requests.
    options = {
        "bind": f"{host}:{port}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 60,
        "accesslog": "-",
    }
    _Gunicorn(application, options).run()
