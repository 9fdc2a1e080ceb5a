// Report a post, comment or profile with one of the reasons the API knows. Reported by 3
// different traders, it is hidden until a moderator looks (docs/social.md).
import { useState } from "preact/hooks";
import { errorText, post } from "../api";
import { REASONS } from "../social";

interface Props {
  targetType: "post" | "comment" | "profile";
  targetId: string;
  onDone: () => void;
}

export function ReportForm({ targetType, targetId, onDone }: Props) {
  const [reason, setReason] = useState<string>("");
  const [said, setSaid] = useState<{ error: boolean; text: string } | null>(null);
  async function send(event: Event) {
    event.preventDefault();
    try {
      await post("/reports", { target_type: targetType, target_id: targetId, reason });
      setSaid({ error: false, text: "Reported: thank you. Moderators will look at it." });
    } catch (failure) {
      setSaid({ error: true, text: errorText(failure) });
    }
  }
  if (said && !said.error) {
    return <p class="ok" role="status" data-testid="report-result">{said.text} <button type="button" class="ghost mini" onClick={onDone}>Close</button></p>;
  }
  return (
    <form class="report stack" onSubmit={(e) => void send(e)} aria-label={`Report this ${targetType}`}>
      <label>Why are you reporting this {targetType}?
        <select value={reason} required onChange={(e) => setReason((e.target as HTMLSelectElement).value)}>
          <option value="" disabled>Choose a reason</option>
          {REASONS.map((r) => <option key={r.reason} value={r.reason}>{r.label}</option>)}
        </select>
      </label>
      {said && <p class="error" role="alert">{said.text}</p>}
      <div class="right">
        <button type="button" class="ghost" onClick={onDone}>Cancel</button>
        <button type="submit" class="primary" disabled={!reason}>Send report</button>
      </div>
    </form>
  );
}
