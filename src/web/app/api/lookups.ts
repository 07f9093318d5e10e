/** Lists several pages need: the purposes a search may give, and the galleries the caller can see. */
import { api } from './client.js';
import { EP } from './endpoints.js';
import type { Answer, GalleryInfo } from './types.js';

export async function fetchPurposes(signal?: AbortSignal): Promise<string[]> {
  return (await api.get<Answer<'/api/v1/purposes', 'get'>>(EP.purposes, undefined, signal)).purposes;
}

export async function fetchGalleries(signal?: AbortSignal): Promise<GalleryInfo[]> {
  return (await api.get<Answer<'/api/v1/galleries', 'get'>>(EP.galleries, undefined, signal)).galleries;
}

/** "child-sexual-abuse" → "Child sexual abuse". */
export function purposeLabel(p: string): string {
  const text = p.replace(/-/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
