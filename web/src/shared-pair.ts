// The token pair as the tabs read it under the refresh lock. Each tab's localStorage is a
// cache in its own process that catches up a moment after another tab writes: a tab taking
// the lock just as another releases it, having rotated the pair, can still read the old
// pair there, and presenting that refresh token again would end the login (the server
// revokes a family whose token is reused). IndexedDB is one store behind every tab: what a
// tab committed before releasing the lock is what the next holder reads.
const DATABASE = "astratrade";
const STORE = "session";
const KEY = "tokens";

let opened: Promise<IDBDatabase | null> | undefined;

function database(): Promise<IDBDatabase | null> {
  opened ??= new Promise((resolve) => {
    try {
      const request = indexedDB.open(DATABASE, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE);
      request.onsuccess = () => resolve(request.result);
      // Without IndexedDB (some private modes) localStorage is all the tabs share.
      request.onerror = request.onblocked = () => resolve(null);
    } catch {
      resolve(null);
    }
  });
  return opened;
}

/** The pair a tab last stored, or null (none, or no IndexedDB). */
export async function readSharedPair<T>(): Promise<T | null> {
  const db = await database();
  if (!db) return null;
  return new Promise((resolve) => {
    try {
      const request = db.transaction(STORE).objectStore(STORE).get(KEY);
      request.onsuccess = () => resolve((request.result as T | undefined) ?? null);
      request.onerror = () => resolve(null);
    } catch {
      resolve(null);
    }
  });
}

/** Store the pair (null removes it); resolved once committed, so a refresh that awaits it
 * under the lock hands this pair to the tab that takes the lock next. */
export async function writeSharedPair<T>(pair: T | null): Promise<void> {
  const db = await database();
  if (!db) return;
  await new Promise<void>((resolve) => {
    try {
      const transaction = db.transaction(STORE, "readwrite");
      if (pair) transaction.objectStore(STORE).put(pair, KEY);
      else transaction.objectStore(STORE).delete(KEY);
      transaction.oncomplete = transaction.onerror = transaction.onabort = () => resolve();
    } catch {
      resolve();
    }
  });
}
