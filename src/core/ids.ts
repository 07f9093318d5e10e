import { v7 } from 'uuid';

/** Opaque, time-ordered ids (UUIDv7): sortable for storage, unguessable enough for URLs, never sequential. */
export function newId(): string {
  return v7();
}
