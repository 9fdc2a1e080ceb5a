// Markets with live marks and 24h change, the selected market's candle chart, the order ticket,
// and the open positions beneath (so a trade's P&L is in view where it was placed). A
// tournament account trades its tournament's markets only, under its countdown and rank.
import { change24h } from "../history";
import { decimalsOf, percent, price, sign } from "../format";
import { usePoll } from "../poll";
import { loadMarkets, tournamentOf } from "../session";
import type { Market, Quote } from "../types";
import { setState, useStore } from "../store";
import { CandleChart } from "./candle-chart";
import { OrderTicket } from "./ticket";
import { OrdersList, PositionsList } from "./positions";
import { countdown, TournamentPanel, useNow } from "./tournament";
import { Guide } from "./guide";
import { Term } from "./glossary";

const MARKETS_POLL_MS = 30_000; // the predicted funding rate moves with each minute's premium

export function TradeView() {
  const all = useStore((s) => s.markets);
  const quotes = useStore((s) => s.quotes);
  const selected = useStore((s) => s.market);
  const tournament = useStore((s) => tournamentOf(s.account, s.tournaments));
  const guide = useStore((s) => s.guide);
  usePoll(() => void loadMarkets().catch(() => undefined), MARKETS_POLL_MS, []);
  const markets = tournament ? all.filter((m) => tournament.markets.includes(m.market)) : all;
  const market = markets.find((m) => m.market === selected) ?? markets[0];
  if (!market) return <p class="muted">Loading markets…</p>;
  const quote = quotes[market.market];
  return (
    <div class={`trade${tournament ? " in-tournament" : ""}${guide ? " with-guide" : ""}`}>
      {guide && <Guide />}
      {tournament && <TournamentPanel tournament={tournament} />}
      <section class="markets card" aria-label="Markets">
        <h2>Markets</h2>
        <ul class="market-list">
          {markets.map((m) => {
            const mark = quotes[m.market]?.mark ?? m.mark_price;
            const change = change24h(`price.${m.market}`, mark);
            return (
              <li key={m.market}>
                <button type="button" class={m.market === market.market ? "market active" : "market"} aria-pressed={m.market === market.market}
                  onClick={() => setState({ market: m.market })} data-testid={`market-${m.market}`}>
                  <span class="name">{m.market}</span>
                  <span class="mark" data-testid={`mark-${m.market}`}>{price(mark, m.tick_size)}</span>
                  <span class={`change ${sign(change)}`} title="Change over the last 24 hours seen by this device">{change === null ? "—" : percent(change)}</span>
                </button>
              </li>
            );
          })}
        </ul>
      </section>
      <section class="chart-card card" aria-label={`${market.market} price chart`}>
        <h2>{market.market} <span class="mark big">{price(quote?.mark, market.tick_size)}</span></h2>
        <MarketFigures market={market} quote={quote} />
        <CandleChart market={market.market} tickSize={market.tick_size} precision={decimalsOf(market.tick_size)} />
      </section>
      <OrderTicket market={market} />
      <section class="card positions-card" aria-label="Open positions">
        <h2>Positions</h2>
        <PositionsList />
        <h3>Open orders</h3>
        <OrdersList />
      </section>
    </div>
  );
}

/** Mark and index side by side, and the predicted funding rate with the time to its payment. */
function MarketFigures({ market, quote }: { market: Market; quote?: Quote }) {
  const now = useNow();
  const rate = market.predicted_funding_rate;
  const payer = rate && rate.startsWith("-") ? "shorts pay longs" : "longs pay shorts";
  const passed = market.next_funding_at ? Date.parse(market.next_funding_at) <= now : false;
  return (
    <dl class="market-figures" data-testid="market-figures">
      <div><dt><Term id="mark">Mark</Term></dt><dd data-testid="mark-price">{price(quote?.mark ?? market.mark_price, market.tick_size)}</dd></div>
      <div><dt><Term id="index">Index</Term></dt><dd data-testid="index-price">{price(quote?.index ?? market.index_price, market.tick_size)}</dd></div>
      {rate !== undefined && (
        <div><dt><Term id="funding">Funding</Term></dt>
          <dd data-testid="funding">
            <span data-testid="funding-rate">{percent(rate, 4)}</span>{" "}
            <span class="muted small">{payer} · <span data-testid="funding-countdown">{market.next_funding_at ? (passed ? "paying now" : `in ${countdown(market.next_funding_at, now)}`) : ""}</span></span>
          </dd>
        </div>
      )}
    </dl>
  );
}
