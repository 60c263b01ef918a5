"""One of two `idea-coach db upgrade` runs racing on the same fresh schemas:
`python -m tests.support.migrate_race URL DIR SCHEMA...`. Before each schema both processes meet at a barrier
(files in DIR), then run the command itself (bot.cli.main) with DATABASE_URL naming that schema. Prints one
line per schema: its exit status and what the command said."""

from __future__ import annotations

import contextlib
import io
import os
import sys
import time
from pathlib import Path

from bot.cli import main as idea_coach


def meet(directory: Path, name: str, parties: int = 2, timeout: float = 30) -> None:
    (directory / f"{name}.{os.getpid()}").touch()
    deadline = time.monotonic() + timeout
    while len(list(directory.glob(f"{name}.*"))) < parties:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the other process never reached {name}")
        time.sleep(0.002)


def run(url: str, directory: str, schemas: list[str]) -> None:
    for schema in schemas:
        os.environ["DATABASE_URL"] = f"{url}?options=-csearch_path%3D{schema}"
        meet(Path(directory), schema)
        said = io.StringIO()
        with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said):
            status = idea_coach(["db", "upgrade"])
        print(f"{schema} {status} {said.getvalue().strip()}", flush=True)


if __name__ == "__main__":
    run(sys.argv[1], sys.argv[2], sys.argv[3:])
