// A cursor-paged list (docs/social.md: `?cursor=&limit=`, `next_cursor` null on the last
// page): the first page when the path changes, older pages on "Load more".
import { useEffect, useRef, useState } from "preact/hooks";
import { errorText, get } from "./api";
import { paged, type Page } from "./social";

export interface Paged<T> {
  items: T[];
  setItems: (change: (items: T[]) => T[]) => void;
  more: (() => void) | null; // null on the last page
  reload: () => void;
  loading: boolean;
  error: string | null;
}

/** The pages of `path` (null: nothing to read). `first` says how the first page meets what
 * is shown (a live feed keeps what was pushed meanwhile); by default it replaces it. */
export function usePages<T>(path: string | null, limit = 20, first = (page: T[], _before: T[]) => page): Paged<T> {
  const [items, setAll] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const current = useRef(path); // an answer for a path left meanwhile is dropped

  const load = (from: string | null) => {
    if (path === null) return;
    setLoading(true);
    get<Page<T>>(paged(path, from, limit))
      .then((page) => {
        if (current.current !== path) return;
        setAll((before) => (from === null ? first(page.items, before) : [...before, ...page.items]));
        setCursor(page.next_cursor);
        setError(null);
      })
      .catch((failure: unknown) => current.current === path && setError(errorText(failure)))
      .finally(() => current.current === path && setLoading(false));
  };

  useEffect(() => {
    current.current = path;
    setAll([]);
    setCursor(null);
    load(null);
  }, [path]);

  return {
    items,
    setItems: (change) => setAll((before) => change(before)),
    more: cursor ? () => load(cursor) : null,
    reload: () => load(null),
    loading,
    error,
  };
}

/** The list's "Load more" (or nothing on the last page). */
export function MoreButton({ list, label = "Load more" }: { list: Pick<Paged<unknown>, "more" | "loading">; label?: string }) {
  if (!list.more) return null;
  return <button type="button" class="ghost more" disabled={list.loading} onClick={list.more}>{label}</button>;
}
