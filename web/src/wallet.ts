// Starknet wallet sign-in with an injected wallet (get-starknet's `window.starknet`, as
// Argent X and Braavos provide): the server's SNIP-12 challenge is signed by the wallet.
import { post, setTokens } from "./api";
import type { Tokens } from "./types";

interface StarknetAccount {
  address: string;
  signMessage(typedData: unknown): Promise<string[] | { r: unknown; s: unknown }>;
  signer?: { getPubKey?: () => Promise<string> };
  callContract?: (call: { contractAddress: string; entrypoint: string; calldata: string[] }) => Promise<string[] | { result: string[] }>;
}

interface InjectedStarknet {
  enable(options?: unknown): Promise<unknown>;
  account?: StarknetAccount;
  selectedAddress?: string;
}

declare global {
  interface Window {
    starknet?: InjectedStarknet;
  }
}

export const walletPresent = (): boolean => typeof window.starknet?.enable === "function";

export async function signInWithWallet(): Promise<void> {
  const wallet = window.starknet!;
  await wallet.enable();
  const account = wallet.account;
  if (!account?.address) throw new Error("The wallet did not share an account.");
  const challenge = await post<{ nonce: string; typed_data: unknown }>("/auth/wallet/challenge", {
    address: account.address,
  });
  const signed = await account.signMessage(challenge.typed_data);
  const signature = Array.isArray(signed) ? signed.map(String) : [String(signed.r), String(signed.s)];
  const answer = await post<Tokens & { access_token: string | null }>("/auth/wallet/verify", {
    address: account.address,
    nonce: challenge.nonce,
    signature,
    public_key: await publicKey(account),
  });
  if (!answer.access_token) throw new Error("This wallet is not linked to an AstraTrade account yet.");
  setTokens(answer);
}

/** The account's Stark public key: from the wallet's signer, else from the account contract. */
async function publicKey(account: StarknetAccount): Promise<string> {
  const fromSigner = await account.signer?.getPubKey?.().catch(() => undefined);
  if (fromSigner) return fromSigner;
  for (const entrypoint of ["get_public_key", "getPublicKey"]) {
    const answer = await account
      .callContract?.({ contractAddress: account.address, entrypoint, calldata: [] })
      .catch(() => undefined);
    const result = Array.isArray(answer) ? answer : answer?.result;
    if (result?.[0]) return result[0];
  }
  throw new Error("The wallet did not share its public key.");
}
