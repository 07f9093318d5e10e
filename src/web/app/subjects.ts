/** Names for audit actors and quota subjects, as people know them. */
import type { UserRow } from './api/types.js';

/** `user:<id>` → the user's e-mail where known; keys and unknown subjects stay as they are. */
export function subjectNamer(users: readonly UserRow[]): (subject: string) => string {
  const byId = new Map(users.map((u) => [u.id, u.email]));
  return (subject) => {
    const [kind, id] = subject.split(':', 2);
    if (kind === 'user' && id && byId.has(id)) return byId.get(id) as string;
    if (kind === 'apikey') return `API key ${id?.slice(-8) ?? ''}`;
    return subject;
  };
}
