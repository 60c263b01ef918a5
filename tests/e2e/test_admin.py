"""/idea admin end to end: admins see the loaded strategy and reload it; a broken file is shown and ignored."""

from __future__ import annotations

import shutil

import pytest

from bot.app import create_app, wsgi_app
from bot.views.ids import Action
from tests.conftest import COACH, COACH_2, ROOT, SIGNING_SECRET
from tests.support.driver import SlackDriver, TrackingExecutor


@pytest.fixture
def admin_slack(settings, strategy, session_factory, fake_slack, tmp_path):
    strategy_file = tmp_path / "strategy.yml"
    shutil.copy(ROOT / "strategy.yml", strategy_file)
    app = create_app(
        settings.model_copy(update={"pmo_admin_ids": frozenset({COACH}), "strategy_file": strategy_file}),
        strategy,
        session_factory=session_factory,
        listener_executor=TrackingExecutor(),
    )
    driver = SlackDriver(wsgi_app(app), SIGNING_SECRET, app.listener_runner.listener_executor, fake_slack)
    yield driver, app, strategy_file
    driver.stop()


def reload(slack, user: str):
    slack.fake.reset()
    return slack.click(Action.ADMIN_RELOAD, value="reload", user=user, channel="CGENERAL1", block_id="admin")


def test_admins_see_goals_criteria_clocks_and_capacity(admin_slack):
    slack, _, _ = admin_slack
    answer = slack.command("admin", user=COACH).json()
    shown = str(answer["blocks"])
    assert "`loan-cycle-time`" in shown and "`strategic-fit`" in shown and "weight 30" in shown
    assert "*Capacity*: 400 person-days" in shown and "a coach within 1" in shown


def test_everyone_else_is_refused_even_pmo_staff(admin_slack):
    slack, app, _ = admin_slack
    assert "Only the app's admins" in slack.command("admin", user=COACH_2).json()["text"]
    before = app.runtime.strategy
    reload(slack, COACH_2)
    assert "Only the app's admins" in slack.fake.only("chat.postEphemeral")["text"]
    assert app.runtime.strategy is before


def test_a_reload_takes_the_new_file_and_a_broken_one_is_shown_and_the_old_kept(admin_slack):
    slack, app, strategy_file = admin_slack
    strategy_file.write_text(strategy_file.read_text().replace("amount: 400", "amount: 250"))
    reload(slack, COACH)
    assert "Reloaded: 8 goals" in slack.fake.only("chat.postEphemeral")["text"]
    assert app.runtime.strategy.capacity.amount == 250

    strategy_file.write_text(strategy_file.read_text().replace("pillar: growth", "pillar: growht"))
    reload(slack, COACH)
    answer = slack.fake.only("chat.postEphemeral")
    assert "was not reloaded" in answer.mrkdwn and "'growht' is not one of the pillars' ids" in answer.mrkdwn
    assert app.runtime.strategy.capacity.amount == 250 and app.runtime.strategy.goal("young-member-growth")


def test_an_admins_home_points_to_the_admin_command(admin_slack):
    slack, _, _ = admin_slack
    slack.event({"type": "app_home_opened", "user": COACH, "channel": "DHOME", "tab": "home"})
    assert "`/idea admin` shows the strategy" in slack.fake.only("views.publish").mrkdwn
    slack.fake.reset()
    slack.event({"type": "app_home_opened", "user": COACH_2, "channel": "DHOME", "tab": "home"})
    assert "/idea admin" not in slack.fake.only("views.publish").mrkdwn
