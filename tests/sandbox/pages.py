"""Steps on the sandbox's page that several browser tests take."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def act_as(page: Page, url: str, person: str, channel: str = "") -> None:
    page.goto(f"{url}?as={person}" + (f"&c={channel}" if channel else ""))
    expect(page.get_by_label("Acting as")).to_have_value(person)


def submit_idea(page: Page, title: str) -> None:
    box = page.get_by_role("textbox", name="Message")
    box.fill(f"/idea {title}")
    box.press("Enter")
    modal = page.get_by_role("dialog", name="Submit an idea")
    modal.get_by_label("The problem or opportunity").fill(
        "Loan files stall for days because members don't know a pay stub is missing."
    )
    modal.get_by_label("Your idea").fill("Send an automatic text the moment the loan officer flags a missing document.")
    modal.get_by_label("Members", exact=True).check()
    modal.get_by_label("How would we know it worked?").fill("Median days waiting on documents drops from 4 to 1.")
    modal.get_by_label("No, I'm sharing the idea").check()
    goals = modal.get_by_label("Which 2027 goals does it serve?")
    goals.select_option(label=["Consumer loan decision in under 1 day"])
