"""The digest's pipeline chart, drawn with matplotlib in a short-lived child process.

matplotlib costs about 60 MiB once imported and the chart is drawn once a week, so the long-running
process (gunicorn's worker, the scheduler) never imports it: `pipeline_chart` runs this module as a
child (`python -m bot.views.chart`), passing the figures as JSON on stdin and reading the PNG back.
IDEA_COACH_CHART_IN_PROCESS=1 draws in the calling process instead (the test suite sets it, to pay
matplotlib's import once rather than per chart).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

CHART_TIMEOUT_SECONDS = 60


def pipeline_chart(per_stage: list[tuple[str, int]], title: str) -> bytes:
    """A horizontal bar chart of ideas per stage, as PNG bytes."""
    if os.environ.get("IDEA_COACH_CHART_IN_PROCESS") == "1":
        return draw(per_stage, title)
    return draw_in_child(per_stage, title)


def draw_in_child(per_stage: list[tuple[str, int]], title: str) -> bytes:
    request = json.dumps({"per_stage": per_stage, "title": title}).encode()
    done = subprocess.run(
        [sys.executable, "-m", "bot.views.chart"],
        input=request,
        capture_output=True,
        timeout=CHART_TIMEOUT_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"drawing the pipeline chart failed: {done.stderr.decode(errors='replace')[-500:]}")
    return done.stdout


def draw(per_stage: list[tuple[str, int]], title: str) -> bytes:
    """The chart itself (matplotlib's Agg canvas, no pyplot state)."""
    from matplotlib.figure import Figure

    labels = [label for label, _ in per_stage]
    counts = [count for _, count in per_stage]
    figure = Figure(figsize=(7, 0.5 * len(labels) + 1.4), dpi=110)
    axes = figure.add_subplot()
    bars = axes.barh(labels, counts, color="#2a7ab0")
    axes.invert_yaxis()
    axes.bar_label(bars, padding=3)
    axes.set_xlabel("Ideas")
    axes.set_title(title)
    axes.set_xlim(0, max([*counts, 1]) * 1.15)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


if __name__ == "__main__":
    asked = json.load(sys.stdin)
    sys.stdout.buffer.write(draw([(label, count) for label, count in asked["per_stage"]], asked["title"]))
