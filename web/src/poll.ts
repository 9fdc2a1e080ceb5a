// Polling for what has no WebSocket channel (and for what has one while the socket is down),
// paused while the page is hidden.
import { useEffect } from "preact/hooks";

export function usePoll(read: () => void, everyMs: number, deps: unknown[]): void {
  useEffect(() => {
    read();
    const timer = window.setInterval(() => document.visibilityState === "visible" && read(), everyMs);
    return () => window.clearInterval(timer);
  }, deps);
}
