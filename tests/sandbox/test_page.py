"""Slack's client behaviours on the page: confirm dialogs before an action, and closing a modal."""

from __future__ import annotations

from playwright.sync_api import expect

from sandbox.people import PMO_CHANNEL
from tests.sandbox.pages import act_as, submit_idea

SAM, DANA = "U0SAM00002", "U0DANA0005"


def test_a_confirm_dialog_comes_before_the_action_and_cancel_sends_nothing(browser, sandbox):
    page = browser.new_page()
    page.set_default_timeout(10_000)
    act_as(page, sandbox.url, SAM)
    submit_idea(page, "Let members book branch appointments online")
    page.get_by_role("dialog").get_by_role("button", name="Submit idea").click()
    expect(page.get_by_role("dialog")).to_have_count(0)

    act_as(page, sandbox.url, DANA, PMO_CHANNEL)
    sent_before = len(sandbox.side.sent)
    page.get_by_role("button", name="Decide early").click()
    confirm = page.get_by_role("alertdialog", name="Decide before coaching ends?")
    expect(confirm).to_contain_text("hasn't been marked ready for a decision")
    confirm.get_by_role("button", name="Cancel").click()
    expect(confirm).to_have_count(0)
    assert len(sandbox.side.sent) == sent_before

    page.get_by_role("button", name="Decide early").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Decide now").click()
    decide = page.get_by_role("dialog", name="Decide")
    expect(decide).to_contain_text("hasn't been marked ready")
    decide.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert sandbox.workspace.stack(DANA) == []
    page.close()


def test_a_permalink_opens_its_conversation_and_thread_in_place(browser, sandbox):
    from slack_sdk import WebClient

    from sandbox import people

    web = WebClient(token=people.BOT_TOKEN, base_url=sandbox.url + "api/")
    parent = web.chat_postMessage(channel=PMO_CHANNEL, text="The parent")["ts"]
    web.chat_postMessage(channel=PMO_CHANNEL, text="A reply in the thread", thread_ts=parent)
    link = web.chat_getPermalink(channel=PMO_CHANNEL, message_ts=parent)["permalink"]
    assert f"/archives/{PMO_CHANNEL}/p{parent.replace('.', '')}" in link
    web.chat_postMessage(channel=DANA, text=f"See <{link}|the discussion>")
    page = browser.new_page()
    page.goto(f"{sandbox.url}?as={DANA}")
    page.get_by_role("link", name="the discussion").click()
    expect(page.get_by_role("complementary", name="Thread")).to_contain_text("A reply in the thread")
    expect(page.get_by_role("heading", name="#pmo-ideas")).to_be_visible()
    assert len(page.context.pages) == 1
    page.close()
