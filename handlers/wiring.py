"""Registering module-level listeners: each takes `runtime` first, then the Bolt arguments it wants by name."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable


def bound(runtime: object, listener: Callable) -> Callable:
    """`listener` with `runtime` filled in, as Bolt needs it.

    Bolt reads the parameter names with getfullargspec(inspect.unwrap(f)), which sees neither through a
    partial (it would name `runtime` and every other parameter) nor through a decorator under a partial (it
    would name none), so the partial carries its own signature: the listener's, less `runtime`.
    """
    call = functools.partial(listener, runtime)
    call.__signature__ = inspect.signature(call)
    call.__name__ = listener.__name__  # Bolt's logs name listeners by it
    return call
