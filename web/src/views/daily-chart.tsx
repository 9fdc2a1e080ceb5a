// Lines of one figure a UTC day (the admin dashboard's charts), drawn by the charting library
// the trade screen uses, loaded on first use; a legend names each line's colour.
import { useEffect, useRef } from "preact/hooks";
import type { DailySeries } from "../platform";

type Charts = typeof import("lightweight-charts");
let library: Promise<Charts> | null = null;
const loadCharts = () => (library ??= import("lightweight-charts"));
const COLOURS = ["#4cc9f0", "#f72585", "#b5e48c", "#ffd166", "#9d4edd", "#ff9f1c"];

interface Props {
  series: DailySeries[];
  label: string;
  precision?: number;
  height?: number;
}

export function DailyChart({ series, label, precision = 0, height = 200 }: Props) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let dispose = () => undefined as void;
    let cancelled = false;
    void loadCharts().then(({ createChart, LineSeries, ColorType }) => {
      if (cancelled || !box.current) return;
      const colour = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
      const chart = createChart(box.current, {
        autoSize: true,
        layout: { background: { type: ColorType.Solid, color: "transparent" }, textColor: colour("--muted"), fontFamily: "inherit" },
        grid: { vertLines: { color: colour("--line") }, horzLines: { color: colour("--line") } },
        timeScale: { timeVisible: false, borderColor: colour("--line") },
        rightPriceScale: { borderColor: colour("--line") },
      });
      series.forEach((line, n) => {
        const drawn = chart.addSeries(LineSeries, {
          color: COLOURS[n % COLOURS.length],
          lineWidth: 2,
          priceFormat: { type: "price", precision, minMove: 1 / 10 ** precision },
        });
        // Display only: the library plots numbers; the table beside shows the exact figures.
        drawn.setData(line.values.map((v) => ({ time: v.day, value: Number(v.value) })));
      });
      chart.timeScale().fitContent();
      dispose = () => chart.remove();
    });
    return () => {
      cancelled = true;
      dispose();
    };
  }, [series, precision]);
  return (
    <figure class="daily-chart">
      <div class="chart" ref={box} style={{ height: `${height}px` }} />
      <figcaption class="legend small">
        {label}:{" "}
        {series.map((line, n) => (
          <span key={line.name} class="legend-item"><i style={{ background: COLOURS[n % COLOURS.length] }} aria-hidden="true" />{line.name}</span>
        ))}
      </figcaption>
    </figure>
  );
}
