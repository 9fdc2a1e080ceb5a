// Receipts as toasts: announced politely (never moving focus), each dismissable, gone
// after a few seconds.
import { dismiss } from "../receipts";
import { useStore } from "../store";

export function Toasts() {
  const toasts = useStore((s) => s.toasts);
  return (
    <section class="toasts" aria-label="Notifications">
      <div aria-live="polite" aria-relevant="additions text" class="toast-list">
        {toasts.map((t) => (
          <div key={t.id} class={`toast ${t.kind}`} data-testid="toast" data-kind={t.kind}>
            <p>{t.text}</p>
            <button type="button" class="ghost mini" aria-label="Dismiss notification" onClick={() => dismiss(t.id)}>×</button>
          </div>
        ))}
      </div>
    </section>
  );
}
