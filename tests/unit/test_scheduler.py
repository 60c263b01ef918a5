"""The scheduler's wiring: which jobs, which triggers, and that job bodies pass the runtime's clock."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler

from bot import scheduler as wiring
from bot.config import Calendar, Settings, load_strategy
from bot.runtime import Runtime

ROOT = Path(__file__).resolve().parents[2]
NY = ZoneInfo("America/New_York")


def runtime(calendar: Calendar | None = None) -> Runtime:
    strategy = load_strategy(ROOT / "strategy.yml")
    if calendar is not None:
        strategy = strategy.model_copy(update={"calendar": calendar})
    return Runtime(Settings(), strategy, session_factory=None, gateway=None)  # type: ignore[arg-type]


def jobs(calendar: Calendar | None = None):
    scheduler = wiring.configure(BackgroundScheduler(timezone="UTC"), runtime(calendar))
    return {job.id: job for job in scheduler.get_jobs()}


def test_three_jobs_with_overlap_and_catch_up_settings():
    found = jobs()
    assert set(found) == {"nudge-sweep", "revisit-check", "weekly-digest"}
    for job in found.values():
        assert job.coalesce is True and job.max_instances == 1 and job.misfire_grace_time >= 60


def test_the_sweep_runs_every_five_minutes():
    trigger = jobs()["nudge-sweep"].trigger
    assert trigger.interval == timedelta(minutes=5)


def test_the_digest_runs_on_the_configured_day_and_time_in_the_organisations_zone():
    trigger = jobs(Calendar(digest_day="friday", digest_time=time(15, 30)))["weekly-digest"].trigger
    after = datetime(2027, 3, 1, 12, tzinfo=UTC)  # a Monday
    assert trigger.get_next_fire_time(None, after) == datetime(2027, 3, 5, 15, 30, tzinfo=NY)


def test_the_revisit_check_runs_at_the_start_of_each_working_day():
    trigger = jobs(Calendar(work_start=time(8, 30)))["revisit-check"].trigger
    friday_evening = datetime(2027, 3, 5, 20, tzinfo=NY)
    assert trigger.get_next_fire_time(None, friday_evening) == datetime(2027, 3, 8, 8, 30, tzinfo=NY)


def test_job_bodies_run_the_services_with_the_runtime_clock(monkeypatch):
    fixed = datetime(2027, 3, 2, 15, tzinfo=UTC)
    seen = []
    monkeypatch.setattr(wiring.nudges, "sweep", lambda rt, now, **options: seen.append(("sweep", now, options)))
    monkeypatch.setattr(wiring.digest, "digest_if_due", lambda rt, now: seen.append(("digest", now, {})))
    subject = runtime()
    subject.clock = lambda: fixed

    wiring.sweep_job(subject)
    wiring.revisit_job(subject)
    wiring.digest_job(subject)

    assert [(name, now) for name, now, _ in seen] == [
        ("sweep", fixed),
        ("digest", fixed),
        ("sweep", fixed),
        ("digest", fixed),
    ]
    assert seen[2][2] == {"kinds": [wiring.NudgeKind.REVISIT]}


def test_a_failing_job_is_logged_and_does_not_stop_the_others(monkeypatch, caplog):
    def broken(*_args, **_kwargs):
        raise RuntimeError("database is down")

    ran = []
    monkeypatch.setattr(wiring.nudges, "sweep", broken)
    monkeypatch.setattr(wiring.digest, "digest_if_due", lambda rt, now: ran.append(now))

    wiring.sweep_job(runtime())

    assert len(ran) == 1
    assert "scheduled nudge sweep failed" in caplog.text


def test_only_the_first_process_on_a_host_starts_the_jobs_for_a_database(tmp_path):
    settings = Settings(
        slack_bot_token="xoxb-test",
        slack_api_url="http://127.0.0.1:9/api/",
        database_url=f"sqlite:///{tmp_path / 'one.db'}",
    )
    other_database = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'two.db'}"})
    strategy = load_strategy(ROOT / "strategy.yml")

    first = wiring.start_if_first(settings, strategy)
    try:
        assert first is not None
        assert wiring.start_if_first(settings, strategy) is None  # e.g. a second gunicorn worker
        elsewhere = wiring.start_if_first(other_database, strategy)
        assert elsewhere is not None
        elsewhere()
    finally:
        if first is not None:
            first()
    again = wiring.start_if_first(settings, strategy)  # the lock went with the first's stop
    assert again is not None
    again()
