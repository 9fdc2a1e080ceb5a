// The trade screen's candle chart: a market's bars at 1m … 1d, history from the candles
// route (GET /markets/{market}/candles) and the bar being formed from the
// `candles:<market>:<interval>` channel, drawn by lightweight-charts (loaded on first use, as
// the line chart is). Above it, the latest bar's open, high, low and close in figures.
import { useEffect, useRef, useState } from "preact/hooks";
import { errorText, get } from "../api";
import { price } from "../format";
import { subscribe } from "../live";
import { loadCharts, nameAttribution } from "./chart";

export const INTERVALS = ["1m", "5m", "15m", "1h", "4h", "1d"] as const;
export type Interval = (typeof INTERVALS)[number];
const HISTORY_BARS = 500;

/** A bar as the route and the channel send it: amounts as decimal strings. */
export interface Bar {
  open_time: string;
  open: string;
  high: string;
  low: string;
  close: string;
}

interface Candles {
  candles: Bar[];
}

interface Series {
  setData(data: unknown[]): void;
  update(bar: unknown): void;
}

interface Props {
  market: string;
  tickSize: string;
  precision: number;
}

export function CandleChart({ market, tickSize, precision }: Props) {
  const [interval, setBarInterval] = useState<Interval>("1m");
  const [shown, setShown] = useState<{ count: number; last: Bar | null; loaded: boolean }>({ count: 0, last: null, loaded: false });
  const [error, setError] = useState<string | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const series = useRef<Series | null>(null);
  const bars = useRef<Bar[]>([]); // what the chart draws, oldest first
  const loaded = useRef(false); // the history is in: live bars may be drawn

  useEffect(() => {
    let dispose = () => undefined as void;
    let cancelled = false;
    void loadCharts().then(({ createChart, CandlestickSeries, ColorType }) => {
      if (cancelled || !box.current) return;
      const colour = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim(); // the theme's
      const chart = createChart(box.current, {
        autoSize: true,
        layout: { background: { type: ColorType.Solid, color: "transparent" }, textColor: colour("--muted"), fontFamily: "inherit" },
        grid: { vertLines: { color: colour("--line") }, horzLines: { color: colour("--line") } },
        timeScale: { timeVisible: true, secondsVisible: false, borderColor: colour("--line") },
        rightPriceScale: { borderColor: colour("--line") },
      });
      series.current = chart.addSeries(CandlestickSeries, {
        upColor: "#2ec4b6",
        downColor: "#ef476f",
        borderVisible: false,
        wickUpColor: "#2ec4b6",
        wickDownColor: "#ef476f",
        priceFormat: { type: "price", precision, minMove: 1 / 10 ** precision },
      }) as unknown as Series;
      series.current.setData(bars.current.map(point));
      chart.timeScale().fitContent();
      nameAttribution(box.current);
      dispose = () => chart.remove();
    });
    return () => {
      cancelled = true;
      series.current = null;
      dispose();
    };
  }, [precision]);

  useEffect(() => {
    let current = true;
    let early: Bar | null = null; // the live bar that came before the history
    bars.current = [];
    loaded.current = false;
    series.current?.setData([]);
    setShown({ count: 0, last: null, loaded: false });
    setError(null);

    const live = (bar: Bar) => {
      if (!loaded.current) {
        early = bar;
        return;
      }
      const all = bars.current;
      const last = all[all.length - 1];
      const at = Date.parse(bar.open_time); // the route writes "Z", the channel "+00:00"
      const lastAt = last ? Date.parse(last.open_time) : -Infinity;
      if (at < lastAt) return; // older than what is drawn
      if (at === lastAt) all[all.length - 1] = bar;
      else all.push(bar);
      series.current?.update(point(bar));
      setShown({ count: all.length, last: bar, loaded: true });
    };
    const stop = subscribe(`candles:${market}:${interval}`, (_kind, data) => {
      if (current && data) live(data as Bar);
    });
    get<Candles>(`/markets/${encodeURIComponent(market)}/candles?interval=${interval}&limit=${HISTORY_BARS}`)
      .then(({ candles }) => {
        if (!current) return;
        bars.current = candles;
        loaded.current = true;
        series.current?.setData(candles.map(point));
        setShown({ count: candles.length, last: candles[candles.length - 1] ?? null, loaded: true });
        if (early) live(early);
      })
      .catch((failure: unknown) => current && setError(errorText(failure)));
    return () => {
      current = false;
      stop();
    };
  }, [market, interval]);

  const last = shown.last;
  return (
    <div class="candle-chart" data-testid="candle-chart" data-interval={interval} data-bars={shown.count} data-loaded={shown.loaded}>
      <div class="candle-bar">
        <div class="intervals" role="group" aria-label="Chart interval">
          {INTERVALS.map((i) => (
            <button key={i} type="button" class="mini" aria-pressed={i === interval} onClick={() => setBarInterval(i)}>{i}</button>
          ))}
        </div>
        <dl class="ohlc small" data-testid="ohlc" data-open-time={last?.open_time ?? ""} aria-label="Latest bar">
          {(["open", "high", "low", "close"] as const).map((name) => (
            <div key={name}><dt>{name[0].toUpperCase()}</dt><dd data-testid={`ohlc-${name}`}>{last ? price(last[name], tickSize) : "—"}</dd></div>
          ))}
        </dl>
      </div>
      {error && <p class="error small" role="alert">{error}</p>}
      <div class="chart" ref={box} style={{ height: "260px" }} role="figure" aria-label={`${market} candles, ${interval} bars of the mark price`} />
    </div>
  );
}

// Display only: the chart library plots numbers, its times in whole seconds (UTC).
const point = (bar: Bar) => ({
  time: Math.floor(Date.parse(bar.open_time) / 1000),
  open: Number(bar.open),
  high: Number(bar.high),
  low: Number(bar.low),
  close: Number(bar.close),
});
