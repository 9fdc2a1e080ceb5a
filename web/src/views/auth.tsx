// Sign up, log in, or sign in with a Starknet wallet (the button shows only when one is injected).
// A browser that has signed someone in before opens on "Log in"; a session that ended on its
// own (signed out elsewhere, password changed) says so here.
import { useState } from "preact/hooks";
import { ApiError, errorText, logIn, post, returningUser, sessionNotice } from "../api";
import { signInWithWallet, walletPresent } from "../wallet";

const SIGNED_UP_BUT_NOT_IN =
  "Signing you in failed. If this email already had an account, no new one was made: " +
  "log in to that one, with its username or this email.";

export function AuthView() {
  const [mode, setMode] = useState<"login" | "register">(returningUser() || sessionNotice() ? "login" : "register");
  const notice = sessionNotice();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const username = String(form.get("username") ?? "").trim();
    const password = String(form.get("password") ?? "");
    setBusy(true);
    setError(null);
    try {
      if (mode === "register") {
        await post("/auth/register", { email: String(form.get("email") ?? "").trim(), username, password });
      }
      await logIn(username, password);
    } catch (failure) {
      // Sign-up answers alike whether the email is new or already has an account (it never
      // says which); only in the second case does the log-in that follows it fail.
      const afterSignUp = mode === "register" && failure instanceof ApiError && failure.status === 401;
      setError(afterSignUp ? SIGNED_UP_BUT_NOT_IN : errorText(failure));
    } finally {
      setBusy(false);
    }
  }

  async function wallet() {
    setError(null);
    try {
      await signInWithWallet();
    } catch (failure) {
      setError(failure instanceof Error && !("status" in failure) ? failure.message : errorText(failure));
    }
  }

  return (
    <main class="auth">
      <h1>AstraTrade</h1>
      <p class="lead">Practise perpetual futures with $10,000 of virtual dollars. Earn XP for disciplined trading and unlock higher leverage as you prove you manage risk.</p>
      <div class="switch" role="tablist" aria-label="Sign in or sign up">
        <button type="button" role="tab" aria-selected={mode === "register"} onClick={() => setMode("register")}>Sign up</button>
        <button type="button" role="tab" aria-selected={mode === "login"} onClick={() => setMode("login")}>Log in</button>
      </div>
      {notice && <p class="notice" role="status" data-testid="session-notice">{notice}</p>}
      <form onSubmit={submit} class="card stack">
        {mode === "register" && (
          <label>Email<input name="email" type="email" autoComplete="email" required /></label>
        )}
        <label>{mode === "login" ? "Username or email" : "Username"}<input name="username" autoComplete="username" required /></label>
        <label>Password<input name="password" type="password" autoComplete={mode === "login" ? "current-password" : "new-password"} required minLength={8} /></label>
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" class="primary" disabled={busy}>{mode === "login" ? "Log in" : "Create account"}</button>
      </form>
      {walletPresent() && (
        <button type="button" class="wallet" onClick={() => void wallet()}>Sign in with Starknet wallet</button>
      )}
    </main>
  );
}
