// The guided first trade is shown once per user on this device; the help button opens it again.
import { getState, setState } from "./store";

const key = () => `astratrade.guide.${getState().me?.user_id ?? "anyone"}`;

export const guideSeen = (): boolean => localStorage.getItem(key()) !== null;
export const openGuide = (): void => setState({ guide: true });
export function closeGuide(): void {
  localStorage.setItem(key(), "done");
  setState({ guide: false });
}
