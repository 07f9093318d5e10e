/**
 * Who is signed in, shared by every page. The server remains the judge of every request; this state
 * only decides what to show (navigation, "not permitted" pages) and where to send a lost session.
 */
import { useEffect, useState } from 'preact/hooks';
import { type ApiError, api, onSessionLost, setCsrf } from './api/client.js';
import type { SessionUser, WhoAmI } from './api/types.js';

export type SessionState =
  | { status: 'loading' }
  | { status: 'anonymous'; notice: string | null }
  | { status: 'signed-in'; user: SessionUser };

let state: SessionState = { status: 'loading' };
const listeners = new Set<(s: SessionState) => void>();

function set(next: SessionState): void {
  state = next;
  for (const l of listeners) l(next);
}

export function useSession(): SessionState {
  const [s, setS] = useState(state);
  useEffect(() => {
    listeners.add(setS);
    setS(state);
    return () => {
      listeners.delete(setS);
    };
  }, []);
  return s;
}

export function signedIn(user: SessionUser, csrfToken: string | null, csrfHeader?: string): void {
  setCsrf(csrfToken, csrfHeader);
  set({ status: 'signed-in', user });
}

/** Ends the local session; `notice` explains why on the sign-in page (expiry, idle, sign-out). */
export function signedOut(notice: string | null): void {
  setCsrf(null);
  set({ status: 'anonymous', notice });
}

onSessionLost((err: ApiError) => {
  if (state.status === 'signed-in') signedOut(err.message);
});

/** Asks the server whether the cookie still holds a session (first load, reload). */
export async function restoreSession(): Promise<void> {
  try {
    const who = await api.get<WhoAmI>('/api/v1/session');
    signedIn(who.user, who.csrfToken, who.csrfHeader);
  } catch (err) {
    const e = err as ApiError;
    // No cookie at all is the ordinary first visit; anything else (expired, idle) is worth saying.
    const quiet = e.status === 401 && /not signed in|sign in first/i.test(e.message);
    signedOut(quiet ? null : e.message);
  }
}

export async function signOut(): Promise<void> {
  try {
    await api.del('/api/v1/session');
  } finally {
    signedOut('You have signed out.');
  }
}
