"""The traffic mix of one virtual trader (docs/load.md): weights of a trading app's screens,
read from a day of a retail perpetuals app's sessions as the product sees them: mostly
looking (markets, the trade screen, positions), a fraction trading."""

from __future__ import annotations

# task name -> weight (out of 100): how often a trader does it between two pauses.
WEIGHTS = {
    "browse_markets": 14,
    "open_trade_screen": 14,
    "place_and_cancel_limit": 8,
    "market_order": 8,
    "close_position": 6,
    "read_positions": 14,
    "progression": 8,
    "leaderboards": 10,
    "social_feed": 10,
    "copy_pages": 8,
}

# A trader's pause between two actions, seconds: a person reads the screen in between.
THINK_SECONDS = (1.0, 3.0)

MARKETS = ("BTC-USD", "ETH-USD", "SOL-USD")
# Sizes small enough that 10,000 of collateral never nears a margin call at 10x.
SIZES = {"BTC-USD": "0.001", "ETH-USD": "0.01", "SOL-USD": "0.1"}

# The request types timed for the verdict: sign-up and sign-in are argon2 by design (tens
# of ms of CPU each, once a session), reported but not held to the 200 ms line.
NOT_JUDGED = ("sign up", "sign in", "wait for account")
