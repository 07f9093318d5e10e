/** Lists several pages need: the purposes a search may give, and the galleries the caller can see. */
import { listOf } from '../components/common.js';
import { api } from './client.js';
import { EP } from './endpoints.js';
import type { GalleryInfo } from './types.js';

export async function fetchPurposes(signal?: AbortSignal): Promise<string[]> {
  return listOf<string>(await api.get<unknown>(EP.purposes, undefined, signal), 'purposes');
}

export async function fetchGalleries(signal?: AbortSignal): Promise<GalleryInfo[]> {
  return listOf<GalleryInfo>(await api.get<unknown>(EP.galleries, undefined, signal), 'galleries');
}

/** "child-sexual-abuse" → "Child sexual abuse". */
export function purposeLabel(p: string): string {
  const text = p.replace(/-/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
