"""Similar ideas at intake and joining forces, end to end through signed requests, on both databases."""

from __future__ import annotations

from sqlalchemy import select

from bot.views.ids import Action
from models import Idea, IdeaContributor, JoinProposal, Stage
from tests.conftest import COACH, OUTSIDER, PMO_CHANNEL, SUBMITTER
from tests.support.flows import GOOD_ANSWERS, coach_this, coaching_thread, count, open_intake

OTHER = "USUBMIT002"
FIRST = {
    "title": "Text members when a loan document is missing",
    "problem": "Loan files stall for days because members don't know a pay stub is missing.",
}
SIMILAR = {
    "title": "Remind members about missing loan paperwork by SMS",
    "problem": "Loans stall because a pay stub or document is missing and members are not told.",
}
UNRELATED = {"title": "Staff lunch rota", "problem": "The break room is crowded at noon every day."}


def submitted(slack, user: str, answers: dict) -> tuple[int, dict, dict]:
    """Submit an idea; returns its id, the receipt and the intake card as sent."""
    slack.fake.reset()
    view = open_intake(slack, user=user)
    assert slack.submit_view(view, GOOD_ANSWERS | answers, user=user).status == 200
    posts = slack.fake.calls_to("chat.postMessage")
    receipt = next(post for post in posts if post["channel"] == user)
    card = next(post for post in posts if post["channel"] == PMO_CHANNEL)
    button = next(e for b in card["blocks"] if b["type"] == "actions" for e in b["elements"])
    return int(button["value"]), receipt, card


def test_a_similar_idea_is_listed_on_the_card_and_hinted_to_its_submitter_without_anothers_words(slack):
    first, _, _ = submitted(slack, SUBMITTER, FIRST)
    coach_this(slack, first, COACH)
    second, receipt, card = submitted(slack, OTHER, SIMILAR)

    assert f"*IDEA-{first}* {FIRST['title']}" in card.mrkdwn
    join = next(e for b in card["blocks"] if b.get("block_id") == f"similar:{second}" for e in b["elements"])
    assert join["action_id"] == Action.PROPOSE_JOIN and join["value"] == f"{second}:{first}"
    assert f"*IDEA-{first}* sounds similar; it is in coaching with <@{COACH}>." in receipt.mrkdwn
    assert FIRST["title"] not in receipt.mrkdwn and SUBMITTER not in receipt.mrkdwn
    assert "pick it up by the end of the next business day (by <!date^" in receipt.mrkdwn  # a date to hold us to

    _, receipt, card = submitted(slack, OUTSIDER, UNRELATED)
    assert "Sounds similar" not in card.mrkdwn and "Similar ideas" not in receipt.mrkdwn


def test_a_submitters_own_earlier_idea_is_named_by_title(slack):
    first, _, _ = submitted(slack, SUBMITTER, FIRST)
    _, receipt, _ = submitted(slack, SUBMITTER, SIMILAR)
    assert f"Your own *IDEA-{first}* “{FIRST['title']}” sounds similar; it is submitted." in receipt.mrkdwn


def propose(slack, later: int, earlier: int, user: str = COACH):
    slack.fake.reset()
    return slack.click(
        Action.PROPOSE_JOIN, value=f"{later}:{earlier}", user=user, channel=PMO_CHANNEL, block_id=f"similar:{later}"
    )


def answer(slack, user: str, proposal_id: int, agree: bool):
    slack.fake.reset()
    action = Action.JOIN_AGREE if agree else Action.JOIN_DECLINE
    return slack.click(action, value=str(proposal_id), user=user, channel="D" + user[1:], block_id="join")


def questions(slack) -> dict[str, int]:
    asked = {}
    for post in slack.fake.calls_to("chat.postMessage"):
        for block in post["blocks"]:
            for element in block.get("elements", []):
                if element.get("action_id") == Action.JOIN_AGREE:
                    asked[post["channel"]] = int(element["value"])
    return asked


def test_when_both_agree_the_later_idea_closes_kindly_and_both_follow_the_earlier(slack, session_factory):
    first, _, _ = submitted(slack, SUBMITTER, FIRST)
    coach_this(slack, first, COACH)
    second, _, _ = submitted(slack, OTHER, SIMILAR)
    propose(slack, second, first)
    asked = questions(slack)
    assert set(asked) == {SUBMITTER, OTHER}
    proposal_id = asked[OTHER]

    answer(slack, OTHER, proposal_id, agree=True)
    assert count(session_factory, Idea, Idea.stage == Stage.JOINED) == 0  # one yes is not enough
    answer(slack, SUBMITTER, proposal_id, agree=True)

    with session_factory() as session:
        assert session.get(Idea, second).stage == Stage.JOINED
        assert session.get(Idea, first).stage == Stage.IN_COACHING
        credit = session.scalars(select(IdeaContributor)).one()
        assert (credit.idea_id, credit.user_id, credit.joined_from_id) == (first, OTHER, second)
    thread = coaching_thread(session_factory, first)
    in_thread = [post for post in slack.fake.calls_to("chat.postMessage") if post["channel"] == thread.channel_id]
    assert [post["thread_ts"] for post in in_thread] == [thread.thread_ts]
    assert f"joined forces with IDEA-{first}" in in_thread[0]["text"]
    notes = {post["channel"]: post for post in slack.fake.calls_to("chat.postMessage")}
    assert f"has joined forces with *IDEA-{first}* “{FIRST['title']}”" in notes[OTHER].mrkdwn
    assert "you're credited" in notes[OTHER].mrkdwn
    assert f"by <@{OTHER}> has joined forces with your *IDEA-{first}*" in notes[SUBMITTER].mrkdwn
    cards = [call for call in slack.fake.calls_to("chat.update")]
    assert any(f"Also credited: <@{OTHER}>" in card.mrkdwn for card in cards)
    # The credited submitter now follows the surviving idea: it is theirs to look up and in their Home.
    assert slack.command(f"IDEA-{first}", user=OTHER).json()["blocks"][0]["type"] == "header"
    slack.event({"type": "app_home_opened", "user": OTHER, "channel": "DHOME", "tab": "home"})
    assert f"IDEA-{first}*" in slack.fake.calls_to("views.publish")[-1].mrkdwn
    assert f"*IDEA-{first}*" in str(slack.command("mine", user=OTHER).json()["blocks"])
    # Answering again changes nothing.
    answer(slack, SUBMITTER, proposal_id, agree=False)
    assert "already been settled" in slack.fake.only("chat.postEphemeral")["text"]


def test_when_one_declines_both_stay_open_and_nobody_is_credited(slack, session_factory):
    first, _, _ = submitted(slack, SUBMITTER, FIRST)
    second, _, _ = submitted(slack, OTHER, SIMILAR)
    propose(slack, second, first)
    proposal_id = questions(slack)[SUBMITTER]

    answer(slack, SUBMITTER, proposal_id, agree=False)

    with session_factory() as session:
        assert [session.get(Idea, idea_id).stage for idea_id in (first, second)] == [Stage.SUBMITTED] * 2
        assert session.scalars(select(JoinProposal)).one().state == "declined"
    assert count(session_factory, IdeaContributor) == 0
    told = {post["channel"] for post in slack.fake.calls_to("chat.postMessage")}
    assert told == {SUBMITTER, OTHER, COACH}
    answer(slack, OTHER, proposal_id, agree=True)
    assert count(session_factory, Idea, Idea.stage == Stage.JOINED) == 0


def test_only_pmo_staff_may_propose_and_only_the_two_submitters_may_answer(slack, session_factory):
    first, _, _ = submitted(slack, SUBMITTER, FIRST)
    second, _, _ = submitted(slack, OTHER, SIMILAR)
    propose(slack, second, first, user=OUTSIDER)
    assert "Only PMO staff" in slack.fake.only("chat.postEphemeral")["text"]
    assert count(session_factory, JoinProposal) == 0

    propose(slack, second, first)
    proposal_id = questions(slack)[OTHER]
    propose(slack, second, first)
    assert "already proposed" in slack.fake.only("chat.postEphemeral")["text"]
    answer(slack, OUTSIDER, proposal_id, agree=True)
    assert "Only the submitters" in slack.fake.only("chat.postEphemeral")["text"]
