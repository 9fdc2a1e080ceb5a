// A live account's connection to its Extended sub-account (PUT, GET and DELETE
// /accounts/{id}/venue; docs/live-venue.md). The trader gives the API key, vault and Stark
// key pair; the API checks them with Extended and answers only the vault, the public key
// and when. The private key never comes back: its field is a password field, emptied after
// every submit, so it is not left on screen whatever the answer.
import { useEffect, useState } from "preact/hooks";
import { ApiError, del, errorText, get, put } from "../api";
import type { Account } from "../types";

interface VenueLink {
  account_id: string;
  venue: string;
  venue_account_id: number;
  vault_id: number;
  stark_public_key: string;
  connected_at: string;
}

type Field = "api_key" | "vault_id" | "stark_public_key" | "stark_private_key";
const LABELS: Record<Field, string> = {
  api_key: "API key",
  vault_id: "Vault id",
  stark_public_key: "Stark public key",
  stark_private_key: "Stark private key",
};
const isField = (name: string | undefined): name is Field => name !== undefined && name in LABELS;

// The platform keeps the keys sealed under its secrets key; without one it refuses to take
// any (409 venue_unavailable), whichever account asks.
const NOT_SET_UP =
  "Connecting to Extended is not available on this platform yet: it has no key to keep your Extended keys sealed, so it takes none. Ask the platform's operator.";
const UNREACHABLE = "Extended could not be reached, so nothing was checked or saved. Try again in a moment.";

const venuePath = (account: Account) => `/accounts/${encodeURIComponent(account.account_id)}/venue`;
const when = (iso: string) => new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });

/** The API's words about a field, with the fields it names called as the form labels them. */
function fieldWords(field: Field, message: string): string {
  let text = message;
  for (const [name, label] of Object.entries(LABELS)) text = text.replaceAll(name, label);
  const said = /^[a-z]/.test(text) ? `${LABELS[field]} ${text}` : text; // "is not …", "must be …"
  return /[.!?]$/.test(said) ? said : `${said}.`;
}

/** What to tell the trader for a refusal that names no field of the form. */
function refusalWords(failure: unknown): string {
  if (failure instanceof ApiError && failure.code === "venue_unavailable") return NOT_SET_UP;
  if (failure instanceof ApiError && failure.status === 503) return UNREACHABLE;
  return errorText(failure);
}

export function VenueLinkCard({ account }: { account: Account }) {
  const [link, setLink] = useState<VenueLink | null | undefined>(undefined); // undefined: asking
  const [refusal, setRefusal] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  useEffect(() => {
    get<VenueLink>(venuePath(account))
      .then(setLink)
      .catch((failure: unknown) => {
        setLink(null);
        if (!(failure instanceof ApiError && failure.status === 404)) setRefusal(refusalWords(failure)); // 404: not connected
      });
  }, [account.account_id]);
  return (
    <section class="card" aria-label="Extended connection" data-testid="venue-link">
      <h2>Extended connection · Live account</h2>
      {link === undefined && <p class="muted">Asking whether this account is connected…</p>}
      {link && <Connected account={account} link={link} onDisconnected={() => { setLink(null); setDone("Disconnected: your API key and Stark private key are deleted."); }} />}
      {link === null && (
        <ConnectForm account={account} unavailable={refusal === NOT_SET_UP} onTry={() => setDone(null)} onConnected={(made) => { setRefusal(null); setDone("Connected to Extended."); setLink(made); }} />
      )}
      {refusal && link === null && <p class="error" role="alert" data-testid="venue-refusal">{refusal}</p>}
      {done && <p class="ok" role="status" data-testid="venue-result">{done}</p>}
    </section>
  );
}

function Connected({ account, link, onDisconnected }: { account: Account; link: VenueLink; onDisconnected: () => void }) {
  const [confirm, setConfirm] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const disconnect = () => {
    setError(null);
    del(venuePath(account))
      .then(onDisconnected)
      .catch((failure: unknown) => setError(refusalWords(failure)));
  };
  return (
    <>
      <dl class="figures wide" data-testid="venue-connected">
        <dt>Sub-account</dt><dd data-testid="venue-account">{link.venue_account_id}</dd>
        <dt>Vault</dt><dd data-testid="venue-vault">{link.vault_id}</dd>
        <dt>Stark public key</dt><dd class="key-id" data-testid="venue-public-key">{link.stark_public_key}</dd>
        <dt>Connected</dt><dd data-testid="venue-connected-at">{when(link.connected_at)}</dd>
      </dl>
      <p class="hint">Your API key and Stark private key are kept sealed and are never shown again. Orders on this live account are signed with your key and sent to Extended; fills come back from Extended's account stream. To use other keys, disconnect and connect them.</p>
      {!confirm && <button type="button" onClick={() => setConfirm(true)}>Disconnect</button>}
      {confirm && (
        <p class="confirm-row">Disconnect from Extended? Your API key and Stark private key are deleted here; to connect again you enter them anew.
          <button type="button" class="mini" onClick={disconnect}>Disconnect now</button>
          <button type="button" class="mini ghost" onClick={() => setConfirm(false)}>Cancel</button>
        </p>
      )}
      {error && <p class="error" role="alert">{error}</p>}
    </>
  );
}

function ConnectForm({ account, unavailable, onTry, onConnected }: { account: Account; unavailable: boolean; onTry: () => void; onConnected: (link: VenueLink) => void }) {
  const [values, setValues] = useState<Record<Field, string>>({ api_key: "", vault_id: "", stark_public_key: "", stark_private_key: "" });
  const [problems, setProblems] = useState<Partial<Record<Field, string>>>({});
  const [refusal, setRefusal] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (field: Field, value: string) => setValues((now) => ({ ...now, [field]: value }));

  async function connect(event: Event) {
    event.preventDefault();
    setBusy(true);
    setProblems({});
    setRefusal(null);
    onTry(); // an earlier "Disconnected" no longer says what happened last
    const vault = values.vault_id.trim();
    // A vault id is a whole number; anything else goes as typed, for the API to name.
    const vaultId = /^\d+$/.test(vault) && Number.isSafeInteger(Number(vault)) ? Number(vault) : vault;
    const body = { api_key: values.api_key.trim(), vault_id: vaultId, stark_public_key: values.stark_public_key.trim(), stark_private_key: values.stark_private_key.trim() };
    set("stark_private_key", ""); // never left on screen, whatever the answer
    try {
      const made = await put<VenueLink>(venuePath(account), body);
      setValues({ api_key: "", vault_id: "", stark_public_key: "", stark_private_key: "" });
      onConnected(made);
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 422 && isField(failure.field)) {
        setProblems({ [failure.field]: fieldWords(failure.field, failure.message) });
      } else {
        setRefusal(refusalWords(failure));
      }
    } finally {
      setBusy(false);
    }
  }

  if (unavailable) return null; // the card says why; a form that can only be refused helps nobody
  // The field's error beside its label, not in it: the label alone names the field.
  const input = (field: Field, extra: Record<string, string>) => (
    <>
      <label>{LABELS[field]}
        <input name={field} value={values[field]} autoComplete="off" spellcheck={false} required
          aria-invalid={problems[field] ? true : undefined} aria-describedby={problems[field] ? `venue-${field}-error` : undefined}
          onInput={(e) => set(field, (e.target as HTMLInputElement).value)} {...extra} />
      </label>
      {problems[field] && <span class="error small" id={`venue-${field}-error`} data-testid={`venue-error-${field}`}>{problems[field]}</span>}
    </>
  );
  return (
    <>
      <p class="hint">Connect this live account to your Extended sub-account: its API key, its vault id and its Stark key pair, as Extended gives them for that sub-account. AstraTrade checks with Extended that they belong together, then keeps the API key and the private key sealed; they are never shown again.</p>
      <form class="stack" onSubmit={(e) => void connect(e)} aria-label="Connect to Extended">
        {input("api_key", {})}
        {input("vault_id", { inputMode: "numeric" })}
        {input("stark_public_key", { placeholder: "0x…" })}
        {input("stark_private_key", { type: "password", placeholder: "0x…" })}
        <div class="right"><button type="submit" class="primary" disabled={busy}>Connect to Extended</button></div>
      </form>
      {refusal && <p class="error" role="alert" data-testid="venue-refusal">{refusal}</p>}
    </>
  );
}
