// A live line/area chart drawn by TradingView's lightweight-charts, loaded on first use
// (its own chunk) so the sign-in screen does not pay for it.
import { useEffect, useRef } from "preact/hooks";
import type { Sample } from "../history";

type Charts = typeof import("lightweight-charts");
let library: Promise<Charts> | null = null;
export const loadCharts = () => (library ??= import("lightweight-charts"));

interface Props {
  samples: Sample[];
  label: string;
  precision?: number;
  height?: number;
  compact?: boolean; // a small chart in a list: the line alone, no scales, grid or panning
}

export function LiveChart({ samples, label, precision = 2, height = 260, compact = false }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const series = useRef<{ setData(data: unknown[]): void } | null>(null);
  const latest = useRef(samples);
  latest.current = samples;

  useEffect(() => {
    let dispose = () => undefined as void;
    let cancelled = false;
    void loadCharts().then(({ createChart, AreaSeries, ColorType }) => {
      if (cancelled || !box.current) return;
      const colour = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim(); // the theme's
      const chart = createChart(box.current, {
        autoSize: true,
        layout: { background: { type: ColorType.Solid, color: "transparent" }, textColor: colour("--muted"), fontFamily: "inherit" },
        grid: { vertLines: { color: colour("--line") }, horzLines: { color: colour("--line") } },
        timeScale: { timeVisible: true, secondsVisible: true, borderColor: colour("--line") },
        rightPriceScale: { borderColor: colour("--line") },
        ...(compact && {
          grid: { vertLines: { visible: false }, horzLines: { visible: false } },
          timeScale: { visible: false },
          rightPriceScale: { visible: false },
          crosshair: { vertLine: { visible: false }, horzLine: { visible: false } },
          handleScroll: false,
          handleScale: false,
        }),
      });
      const area = chart.addSeries(AreaSeries, {
        lineColor: "#4cc9f0",
        topColor: "rgba(76, 201, 240, 0.35)",
        bottomColor: "rgba(76, 201, 240, 0.02)",
        lineWidth: 2,
        lastValueVisible: !compact,
        priceLineVisible: !compact,
        priceFormat: { type: "price", precision, minMove: 1 / 10 ** precision },
      });
      series.current = area as unknown as { setData(data: unknown[]): void };
      series.current.setData(points(latest.current));
      chart.timeScale().fitContent();
      nameAttribution(box.current);
      dispose = () => chart.remove();
    });
    return () => {
      cancelled = true;
      series.current = null;
      dispose();
    };
  }, [precision, compact]);

  useEffect(() => {
    series.current?.setData(points(samples));
  }, [samples, samples.length, samples[samples.length - 1]?.v]);

  // A figure, not an image: an image's content is hidden from assistive technology, and the
  // library's attribution link inside it must stay a named, reachable link.
  return <div class="chart" ref={box} style={{ height: `${height}px` }} role="figure" aria-label={label} />;
}

/** TradingView's attribution logo (the library's licence asks for it) is a link with only an
 * SVG in it: give it a name a screen reader can say. */
export function nameAttribution(box: HTMLElement): void {
  const link = box.querySelector<HTMLAnchorElement>("a[href*='tradingview.com']");
  if (!link) return;
  link.setAttribute("aria-label", "Charting by TradingView (opens tradingview.com in a new tab)");
  link.rel = "noopener";
}

// Display only: the chart library plots numbers.
const points = (samples: Sample[]) => samples.map((s) => ({ time: s.t, value: Number(s.v) }));
