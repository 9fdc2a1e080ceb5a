// Checks a badge's Open Badges 3.0 credential in the browser, trusting nothing the page
// was told: the VC-JWT's Ed25519 signature against the platform's published JWK set (with
// `jose`, never hand-written crypto), that it is this badge's credential and in its
// validity window, then its revocation bit in the holder's Bitstring Status List, whose
// own signature is checked the same way. Loaded only when "Verify" is pressed (its own
// chunk: the first screen does not carry it).
import { base64url, createLocalJWKSet, errors, jwtVerify, type JSONWebKeySet, type JWTPayload } from "jose";
import { publicFetch, samePath } from "./badges";

export type Verdict = "valid" | "revoked" | "invalid" | "unknown";

export interface Verification {
  verdict: Verdict;
  reason: string; // what was found, in words
  issuer?: string;
  kid?: string;
  algorithm?: string;
  validFrom?: string;
  achievement?: string;
  criteria?: string;
}

const JWKS_PATH = "/.well-known/jwks.json";
const VERIFY = { algorithms: ["EdDSA", "Ed25519"], typ: "vc+jwt" };
const LIST_BITS = 131_072;

interface StatusEntry {
  type?: string;
  statusPurpose?: string;
  statusListIndex?: string;
  statusListCredential?: string;
}

interface Credential extends JWTPayload {
  type?: string[];
  issuer?: { id?: string; name?: string };
  validFrom?: string;
  validUntil?: string;
  credentialSubject?: { achievement?: { name?: string; criteria?: { narrative?: string } } };
  credentialStatus?: StatusEntry;
}

/** Verify the credential at `credentialUrl` (the badge's, from its metadata). */
export async function verifyBadge(credentialUrl: string, now = new Date()): Promise<Verification> {
  let jwt: string;
  let keys: ReturnType<typeof createLocalJWKSet>;
  try {
    const [credential, jwks] = await Promise.all([
      publicFetch(credentialUrl, "application/vc+jwt").then((r) => r.text()),
      publicFetch(JWKS_PATH).then((r) => r.json() as Promise<JSONWebKeySet>),
    ]);
    jwt = credential.trim();
    keys = createLocalJWKSet(jwks);
  } catch (failure) {
    return { verdict: "unknown", reason: `The credential or the platform's key could not be read: ${message(failure)}` };
  }

  let payload: Credential;
  let header: { kid?: string; alg?: string };
  try {
    const checked = await jwtVerify<Credential>(jwt, keys, VERIFY);
    payload = checked.payload;
    header = checked.protectedHeader;
  } catch (failure) {
    return { verdict: "invalid", reason: signatureWords(failure) };
  }
  const facts = {
    issuer: payload.issuer?.name,
    kid: header.kid,
    algorithm: header.alg,
    validFrom: payload.validFrom,
    achievement: payload.credentialSubject?.achievement?.name,
    criteria: payload.credentialSubject?.achievement?.criteria?.narrative,
  };
  const invalid = (reason: string): Verification => ({ verdict: "invalid", reason, ...facts });

  if (!payload.type?.includes("OpenBadgeCredential")) return invalid("It is not an Open Badges credential.");
  if (typeof payload.id !== "string" || samePath(payload.id) !== samePath(credentialUrl)) {
    return invalid("The signature is good, but the credential is another badge's.");
  }
  if (!payload.validFrom || !(Date.parse(payload.validFrom) <= now.getTime())) return invalid("It is not valid yet.");
  if (payload.validUntil && Date.parse(payload.validUntil) < now.getTime()) return invalid("It has expired.");

  const status = payload.credentialStatus;
  if (!status) return { verdict: "valid", reason: "Signed by the platform's key; it names no revocation list.", ...facts };
  try {
    const revoked = await revokedIn(status, keys, payload.issuer?.id);
    return revoked
      ? { verdict: "revoked", reason: "Signed by the platform's key, and revoked: its bit is set in the issuer's signed status list.", ...facts }
      : { verdict: "valid", reason: "Signed by the platform's key; not revoked (checked in the issuer's signed status list).", ...facts };
  } catch (failure) {
    return { verdict: "unknown", reason: `The signature is good, but the revocation status could not be checked: ${message(failure)}`, ...facts };
  }
}

/** The entry's bit in its Bitstring Status List credential, itself signature-checked. */
async function revokedIn(entry: StatusEntry, keys: ReturnType<typeof createLocalJWKSet>, issuer?: string): Promise<boolean> {
  if (entry.type !== "BitstringStatusListEntry" || entry.statusPurpose !== "revocation" || !entry.statusListCredential) {
    throw new Error("the credential's status entry is not a revocation list entry");
  }
  const index = Number(entry.statusListIndex);
  if (!Number.isInteger(index) || index < 0 || index >= LIST_BITS) throw new Error("the status index is out of range");
  const jwt = (await (await publicFetch(entry.statusListCredential, "application/vc+jwt")).text()).trim();
  const { payload } = await jwtVerify<{
    type?: string[];
    issuer?: { id?: string };
    credentialSubject?: { statusPurpose?: string; encodedList?: string };
  }>(jwt, keys, VERIFY).catch(() => {
    throw new Error("the status list's signature does not match the platform's key");
  });
  if (payload.id !== entry.statusListCredential || !payload.type?.includes("BitstringStatusListCredential")) {
    throw new Error("the status list is not the one the credential names");
  }
  if (issuer && payload.issuer?.id !== issuer) throw new Error("the status list has another issuer");
  const subject = payload.credentialSubject;
  if (subject?.statusPurpose !== "revocation" || !subject.encodedList?.startsWith("u")) {
    throw new Error("the status list is not a revocation list");
  }
  const bits = await gunzip(base64url.decode(subject.encodedList.slice(1)));
  if (bits.length * 8 <= index) throw new Error("the status list is shorter than its index");
  return (bits[index >> 3]! & (0x80 >> (index & 7))) !== 0;
}

async function gunzip(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as BlobPart]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function signatureWords(failure: unknown): string {
  if (failure instanceof errors.JWSSignatureVerificationFailed) return "The signature does not match the platform's key: the credential was changed.";
  if (failure instanceof errors.JWKSNoMatchingKey) return "No key the platform publishes signed it.";
  if (failure instanceof errors.JOSEAlgNotAllowed) return "It is signed with an algorithm other than Ed25519.";
  return `It is not a well-formed signed credential (${message(failure)}).`;
}

const message = (failure: unknown): string => (failure instanceof Error ? failure.message : String(failure));
