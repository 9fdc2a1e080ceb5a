// A leader's statistics as the directory's rows and a leader's page show them (SPEC 12's
// list: each sort of the directory is one): fractions, counts, and the copiers' money
// allocated to them and the shares they earned; never a balance of theirs.
import { percent, usd } from "../format";
import { holdTime } from "../social";
import { percentOf, type Leader } from "../copying";

export function LeaderFigures({ leader, wide = false }: { leader: Leader; wide?: boolean }) {
  const s = leader.statistics;
  return (
    <dl class={wide ? "share" : "share compact"} data-testid="leader-figures">
      <Figure name="ROI 30d" value={percent(s.roi_30d)} id="roi-30d" />
      <Figure name="ROI 7d" value={percent(s.roi_7d)} id="roi-7d" />
      <Figure name="ROI 90d" value={percent(s.roi_90d)} id="roi-90d" />
      <Figure name="Max drawdown 30d" value={percent(s.max_drawdown_30d)} id="drawdown" />
      <Figure name="Win rate" value={percent(s.win_rate)} id="win-rate" />
      <Figure name="Average hold" value={holdTime(s.average_hold_seconds)} id="hold" />
      {wide && <Figure name="Closed (90d)" value={String(s.closed_positions_90d)} id="closed" />}
      <Figure name="Copiers" value={String(leader.copiers)} id="copiers" />
      <Figure name="Allocated" value={usd(leader.allocated)} id="allocated" />
      <Figure name="Share earned" value={usd(leader.profit_share_earned)} id="share-earned" />
      <Figure name="Profit share" value={`${percentOf(leader.profit_share)}%`} id="profit-share" />
    </dl>
  );
}

function Figure({ name, value, id }: { name: string; value: string; id: string }) {
  return <div><dt>{name}</dt><dd data-testid={`figure-${id}`}>{value}</dd></div>;
}
