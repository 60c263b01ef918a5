"""Safe text for Block Kit mrkdwn: escaping, clipping within limits, and links with user labels."""

from __future__ import annotations

import html
import random
import re
from datetime import UTC, datetime

import pytest

from bot.views.text import ELLIPSIS, clip, date, escape, link, plain, safe, user

BROKEN_ENTITY = re.compile(r"&(?!amp;|lt;|gt;)")


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def assert_inert(mrkdwn: str) -> None:
    """No Slack control sequence survives: no raw angle brackets and every & starts an entity."""
    assert "<" not in mrkdwn and ">" not in mrkdwn, mrkdwn
    assert not BROKEN_ENTITY.search(mrkdwn), mrkdwn


# --- escape -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("char", "entity"), [("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")])
def test_escape_maps_each_control_character_to_its_entity(char: str, entity: str):
    assert escape(char) == entity
    assert escape(f"a{char}b{char}") == f"a{entity}b{entity}"


def test_escape_leaves_everything_else_alone():
    untouched = "*bold* _it_ ~s~ `code` \"q\" 'a' | # @ ! ^ \\ / é ✓ 🎉 \n\t &#x26;"
    expected = untouched.replace("&", "&amp;")
    assert escape(untouched) == expected
    assert escape("plain words, nothing special") == "plain words, nothing special"


def test_escape_escapes_a_literal_entity_the_user_typed_so_it_shows_as_typed():
    assert escape("&amp; &lt;") == "&amp;amp; &amp;lt;"
    assert unescape(escape("&amp; &lt;")) == "&amp; &lt;"


def test_escape_agrees_with_html_escape_without_quotes():
    sample = "".join(random.Random(1).choice("ab &<>\"'|\n") for _ in range(500))
    assert escape(sample) == html.escape(sample, quote=False)


@pytest.mark.parametrize(
    ("hostile", "escaped"),
    [
        ("<!channel>", "&lt;!channel&gt;"),
        ("<!here>", "&lt;!here&gt;"),
        ("<!everyone>", "&lt;!everyone&gt;"),
        ("<@U1>", "&lt;@U1&gt;"),
        ("<!subteam^S123>", "&lt;!subteam^S123&gt;"),
        ("<https://evil|x>", "&lt;https://evil|x&gt;"),
        ("<#C123|general>", "&lt;#C123|general&gt;"),
    ],
)
def test_mentions_and_disguised_links_become_inert(hostile: str, escaped: str):
    assert escape(hostile) == escaped
    assert safe(hostile) == escaped
    assert_inert(safe(f"Hi {hostile} & bye"))


# --- safe ---------------------------------------------------------------------------------------


def test_safe_of_nothing_is_empty():
    assert safe(None) == ""
    assert safe("") == ""


def test_safe_escapes_text_that_fits_without_an_ellipsis():
    assert safe("a < b & c", 50) == "a &lt; b &amp; c"
    assert safe("&&", 10) == "&amp;&amp;"  # exactly 10 once escaped


def test_safe_counts_the_limit_after_escaping():
    result = safe("&&&", 10)
    assert result != "&amp;&amp;&amp;"
    assert len(result) <= 10
    assert result.endswith(ELLIPSIS)


@pytest.mark.parametrize("char", ["&", "<", ">"])
@pytest.mark.parametrize("limit", [1, 2, 5, 6, 7, 10, 11, 150, 200, 2800, 3000])
def test_safe_of_nothing_but_control_characters_stays_within_the_limit(char: str, limit: int):
    result = safe(char * 3000, limit)
    assert len(result) <= limit
    assert result.endswith(ELLIPSIS)
    body = result.removesuffix(ELLIPSIS)
    assert not BROKEN_ENTITY.search(body)
    assert body == escape(char) * (len(body) // len(escape(char)))


def test_safe_never_leaves_half_an_entity_before_the_ellipsis():
    for limit in range(1, 30):
        result = safe("&" * 50, limit)
        body = result.removesuffix(ELLIPSIS)
        assert not body.endswith(("&am", "&amp", "&a", "&", "&l", "&lt", "&g", "&gt")), (limit, result)


def test_safe_keeps_as_much_as_fits():
    assert safe("abcdefghij", 5) == "abcd" + ELLIPSIS
    assert safe("ab&cdefghij", 8) == "ab&amp;" + ELLIPSIS
    assert safe("ab&cdefghij", 7) == "ab" + ELLIPSIS


def test_safe_of_mixed_hostile_text_holds_every_invariant():
    rng = random.Random(20270301)
    alphabet = "&<>ab |\n!@é"
    for _ in range(400):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120)))
        limit = rng.randint(1, 100)
        result = safe(text, limit)
        assert len(result) <= limit, (text, limit, result)
        assert not BROKEN_ENTITY.search(result), (text, limit, result)
        assert "<" not in result and ">" not in result
        if len(escape(text)) <= limit:
            assert result == escape(text)
        else:
            assert result.endswith(ELLIPSIS)
            assert text.startswith(unescape(result.removesuffix(ELLIPSIS)))


def test_safe_defaults_to_slacks_section_limit():
    assert len(safe("<" * 3000)) <= 3000
    assert safe("x" * 3000) == "x" * 3000


# --- clip and plain -----------------------------------------------------------------------------


def test_clip_leaves_text_that_fits_alone():
    assert clip("hello", 5) == "hello"
    assert clip("", 3) == ""


def test_clip_cuts_long_text_to_the_limit_with_an_ellipsis():
    result = clip("x" * 200, 150)
    assert len(result) == 150
    assert result == "x" * 149 + ELLIPSIS


def test_clip_drops_trailing_space_before_the_ellipsis():
    assert clip("hello world again", 7) == "hello" + ELLIPSIS


@pytest.mark.parametrize("limit", [1, 2, 24, 75, 150])
def test_clip_never_exceeds_the_limit(limit: int):
    assert len(clip("word " * 100, limit)) <= limit


def test_plain_never_gives_an_empty_text_object():
    assert plain(None, 10) == "-"
    assert plain("   ", 10) == "-"
    assert plain("  hi  ", 10) == "hi"
    assert len(plain("y" * 100, 24)) == 24


# --- link, user, date ---------------------------------------------------------------------------

LINK = re.compile(r"^<(?P<url>[^|<>]+)\|(?P<label>[^|<>]*)>$")


@pytest.mark.parametrize(
    "label",
    [
        "From this message",
        "a|b",
        "evil> <https://evil.example|click",
        "<!channel>",
        "x" * 500,
        "&" * 300,
        "|>|>",
    ],
)
def test_a_link_label_cannot_break_out_of_the_link(label: str):
    url = "https://credit.example/archives/C1/p1700000000000100"
    result = link(url, label)
    match = LINK.match(result)
    assert match, result
    assert match["url"] == url
    assert len(match["label"]) <= 200
    assert not BROKEN_ENTITY.search(match["label"])


def test_a_link_keeps_an_ordinary_label_readable():
    assert link("https://x.example/p1", "From this message") == "<https://x.example/p1|From this message>"
    assert link("https://x.example/p1", "a|b>c") == "<https://x.example/p1|a¦b&gt;c>"


def test_user_mentions_a_user_or_says_nobody():
    assert user("U012ABCDEF") == "<@U012ABCDEF>"
    assert user(None) == "_nobody yet_"
    assert user("") == "_nobody yet_"


def test_date_renders_in_the_readers_zone_with_a_utc_fallback():
    moment = datetime(2027, 3, 1, 14, 30, tzinfo=UTC)
    assert date(moment) == f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|2027-03-01 14:30 UTC>"
