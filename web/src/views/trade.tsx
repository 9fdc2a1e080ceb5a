// Markets with live marks and 24h change, the selected market's chart, the order ticket,
// and the open positions beneath (so a trade's P&L is in view where it was placed). A
// tournament account trades its tournament's markets only, under its countdown and rank.
import { change24h, samples } from "../history";
import { decimalsOf, percent, price, sign } from "../format";
import { tournamentOf } from "../session";
import { setState, useStore } from "../store";
import { LiveChart } from "./chart";
import { OrderTicket } from "./ticket";
import { OrdersList, PositionsList } from "./positions";
import { TournamentPanel } from "./tournament";

export function TradeView() {
  const all = useStore((s) => s.markets);
  const quotes = useStore((s) => s.quotes);
  const selected = useStore((s) => s.market);
  const tournament = useStore((s) => tournamentOf(s.account, s.tournaments));
  const markets = tournament ? all.filter((m) => tournament.markets.includes(m.market)) : all;
  const market = markets.find((m) => m.market === selected) ?? markets[0];
  if (!market) return <p class="muted">Loading markets…</p>;
  const quote = quotes[market.market];
  return (
    <div class={tournament ? "trade in-tournament" : "trade"}>
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
        <LiveChart samples={samples(`price.${market.market}`)} label={`${market.market} mark price over time`} precision={decimalsOf(market.tick_size)} />
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
