"""Plain text as given, length-checked, and the market tags it names."""

from __future__ import annotations

import pytest
from social_support import MARKETS

from astratrade.shared.errors import ValidationFailed
from astratrade.social.domain.text import checked_text, market_tags


def test_text_is_kept_exactly_as_given_markup_and_links_included() -> None:
    text = "<b>long</b> & <script>x</script> see https://example.com\nline two"
    assert checked_text("text", text, 500) == text


def test_text_at_the_limit_passes_and_one_more_character_names_the_field() -> None:
    assert checked_text("text", "é" * 500, 500) == "é" * 500
    with pytest.raises(ValidationFailed) as refused:
        checked_text("text", "é" * 501, 500)
    assert refused.value.field == "text"
    assert "501 characters, at most 500" in refused.value.message


@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_blank_text_is_refused_when_required(blank: str) -> None:
    with pytest.raises(ValidationFailed, match="must not be blank"):
        checked_text("text", blank, 500)
    assert checked_text("bio", blank, 280, required=False) == blank


def test_a_one_line_field_refuses_line_breaks_and_every_field_refuses_control_characters() -> None:
    with pytest.raises(ValidationFailed, match="U\\+000A at position 3"):
        checked_text("display_name", "Ada\nL", 40, multiline=False)
    with pytest.raises(ValidationFailed, match="U\\+001B"):
        checked_text("text", "red \x1b[31m", 500)


@pytest.mark.parametrize(
    ("text", "markets"),
    [
        ("$BTC to the moon", ("BTC-USD",)),
        ("$eth then $BTC then $eth again", ("ETH-USD", "BTC-USD")),
        ("$BTC-USD and $SOL.", ("BTC-USD", "SOL-USD")),
        ("($STRK)", ("STRK-USD",)),
        ("$DOGE is not listed", ()),
        ("price$BTC, $$BTC, $BTC_x, $BTC-EUR", ()),
        ("$5 off", ()),
    ],
)
def test_market_tags_name_listed_markets_in_order_once_each(
    text: str, markets: tuple[str, ...]
) -> None:
    assert market_tags(text, MARKETS) == markets
