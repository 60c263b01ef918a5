"""One of two processes racing to migrate the same fresh schemas: `python -m tests.support.migrate_race URL DIR
SCHEMA...`. Before each schema both processes meet at a barrier (files in DIR), then run what `idea-coach db
upgrade` runs. Prints one line per schema: ok, or the error's first line."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine

from bot.db import upgrade


def meet(directory: Path, name: str, parties: int = 2, timeout: float = 30) -> None:
    (directory / f"{name}.{os.getpid()}").touch()
    deadline = time.monotonic() + timeout
    while len(list(directory.glob(f"{name}.*"))) < parties:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the other process never reached {name}")
        time.sleep(0.002)


def main(url: str, directory: str, schemas: list[str]) -> None:
    for schema in schemas:
        engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
        meet(Path(directory), schema)
        try:
            upgrade(engine)
            print(f"{schema} ok", flush=True)
        except Exception as error:
            print(f"{schema} failed: {str(error).splitlines()[0]}", flush=True)
        finally:
            engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
