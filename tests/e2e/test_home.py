"""The App Home end to end: each audience, filters and paging, refreshes after changes, and limits."""

from __future__ import annotations

import json
import time

from bot.app import create_app, wsgi_app
from bot.views.ids import Action
from models import Stage
from tests.conftest import COACH, COACH_2, OUTSIDER, SIGNING_SECRET, SUBMITTER
from tests.support.driver import SlackDriver, TrackingExecutor
from tests.support.flows import click_card, coach_this, decision_answers, submit_idea
from tests.support.pipeline import seed


def open_home(slack, user: str) -> dict:
    slack.fake.reset()
    assert slack.event({"type": "app_home_opened", "user": user, "channel": "DHOME0001", "tab": "home"}).status == 200
    published = slack.fake.only("views.publish")
    assert published["user_id"] == user
    return published["view"] | {"id": "VHOME0001"}


def home_action(slack, view: dict, user: str, action: dict) -> dict:
    """A choice or click in the Home, as Slack sends it: the view, with its private_metadata, comes along."""
    slack.fake.reset()
    payload = slack._base_payload("block_actions", user) | {
        "trigger_id": slack.trigger_id(),
        "container": {"type": "view", "view_id": view["id"]},
        "view": view,
        "actions": [{"block_id": "home:filters", "action_ts": f"{time.time():.6f}", **action}],
    }
    assert slack.interactive(payload).status == 200
    return slack.fake.only("views.publish")["view"] | {"id": view["id"]}


def texts(view: dict) -> str:
    return json.dumps(view["blocks"])


def references(view: dict) -> list[str]:
    return [
        block["text"]["text"].split("*")[1]
        for block in view["blocks"]
        if block["type"] == "section" and block.get("text", {}).get("text", "").startswith("*IDEA-")
    ]


def test_a_new_person_sees_how_it_works_and_no_pmo_sections(slack):
    view = open_home(slack, OUTSIDER)
    assert "How it works" in texts(view)
    assert "PMO pipeline" not in texts(view)
    assert view["blocks"][1]["accessory"]["action_id"] == Action.OPEN_INTAKE


def test_a_submitter_sees_stage_coach_next_step_and_the_promised_date(slack):
    idea_id = submit_idea(slack)
    view = open_home(slack, SUBMITTER)
    shown = texts(view)
    assert f"IDEA-{idea_id}" in shown and "Submitted since" in shown
    assert "a PMO coach reaches out by <!date^" in shown
    coach_this(slack, idea_id, COACH)
    shown = texts(open_home(slack, SUBMITTER))
    assert "In coaching since" in shown and f"coach <@{COACH}>" in shown
    assert "Coaching thread" in shown and "The coach's" in shown


def test_staff_see_the_pipeline_sections_and_portfolio(slack, session_factory):
    seed(session_factory, 70)
    view = open_home(slack, COACH)
    shown = texts(view)
    for title in ("Queue: waiting for a coach", "My coaching", "Ready for decision", "Recently decided"):
        assert title in shown
    assert "Portfolio against the 2027 goals" in shown
    assert len(view["blocks"]) <= 100


def test_filters_and_paging_are_kept_in_the_views_state(slack, session_factory):
    seed(session_factory, 140)  # 20 per stage
    view = open_home(slack, COACH)
    view = home_action(slack, view, COACH, {"type": "button", "action_id": Action.HOME_SECTION, "value": "ready"})
    assert json.loads(view["private_metadata"]) == {"s": "ready"}
    first_page = references(view)
    assert len(first_page) == 12 and "Page 1 of 2" in texts(view)
    view = home_action(slack, view, COACH, {"type": "button", "action_id": Action.HOME_PAGE, "value": "1"})
    second_page = references(view)
    assert len(second_page) == 8 and not set(first_page) & set(second_page)
    assert json.loads(view["private_metadata"]) == {"s": "ready", "p": 1}
    coach_filter = {"type": "users_select", "action_id": Action.HOME_COACH, "selected_user": COACH_2}
    view = home_action(slack, view, COACH, coach_filter)
    assert json.loads(view["private_metadata"]) == {"s": "ready", "c": COACH_2}
    assert "(10)" in texts(view) and f"coach <@{COACH}>" not in texts(view)
    # The state is remembered: opening the Home again shows the same section and filter.
    assert json.loads(open_home(slack, COACH)["private_metadata"]) == {"s": "ready", "c": COACH_2}


def test_a_stage_filter_narrows_every_section(slack, session_factory):
    seed(session_factory, 35)
    view = open_home(slack, COACH)
    stage = {"type": "static_select", "action_id": Action.HOME_STAGE}
    view = home_action(slack, view, COACH, stage | {"selected_option": {"value": Stage.NOT_NOW.value}})
    assert json.loads(view["private_metadata"]) == {"st": "not_now"}
    assert "Queue: waiting for a coach* (0)" in texts(view)
    assert "Not now, coming back within 30 days* (5)" in texts(view)
    view = home_action(slack, view, COACH, {"type": "button", "action_id": Action.HOME_CLEAR, "value": "clear"})
    assert view["private_metadata"] == "{}"


def test_someone_outside_the_pmo_gets_only_their_own_home_from_a_forged_filter(slack, session_factory):
    seed(session_factory, 14)
    view = open_home(slack, OUTSIDER)
    view = home_action(slack, view, OUTSIDER, {"type": "button", "action_id": Action.HOME_SECTION, "value": "queue"})
    assert "PMO pipeline" not in texts(view) and "IDEA-" not in texts(view)


def test_the_staff_home_stays_within_100_blocks_with_10000_ideas(slack, session_factory):
    seed(session_factory, 10_000)
    view = open_home(slack, COACH)
    assert len(view["blocks"]) <= 100
    assert "Queue: waiting for a coach* (500+)" in texts(view)  # counted no further than the cap
    view = home_action(slack, view, COACH, {"type": "button", "action_id": Action.HOME_SECTION, "value": "decided"})
    assert len(view["blocks"]) <= 100 and len(references(view)) == 12


def test_changes_refresh_the_homes_they_concern_once_each(slack, app):
    for person in (COACH, COACH_2, SUBMITTER, OUTSIDER):
        open_home(slack, person)
    slack.fake.reset()
    first = submit_idea(slack)
    second = submit_idea(slack)
    coach_this(slack, first, COACH)
    coach_this(slack, second, COACH)
    assert slack.fake.calls_to("views.publish") == []  # nothing yet: refreshes wait to be coalesced

    published = app.runtime.home_refresher.refresh()

    calls = slack.fake.calls_to("views.publish")
    # Four changes concern the submitter, the coach and the PMO (both staff had the Home open): one each.
    assert sorted(call["user_id"] for call in calls) == sorted([COACH, COACH_2, SUBMITTER]) and published == 3
    assert app.runtime.home_refresher.refresh() == 0


def test_a_refresh_skips_people_who_never_opened_the_home(slack, app):
    open_home(slack, COACH)
    slack.fake.reset()
    coach_this(slack, submit_idea(slack), COACH)

    assert app.runtime.home_refresher.refresh() == 1  # the coach's; the submitter never opened theirs
    assert [call["user_id"] for call in slack.fake.calls_to("views.publish")] == [COACH]
    assert "Text members" in texts(open_home(slack, SUBMITTER))  # a first opening shows the idea all the same


def test_a_refresh_goes_out_by_itself_shortly_after_a_change(settings, strategy, session_factory, fake_slack):
    app = create_app(
        settings.model_copy(update={"home_refresh_seconds": 0.2}),
        strategy,
        session_factory=session_factory,
        listener_executor=TrackingExecutor(),
    )
    slack = SlackDriver(wsgi_app(app), SIGNING_SECRET, app.listener_runner.listener_executor, fake_slack)
    try:
        open_home(slack, SUBMITTER)
        fake_slack.reset()
        submit_idea(slack)
        deadline = time.monotonic() + 5
        while not fake_slack.calls_to("views.publish") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert {call["user_id"] for call in fake_slack.calls_to("views.publish")} == {SUBMITTER}
    finally:
        slack.stop()


def decided(slack, answers: dict) -> int:
    idea_id = submit_idea(slack)
    click_card(slack, Action.DECIDE, idea_id, COACH)
    form = slack.fake.calls_to("views.open")[-1]["view"]
    preview = slack.submit_view(form, answers, user=COACH).json()["view"]
    assert slack.submit_view(preview, {}, user=COACH).json() == {"response_action": "clear"}
    return idea_id


def test_a_decided_idea_offers_its_explanation_to_its_submitter_only(slack, session_factory):
    decided(slack, decision_answers("go", effort="35"))
    view = open_home(slack, SUBMITTER)
    button = next(
        block["accessory"]
        for block in view["blocks"]
        if block.get("accessory", {}).get("action_id") == Action.OPEN_EXPLANATION
    )
    assert "Go: it is being delivered." in texts(view)

    slack.fake.reset()
    slack.click(button["action_id"], value=button["value"], user=SUBMITTER, view=view)
    modal = slack.fake.only("views.open")["view"]
    assert modal["callback_id"] == "idea_explanation" and "go ahead" in json.dumps(modal["blocks"])

    slack.fake.reset()
    slack.click(button["action_id"], value=button["value"], user=OUTSIDER, view=view)
    assert slack.fake.calls_to("views.open") == []
    assert "isn't yours" in slack.fake.only("chat.postMessage")["text"]

    # The Go's effort reaches the portfolio.
    assert "35 person-days committed by 1 Go decision(s)" in slack.command("portfolio", user=COACH).json()["text"]


def test_the_refresher_computes_the_portfolio_off_the_request_path(slack, app, engine):
    from sqlalchemy import event

    from bot.services.portfolio import cached_portfolio

    submit_idea(slack)
    app.runtime.home_refresher.refresh()  # nobody had the Home open: nothing published, the portfolio warmed
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with app.runtime.session_factory() as session:
        cached_portfolio(session, app.runtime.strategy)
    assert len(statements) == 1 and "max" in statements[0]  # only the check that nothing changed since


def test_a_home_opened_right_after_a_change_shows_the_previous_portfolio_until_the_refresh(
    settings, strategy, session_factory, fake_slack
):
    app = create_app(
        settings.model_copy(update={"home_refresh_seconds": 60}),
        strategy,
        session_factory=session_factory,
        listener_executor=TrackingExecutor(),
    )
    slack = SlackDriver(wsgi_app(app), SIGNING_SECRET, app.listener_runner.listener_executor, fake_slack)
    goal = "Consumer loan decision in under 1 day: "
    try:
        submit_idea(slack)
        app.runtime.home_refresher.refresh()
        assert goal + "1 idea(s)" in texts(open_home(slack, COACH))
        submit_idea(slack)
        # In the request the previous portfolio will do: no aggregation while someone waits.
        assert goal + "1 idea(s)" in texts(open_home(slack, COACH))
        fake_slack.reset()
        app.runtime.home_refresher.refresh()  # what the timer does seconds after the change
        refreshed = {call["user_id"]: call for call in fake_slack.calls_to("views.publish")}
        assert goal + "2 idea(s)" in texts(refreshed[COACH]["view"])
    finally:
        app.runtime.home_refresher.stop()
        slack.stop()
