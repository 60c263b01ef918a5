"""What people type renders as text: no markup, no script, no link, no @channel, wherever it shows up."""

from __future__ import annotations

from playwright.sync_api import expect

from sandbox.mrkdwn import mrkdwn
from sandbox.people import PMO_CHANNEL

MAYA = "U0MAYA0001"
HOSTILE = [
    "<script>window.__owned = 1</script>",
    '<img src=x onerror="window.__owned = 2">',
    "<!channel> look at this",
    "<https://evil.example|click>",
]


def test_typed_markup_and_slack_syntax_show_as_typed(browser, sandbox):
    page = browser.new_page()
    alerts: list[str] = []
    page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    page.goto(f"{sandbox.url}?as={MAYA}&c={PMO_CHANNEL}")
    box = page.get_by_role("textbox", name="Message")
    for text in HOSTILE:
        box.fill(text)
        box.press("Enter")
        expect(page.get_by_role("article").filter(has_text=text)).to_have_count(1)
    # And through the bot: a hostile title comes back in the PMO card, escaped by the bot and shown as text.
    box.fill('/idea <img src=y onerror="window.__owned = 3"> <https://evil.example|click>')
    box.press("Enter")
    expect(page.get_by_role("dialog", name="Submit an idea")).to_be_visible()
    messages = page.get_by_role("log", name="Messages")
    assert messages.locator("script, img[onerror], img[src=x], img[src=y]").count() == 0
    assert messages.locator("a[href*='evil']").count() == 0
    assert messages.locator(".mention").count() == 0
    assert page.evaluate("window.__owned") is None and alerts == []
    page.close()


def test_mrkdwn_from_the_bot_renders_links_and_mentions_and_escapes_the_rest():
    html = mrkdwn(
        "*<https://example.com/a?b=1&amp;c=2|Open>* &lt;b&gt;hi&lt;/b&gt; <@U0MAYA0001> <javascript:alert(1)|x>"
    )
    assert '<strong><a href="https://example.com/a?b=1&amp;c=2"' in html
    assert "&lt;b&gt;hi&lt;/b&gt;" in html
    assert '<span class="mention">@Maya Chen</span>' in html
    assert "javascript" not in html
