"""The worker that delivers whatever the request threads left: failures, a crashed process's rows,
another instance's leftovers. `serve` and `scheduler` start one; tests call `Outbox.run_once(now)`."""

from __future__ import annotations

import logging
import threading

from bot.outbox.sender import Outbox

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
"""Short, so a retry due now or a lease that just ran out is picked up within a second."""


class OutboxWorker:
    def __init__(self, outbox: Outbox, *, poll: float = POLL_SECONDS, name: str = "outbox-worker"):
        self.outbox = outbox
        self.poll = poll
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> OutboxWorker:
        self._thread.start()
        log.info("outbox worker started (%s)", self.outbox.owner)
        return self

    def stop(self, timeout: float = 10) -> None:
        """Stop after the current attempt; rows not attempted stay for the next worker."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.outbox.run_once(limit=500)
            except Exception:
                log.exception("outbox worker round failed; trying again shortly")
            self._stop.wait(self.poll)
