// The shell: sign-in until there is a session, then the account switcher and the tabs
// (a bottom bar on phones, with short labels there).
import { useEffect, useState } from "preact/hooks";
import { errorText, logOut, onAuthChange, signedIn } from "./api";
import { start, stop, switchAccount } from "./session";
import { accountLabel, setState, useStore } from "./store";
import { usd } from "./format";
import { AuthView } from "./views/auth";
import { TradeView } from "./views/trade";
import { PortfolioView } from "./views/portfolio";
import { ProgressView } from "./views/progress";
import { BoardsView } from "./views/boards";
import { TournamentsView } from "./views/tournaments";
import { SettingsView } from "./views/settings";
import { FeedView } from "./views/feed";
import { ProfileView } from "./views/profile";
import { ModerationView } from "./views/moderation";
import { LeadersView } from "./views/leaders";
import { LeadingView } from "./views/leading";
import { CopiesView } from "./views/copies";
import { AnalyticsView } from "./views/analytics";
import { BadgeView, PublicBadge } from "./views/badges";
import { AdminDashboard } from "./views/admin-dashboard";
import { MintQueueView } from "./views/mint-queue";
import { routeParts } from "./route";
import { Toasts } from "./views/toasts";
import { openGuide } from "./guide";

const TABS = [
  { id: "trade", label: "Trade", short: "Trade", view: TradeView },
  { id: "portfolio", label: "Portfolio", short: "Portfolio", view: PortfolioView },
  { id: "progress", label: "Progress", short: "Progress", view: ProgressView },
  { id: "boards", label: "Leaderboards", short: "Boards", view: BoardsView },
  { id: "tournaments", label: "Tournaments", short: "Tourneys", view: TournamentsView },
  { id: "feed", label: "Social", short: "Social", view: FeedView },
] as const;
// Screens reached from the header or from another screen rather than the tab bar (a
// profile, the moderation queue and copy trading's screens from the social screen; they
// light its tab; a badge's page lights progression's; the analytics, the portfolio's; the
// platform dashboard, admins' only, from the header; their badge mint queue, from the
// dashboard).
const OTHER = [
  { id: "settings", label: "Settings", view: SettingsView, under: null },
  { id: "profile", label: "Profile", view: ProfileView, under: "feed" },
  { id: "moderation", label: "Moderation", view: ModerationView, under: "feed" },
  { id: "leaders", label: "Leaders", view: LeadersView, under: "feed" },
  { id: "leading", label: "Leading", view: LeadingView, under: "feed" },
  { id: "copies", label: "My copies", view: CopiesView, under: "feed" },
  { id: "badges", label: "Badge", view: BadgeView, under: "progress" },
  { id: "admin", label: "Platform dashboard", view: AdminDashboard, under: null },
  { id: "mints", label: "Badge mint queue", view: MintQueueView, under: null },
  { id: "analytics", label: "Analytics", view: AnalyticsView, under: "portfolio" },
] as const;
type TabId = (typeof TABS)[number]["id"] | (typeof OTHER)[number]["id"];
const SCREENS = [...TABS, ...OTHER];

// The screen is the route's first part (#/profile/ann: the profile screen, of ann).
const tabFromHash = (): TabId => {
  const id = routeParts()[0] ?? "";
  return SCREENS.some((t) => t.id === id) ? (id as TabId) : "trade";
};
const lit = (tab: TabId): string => OTHER.find((o) => o.id === tab)?.under ?? tab;

export function App() {
  const [session, setSession] = useState(signedIn());
  const [failure, setFailure] = useState<string | null>(null);
  const [tab, setTab] = useState<TabId>(tabFromHash());
  const ready = useStore((s) => s.account !== null);

  useEffect(() => {
    setSession(signedIn()); // a stored session may have ended before this effect listened
    return onAuthChange((on) => setSession(on));
  }, []);
  useEffect(() => {
    const follow = () => setTab(tabFromHash());
    window.addEventListener("hashchange", follow);
    return () => window.removeEventListener("hashchange", follow);
  }, []);
  useEffect(() => {
    setState({ signedIn: session });
    if (!session) return;
    setFailure(null);
    start().catch((error: unknown) => setFailure(error instanceof Error && !("status" in error) ? error.message : errorText(error)));
    return stop;
  }, [session]);

  if (!session) return tab === "badges" ? <PublicBadge /> : <AuthView />; // a badge's page is public
  const View = SCREENS.find((t) => t.id === tab)!.view;
  return (
    <div class="shell">
      <Header />
      <nav class="tabs" aria-label="Sections">
        {TABS.map((t) => (
          <a key={t.id} href={`#/${t.id}`} class={t.id === lit(tab) ? "tab active" : "tab"} aria-current={t.id === lit(tab) ? "page" : undefined}
            aria-label={t.label}>
            <span class="tab-full">{t.label}</span><span class="tab-short" aria-hidden="true">{t.short}</span>
          </a>
        ))}
      </nav>
      <main id="main" tabIndex={-1}>
        {failure ? <p class="error" role="alert">{failure}</p> : ready ? <View /> : <p class="muted">Loading your account…</p>}
      </main>
      <Toasts />
    </div>
  );
}

function Header() {
  const me = useStore((s) => s.me);
  const equity = useStore((s) => s.account?.equity);
  const live = useStore((s) => s.live);
  return (
    <header class="top">
      <strong class="brand">AstraTrade</strong>
      <span class="equity" aria-label="Equity" data-testid="header-equity">{usd(equity)}</span>
      <span class={live ? "dot on" : "dot"} title={live ? "Live" : "Reconnecting"} aria-label={live ? "Live prices connected" : "Live prices reconnecting"} />
      <span class="user">{me?.username}</span>
      <AccountSwitcher />
      <button type="button" class="ghost logout" onClick={() => void logOut()}>Log out</button>
      <span class="header-tools">
        {me?.role === "admin" && <a class="icon" href="#/admin" aria-label="Platform dashboard (admins)" title="Platform dashboard"
          aria-current={location.hash === "#/admin" ? "page" : undefined}>▦</a>}
        <button type="button" class="ghost icon" aria-label="Help: the guided first trade" title="Guided first trade"
          onClick={() => { openGuide(); location.hash = "#/trade"; }}>?</button>
        <a class="icon" href="#/settings" aria-label="Settings" title="Settings" aria-current={location.hash === "#/settings" ? "page" : undefined}>⚙</a>
      </span>
    </header>
  );
}

/** Which account the screens trade and show: practice, each tournament joined, live, copies. */
function AccountSwitcher() {
  const accounts = useStore((s) => s.accounts);
  const tournaments = useStore((s) => s.tournaments);
  const current = useStore((s) => s.account?.account_id);
  const [error, setError] = useState<string | null>(null);
  if (accounts.length === 0) return null;
  const choose = (id: string) => {
    setError(null);
    switchAccount(id).catch((failure: unknown) => setError(errorText(failure)));
  };
  return (
    <div class="account-switch">
      <label for="account-switch" class="muted small">Account</label>
      <select id="account-switch" value={current} onChange={(e) => choose((e.target as HTMLSelectElement).value)}>
        {accounts.map((a) => <option key={a.account_id} value={a.account_id}>{accountLabel(a, tournaments)}</option>)}
      </select>
      {error && <span class="error small" role="alert">{error}</span>}
    </div>
  );
}
