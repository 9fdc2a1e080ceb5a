// The WebSocket client of `WS /api/v1/ws`: one connection, channels subscribed by name,
// resubscribed after a reconnect (user channels resume from their last sequence number).
import { accessToken, onAuthChange, refresh, signedIn } from "./api";

export type Handler = (kind: "snapshot" | "event", data: unknown) => void;

interface Subscription {
  handlers: Set<Handler>;
  seq: number | null;
  last?: unknown; // the latest whole state, for handlers added later (state channels only)
}

const PING_MS = 30_000; // the server drops a client silent for 120 s
const USER_CHANNELS = new Set(["orders", "positions", "progression"]);
// Channels whose events are new items rather than the whole state: nothing to hand a
// handler added later (the social `feed`: its snapshot is a first page, its events posts).
// A copy's `copy:<id>` is one too: its events are decisions, its equity a moment's figure.
const STREAM_CHANNELS = new Set(["feed"]);
const streamed = (channel: string): boolean => STREAM_CHANNELS.has(channel) || channel.startsWith("copy:");
const subscriptions = new Map<string, Subscription>();
const statusListeners = new Set<(up: boolean) => void>();
let socket: WebSocket | null = null;
let backoff = 500;
let pinger: number | undefined;
let reconnect: number | undefined;
let connectedWith: string | null = null; // the access token the open socket signed in with

// A socket lasts as long as the token it signed in with (the server closes it with 4001
// when that expires): after each refresh, sign in again with the new one at once, resuming
// every channel where it was.
onAuthChange((signedInNow) => {
  if (!signedInNow || !socket || accessToken() === connectedWith) return;
  const old = socket;
  socket = null;
  old.onclose = null;
  window.clearInterval(pinger);
  old.close(1000);
  connect();
});

export function liveStatus(listener: (up: boolean) => void): () => void {
  statusListeners.add(listener);
  listener(socket?.readyState === WebSocket.OPEN);
  return () => statusListeners.delete(listener);
}

/** Listen to `channel`; the returned function stops listening. */
export function subscribe(channel: string, handler: Handler): () => void {
  let subscription = subscriptions.get(channel);
  if (!subscription) {
    subscription = { handlers: new Set(), seq: null };
    subscriptions.set(channel, subscription);
    send({ type: "subscribe", channel });
  }
  subscription.handlers.add(handler);
  if (subscription.last !== undefined) handler("snapshot", subscription.last);
  connect();
  return () => {
    const current = subscriptions.get(channel);
    if (!current) return;
    current.handlers.delete(handler);
    if (current.handlers.size === 0) {
      subscriptions.delete(channel);
      send({ type: "unsubscribe", channel });
    }
  };
}

export function disconnect(): void {
  subscriptions.clear();
  window.clearTimeout(reconnect);
  socket?.close(1000);
  socket = null;
}

function send(message: object): void {
  if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

function connect(): void {
  if (socket || !signedIn()) return;
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  connectedWith = accessToken();
  const url = `${scheme}://${location.host}/api/v1/ws?token=${encodeURIComponent(connectedWith ?? "")}`;
  const ws = new WebSocket(url);
  socket = ws;
  ws.onopen = () => {
    backoff = 500;
    statusListeners.forEach((listener) => listener(true));
    for (const [channel, subscription] of subscriptions) {
      const since = USER_CHANNELS.has(channel) ? subscription.seq : null;
      ws.send(JSON.stringify({ type: "subscribe", channel, since }));
    }
    pinger = window.setInterval(() => send({ type: "ping" }), PING_MS);
  };
  ws.onmessage = (event) => deliver(JSON.parse(String(event.data)));
  ws.onclose = (event) => {
    window.clearInterval(pinger);
    if (socket === ws) socket = null;
    statusListeners.forEach((listener) => listener(false));
    if (event.code === 1000 || subscriptions.size === 0) return;
    const again = () => {
      reconnect = window.setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 10_000);
    };
    // 4001: the access token was refused or its session ended (expired: a refresh brings it
    // back; revoked or suspended: the refresh fails too). A socket opened with a token this
    // tab (or another) has since replaced just reconnects with the current one: refreshing
    // again would rotate a pair that is still fresh.
    if (event.code === 4001 && connectedWith !== accessToken()) again();
    else if (event.code === 4001) void refresh().then((ok) => ok && again());
    else again();
  };
}

interface Message {
  type: string;
  channel?: string;
  seq?: number;
  snapshot?: unknown;
  data?: unknown;
  resumed?: boolean;
}

function deliver(message: Message): void {
  const subscription = message.channel ? subscriptions.get(message.channel) : undefined;
  if (!subscription) return;
  if (typeof message.seq === "number") subscription.seq = message.seq;
  const state = !USER_CHANNELS.has(message.channel ?? "") && !streamed(message.channel ?? "");
  if (message.type === "subscribed") {
    if (message.resumed) return; // the missed events follow as events
    if (state) subscription.last = message.snapshot;
    subscription.handlers.forEach((handler) => handler("snapshot", message.snapshot));
  } else if (message.type === "event") {
    if (state) subscription.last = message.data;
    subscription.handlers.forEach((handler) => handler("event", message.data));
  }
}
