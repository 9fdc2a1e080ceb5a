// The API's shapes as the client reads them (decimals are strings, as the API sends them).
export interface Tokens {
  access_token: string;
  refresh_token: string;
  expires_in?: number;
}

export interface Me {
  user_id: string;
  username: string;
  email: string | null;
  level: number;
  xp: number;
  max_leverage: string | number;
  kyc: boolean;
  role: string;
}

export interface RiskTier {
  max_leverage: string;
  up_to_notional: string | null;
}

export interface Market {
  market: string;
  tick_size: string;
  step_size: string;
  min_size: string;
  max_market_order_value: string;
  max_limit_order_value: string;
  risk_tiers: RiskTier[];
  mark_price: string;
  index_price: string;
  price_time: string;
  maker_fee_rate?: string;
  taker_fee_rate?: string;
  predicted_funding_rate?: string;
  next_funding_at?: string;
  last_funding_rate?: string | null;
  last_funding_at?: string | null;
}

export interface Account {
  account_id: string;
  kind: "practice" | "live" | "tournament" | "copy" | (string & {});
  currency: string;
  collateral: string;
  equity: string;
  unrealized_pnl: string;
  initial_margin: string;
  maintenance_margin: string;
  order_margin: string;
  available: string;
  margin_ratio: string | null;
  leverage: Record<string, string>;
  daily_loss_limit?: string | null;
  loss_today?: string;
}

export interface Position {
  account_id?: string;
  market: string;
  side: "long" | "short";
  size: string;
  entry_price: string;
  mark_price: string;
  notional: string;
  unrealized_pnl: string;
  realized_pnl: string;
  leverage: string;
  initial_margin: string;
  maintenance_margin: string;
  opened_at?: string;
  liquidation_price?: string | null; // null: no price of this market alone liquidates it
  funding_paid?: string; // since it opened; negative when received
}

export interface Order {
  order_id: string;
  account_id: string;
  market: string;
  side: "buy" | "sell";
  type: "market" | "limit" | "stop_loss" | "take_profit";
  size: string;
  price: string | null;
  trigger_price: string | null;
  status: string;
  filled_size: string;
  average_price: string | null;
  reason: string | null;
  created_at: string;
}

export interface Progression {
  xp: number;
  level: number;
  max_leverage: number;
  streak: number;
  closes: number;
  achievements: string[];
}

/** What the API answers for an order it accepted: the order with its fills. */
export interface Fill {
  fill_id?: string;
  liquidity?: string;
  at?: string;
  size: string;
  price: string;
  fee: string;
  realized_pnl: string;
}

export interface PlacedOrder extends Order {
  fills: Fill[];
}

export interface Standing {
  rank: number;
  user_id: string;
  username: string;
  score: string;
  closes?: number;
}

export interface Tournament {
  tournament_id: string;
  name: string;
  markets: string[];
  starts_at: string;
  ends_at: string;
  starting_capital: string;
  max_entrants: number;
  min_level: number;
  entrants: number;
  status: string;
  account_id: string | null;
}

export interface Quote {
  market: string;
  mark: string;
  index: string;
  at: string;
}

/** A ledger posting (GET /ledger): funding among its kinds. */
export interface Posting {
  posting_id: number;
  entry_id: string;
  kind: string;
  amount: string;
  at: string;
}

export interface Toast {
  id: number;
  kind: "fill" | "close" | "stop" | "liquidation" | "error";
  text: string;
}
