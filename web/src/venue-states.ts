// How a live order's state on Extended reads to the trader: `pending` (sent, Extended has
// not answered yet) and `rejected` (Extended refused it, its reason kept) each get a label
// and a sentence, in the open orders and in the history alike.
import type { Order } from "./types";

export interface VenueState {
  label: string;
  tone: "pending" | "rejected";
  detail: string;
}

export function venueState(order: Pick<Order, "status" | "reason">): VenueState | null {
  if (order.status === "pending") {
    return { label: "Pending", tone: "pending", detail: "Sent to Extended, waiting for its answer." };
  }
  if (order.status === "rejected") {
    return { label: "Rejected", tone: "rejected", detail: order.reason ?? "Refused, no reason given." };
  }
  return null;
}
