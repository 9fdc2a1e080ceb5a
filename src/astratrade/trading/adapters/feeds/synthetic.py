"""A seeded random-walk price feed: the market practice accounts trade against."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from astratrade.shared.clock import Clock
from astratrade.shared.money import ONE, ZERO, clamp, round_to
from astratrade.trading.domain.markets import Market
from astratrade.trading.domain.prices import Quote
from astratrade.trading.ports import QuoteSink

logger = logging.getLogger(__name__)

# The walk draws integers only; this is their unit (a tenth of a basis point) so that every
# price move is an exact Decimal and the sequence is identical on every platform.
TENTH_BP = Decimal("0.00001")
BP = Decimal("0.0001")

# One step is one second in production. Uniform moves of ±2 bp (std 1.2 bp) give roughly 65 %
# annualised volatility: lively enough to practise on, calm enough to read a chart.
VOLATILITY_TENTH_BP = 20
# About one jump every 8 minutes at one step a second, of 20 to 80 bp: enough to trip stops and
# liquidate over-levered practice positions now and then, without wrecking everyone hourly.
JUMP_PER_MILLE = 2
JUMP_MIN_BP = 20
JUMP_MAX_BP = 80
# The premium is an AR(1) toward zero: ±1 bp of noise a step with 2 % reversion settles around
# ±3 bp, so funding has something to measure; the cap keeps the funding rate in a sane band.
PREMIUM_NOISE_TENTH_BP = 10
PREMIUM_REVERSION = Decimal("0.02")
MAX_PREMIUM_BP = 10

# The hidden state keeps four more decimals than the tick so that sub-tick moves accumulate
# instead of being rounded away (a price resting on its floor could otherwise never move).
_STATE_DIGITS = Decimal("0.0001")
_PREMIUM_QUANTUM = Decimal("1E-9")


@dataclass(slots=True)
class _Walk:
    market: Market
    rng: random.Random
    index: Decimal
    premium: Decimal = ZERO


class SyntheticFeed:
    """Random-walk index with jumps and a mean-reverting mark premium, per market.

    Every market draws from its own generator seeded with (seed, market id), so a market's path
    depends only on the seed, not on which other markets are listed."""

    def __init__(
        self,
        markets: Sequence[Market],
        *,
        seed: int,
        interval_seconds: Decimal,
        clock: Clock,
        volatility_tenth_bp: int = VOLATILITY_TENTH_BP,
        jump_per_mille: int = JUMP_PER_MILLE,
        max_premium_bp: int = MAX_PREMIUM_BP,
    ) -> None:
        if not markets:
            raise ValueError("the synthetic feed needs at least one market")
        if not interval_seconds.is_finite() or interval_seconds <= 0:
            raise ValueError(f"interval_seconds must be positive, was {interval_seconds}")
        if volatility_tenth_bp < 0 or not 0 <= jump_per_mille <= 1000:
            raise ValueError("volatility must not be negative, jump_per_mille must be 0 to 1000")
        # Below 100 % so a discounted mark stays above zero.
        if not 0 <= max_premium_bp < 10_000:
            raise ValueError(f"max_premium_bp must be 0 to 9999, was {max_premium_bp}")
        self._interval = interval_seconds
        self._clock = clock
        self._volatility = volatility_tenth_bp
        self._jump_per_mille = jump_per_mille
        self.max_premium = max_premium_bp * BP
        # Seeding with a str is stable across processes (hashed with SHA-512, not hash()).
        self._walks = [
            _Walk(m, random.Random(f"{seed}:{m.id}"), m.start_price)  # noqa: S311 - not crypto
            for m in markets
        ]

    def resume_from(self, quotes: Mapping[str, Quote]) -> None:
        """Walk on from these quotes' indexes (another replica ran the feed until now)."""
        for walk in self._walks:
            quote = quotes.get(walk.market.id)
            if quote is not None:
                walk.index = quote.index

    def step(self, now: datetime) -> list[Quote]:
        """Advance every market one step; one Quote per market, stamped `now`."""
        if now.tzinfo is None:
            raise ValueError("the synthetic feed takes timezone-aware datetimes only")
        return [self._advance(walk, now) for walk in self._walks]

    async def run(self, sink: QuoteSink) -> None:
        """Push one batch every interval until cancelled; a failing sink is logged, not fatal.
        Batches keep the cadence however long the sink takes (a late one goes at once, and
        none are bunched up to catch up)."""
        loop = asyncio.get_running_loop()
        interval = float(self._interval)  # the only float in the feed: asyncio's seconds
        due = loop.time()
        while True:
            batch = self.step(self._clock.now())
            try:
                await sink(batch)
            except Exception:
                logger.exception("price sink failed on a synthetic batch; the feed goes on")
            due = max(due + interval, loop.time())
            await asyncio.sleep(due - loop.time())

    def _advance(self, walk: _Walk, now: datetime) -> Quote:
        rng, tick = walk.rng, walk.market.tick
        move = rng.randint(-self._volatility, self._volatility) * TENTH_BP
        factor = ONE + move
        if rng.randrange(1000) < self._jump_per_mille:
            factor *= ONE + rng.choice((-1, 1)) * rng.randint(JUMP_MIN_BP, JUMP_MAX_BP) * BP
        walk.index = max(round_to(walk.index * factor, tick * _STATE_DIGITS, up=False), tick)

        noise = rng.randint(-PREMIUM_NOISE_TENTH_BP, PREMIUM_NOISE_TENTH_BP) * TENTH_BP
        premium = walk.premium * (ONE - PREMIUM_REVERSION) + noise
        walk.premium = round_to(
            clamp(premium, -self.max_premium, self.max_premium), _PREMIUM_QUANTUM, up=False
        )

        index = max(round_to(walk.index, tick, up=False), tick)
        # Round the mark toward the index so the quoted premium never exceeds the cap.
        mark = round_to(index * (ONE + walk.premium), tick, up=walk.premium < 0)
        return Quote(walk.market.id, mark, index, now)
