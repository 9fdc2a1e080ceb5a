// Badges: a gallery (one's own on the progression page, with each token's mint status; a
// trader's on their profile), a badge's page (its medal, name, criteria, when it was earned,
// the level then, its status) with "Verify", which checks the signed credential right here
// in the browser against the platform's published key and reads its revocation bit. The
// badge's page is also its share page: its address opens without a login.
import { useEffect, useState } from "preact/hooks";
import { ApiError, errorText, get, post, signedIn } from "../api";
import {
  badgeHref, badgesOf, isTokenId, mintWords, publicJson, PublicError, samePath, shareUrl, trait,
  type AchievementDoc, type Badge, type Metadata, type OwnBadge,
} from "../badges";
import { useRoute } from "../route";
import { useStore } from "../store";
import type { Verification } from "../verify";

const day = (iso: string): string =>
  new Date(iso).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });

/** One's own badges, each with its token's mint status (the progression page). */
export function OwnBadges() {
  const [items, setItems] = useState<OwnBadge[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    get<{ items: OwnBadge[] }>("/badges/me").then((r) => setItems(r.items)).catch((f: unknown) => setError(errorText(f)));
  }, []);
  return (
    <section class="card" aria-label="Badges" data-testid="own-badges">
      <h2>Badges</h2>
      <p class="hint">Each achievement earns a badge with a credential signed by the platform: anyone can verify it, no login needed.</p>
      {error ? <p class="error" role="alert">{error}</p> : items === null ? <p class="muted">Loading badges…</p> : <Gallery items={items} />}
    </section>
  );
}

/** A trader's badges as the caller may see them (a profile); nothing when there are none to show. */
export function UserBadges({ username }: { username: string }) {
  const [items, setItems] = useState<Badge[] | null>(null);
  useEffect(() => {
    setItems(null);
    badgesOf(username).then((r) => setItems(r.items)).catch(() => setItems([]));
  }, [username]);
  if (!items || items.length === 0) return null;
  return (<><h3>Badges</h3><Gallery items={items} /></>);
}

export function Gallery({ items }: { items: (Badge | OwnBadge)[] }) {
  if (items.length === 0) return <p class="muted">None yet: your first close earns the first one.</p>;
  return (
    <ul class="badge-gallery" data-testid="badge-gallery">
      {items.map((b) => (
        <li key={b.token_id} data-testid={`badge-${b.achievement}`}>
          <a href={badgeHref(b.token_id)} class="badge-tile" aria-label={`${b.name} badge`}>
            <img src={samePath(b.image)} alt="" width={72} height={72} loading="lazy" />
            <strong>{b.name}</strong>
            <span class="small muted">{day(b.earned_at)} · level {b.level}</span>
            {b.revoked && <span class="tag revoked">revoked</span>}
            {"mint_status" in b && <span class="small muted" data-testid="mint-status" title={b.mint_note}>{mintWords(b.mint_status)}</span>}
          </a>
        </li>
      ))}
    </ul>
  );
}

/** The badge's page at #/badges/<token_id>: in the app when signed in, on its own when not. */
export function BadgeView() {
  const [, tokenId = ""] = useRoute();
  const valid = isTokenId(tokenId);
  const [meta, setMeta] = useState<Metadata | null>(null);
  const [criteria, setCriteria] = useState<string | null>(null);
  const [own, setOwn] = useState<OwnBadge | null>(null);
  const [missing, setMissing] = useState<string | null>(null);
  // The revocation is committed when its POST answers; the public record follows by event,
  // so the admin's page takes the answer's word until the record catches up.
  const [revokedHere, setRevokedHere] = useState(false);
  const read = () => {
    setMissing(null);
    publicJson<Metadata>(`/api/v1/badges/${tokenId}`)
      .then((m) => {
        setMeta(m);
        const achievement = trait(m, "achievement");
        if (achievement) {
          publicJson<AchievementDoc>(`/api/v1/badges/achievements/${encodeURIComponent(String(achievement))}`)
            .then((a) => setCriteria(a.criteria.narrative)).catch(() => setCriteria(null));
        }
      })
      .catch((f: unknown) => setMissing(f instanceof PublicError && f.status === 404 ? "No such badge: the link may be mistyped." : errorText(f)));
    if (signedIn()) {
      get<{ items: OwnBadge[] }>("/badges/me").then((r) => setOwn(r.items.find((b) => b.token_id === tokenId) ?? null)).catch(() => setOwn(null));
    }
  };
  useEffect(() => {
    setMeta(null);
    setCriteria(null);
    setOwn(null);
    setRevokedHere(false);
    if (valid) read();
  }, [tokenId]);

  if (!valid) return <p class="card error" role="alert">That is not a badge's address.</p>;
  if (missing) return <p class="card error" role="alert" data-testid="badge-missing">{missing}</p>;
  if (!meta) return <p class="muted">Loading the badge…</p>;
  const revoked = revokedHere || trait(meta, "status") === "revoked";
  const level = trait(meta, "level then");
  return (
    <div class="badge-page">
      <section class="card badge-card" aria-label="Badge" data-testid="badge-page">
        <img src={samePath(meta.image)} alt={`${meta.name} medal`} width={160} height={160} />
        <div>
          <h2 data-testid="badge-name">{meta.name}</h2>
          <p>{meta.description}</p>
          <dl class="figures wide">
            {criteria && (<><dt>Criteria</dt><dd data-testid="badge-criteria">{criteria}</dd></>)}
            <dt>Earned</dt><dd data-testid="badge-earned">{day(meta.earned_at)}</dd>
            {level !== undefined && (<><dt>Level then</dt><dd data-testid="badge-level">{level}</dd></>)}
            <dt>Status</dt><dd data-testid="badge-status" class={revoked ? "down" : "up"}>{revoked ? "Revoked" : "Active"}</dd>
            <dt>Transfers</dt><dd>None: soulbound</dd>
            {own && (<><dt>Token</dt><dd data-testid="badge-mint">{mintWords(own.mint_status)}<br /><span class="small muted">{own.mint_note}</span></dd></>)}
          </dl>
        </div>
      </section>
      <Verify credential={meta.credential} />
      <Share tokenId={tokenId} />
      <Revoke tokenId={tokenId} revoked={revoked} onDone={() => { setRevokedHere(true); read(); }} />
    </div>
  );
}

const VERDICT_WORDS = { valid: "Valid", revoked: "Revoked", invalid: "Invalid", unknown: "Could not be checked" } as const;

function Verify({ credential }: { credential: string }) {
  const [result, setResult] = useState<Verification | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => setResult(null), [credential]);
  const run = () => {
    setBusy(true);
    setResult(null);
    import("../verify")
      .then(({ verifyBadge }) => verifyBadge(credential))
      .then(setResult)
      .catch((f: unknown) => setResult({ verdict: "unknown", reason: f instanceof Error ? f.message : String(f) }))
      .finally(() => setBusy(false));
  };
  return (
    <section class="card" aria-label="Verification">
      <h3>Verification</h3>
      <p class="hint">Checks the Open Badges 3.0 credential here, in your browser: its Ed25519 signature against the key published at /.well-known/jwks.json, and its bit in the issuer's signed revocation list.</p>
      <button type="button" class="primary" onClick={run} disabled={busy}>{busy ? "Verifying…" : "Verify"}</button>
      {result && (
        <div role="status" class={`verdict ${result.verdict}`} data-testid="verdict" data-verdict={result.verdict}>
          <strong data-testid="verdict-word">{VERDICT_WORDS[result.verdict]}</strong>
          <p>{result.reason}</p>
          {result.kid && (
            <dl class="figures small">
              <dt>Issuer</dt><dd>{result.issuer}</dd>
              <dt>Algorithm</dt><dd>{result.algorithm}</dd>
              <dt>Key</dt><dd class="key-id">{result.kid}</dd>
              {result.validFrom && (<><dt>Valid from</dt><dd>{day(result.validFrom)}</dd></>)}
            </dl>
          )}
        </div>
      )}
      <p class="small"><a href={samePath(credential)} target="_blank" rel="noopener">The signed credential (VC-JWT)</a></p>
    </section>
  );
}

function Share({ tokenId }: { tokenId: string }) {
  const url = shareUrl(tokenId);
  const [copied, setCopied] = useState<string | null>(null);
  const copy = () => {
    navigator.clipboard.writeText(url).then(() => setCopied("Copied."), () => setCopied("Copy the address above."));
  };
  return (
    <section class="card" aria-label="Share">
      <h3>Share</h3>
      <p class="hint">Anyone can open this address, no login needed, and verify the badge themselves.</p>
      <div class="share-row">
        <input readOnly value={url} aria-label="Share address" data-testid="share-url" onFocus={(e) => (e.target as HTMLInputElement).select()} />
        <button type="button" onClick={copy}>Copy</button>
      </div>
      {copied && <p class="small muted" role="status">{copied}</p>}
    </section>
  );
}

/** Admins withdraw a badge: its credential's bit in the status list turns on. */
function Revoke({ tokenId, revoked, onDone }: { tokenId: string; revoked: boolean; onDone: () => void }) {
  const admin = useStore((s) => s.me?.role === "admin");
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  if (!admin || revoked) return null;
  const submit = (event: Event) => {
    event.preventDefault();
    setError(null);
    post(`/admin/badges/${tokenId}/revoke`, { reason: reason.trim() })
      .then(onDone)
      .catch((f: unknown) => setError(f instanceof ApiError && f.field ? `${f.field}: ${f.message}` : errorText(f)));
  };
  return (
    <form class="card stack" aria-label="Revoke" onSubmit={submit}>
      <h3>Revoke (admin)</h3>
      <label>Reason<input value={reason} maxLength={280} required onInput={(e) => setReason((e.target as HTMLInputElement).value)} /></label>
      <button type="submit">Revoke the badge</button>
      {error && <p class="error" role="alert">{error}</p>}
    </form>
  );
}

/** The share page for a signed-out visitor: the badge and its verification, no app around it. */
export function PublicBadge() {
  return (
    <div class="shell public-badge">
      <header class="top"><a class="brand" href="/">AstraTrade</a><a href="/">Log in or sign up</a></header>
      <main id="main" tabIndex={-1}><BadgeView /></main>
    </div>
  );
}
