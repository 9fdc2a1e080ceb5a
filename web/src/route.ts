// Where the hash points: a screen and its parts (#/profile/ann → ["profile", "ann"]), so a
// profile or a market feed has an address of its own (linked, bookmarked, back and forth).
import { useEffect, useState } from "preact/hooks";

export function routeParts(): string[] {
  return location.hash.replace(/^#\/?/, "").split("/").filter(Boolean).map((part) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part; // a hand-typed "%" stays as typed
    }
  });
}

/** The route's parts, re-read on every hash change. */
export function useRoute(): string[] {
  const [parts, setParts] = useState(routeParts());
  useEffect(() => {
    const follow = () => setParts(routeParts());
    window.addEventListener("hashchange", follow);
    return () => window.removeEventListener("hashchange", follow);
  }, []);
  return parts;
}

export const hrefOf = (...parts: string[]): string => `#/${parts.map(encodeURIComponent).join("/")}`;
