import type { Box, Landmarks } from '../../vision/geometry.js';
import type { FaceQuality } from '../../vision/quality.js';

export interface Gallery {
  id: string;
  name: string;
  description: string;
  legalBasis: string;
  sourceDescription: string;
  retentionDays: number | null;
  createdBy: string;
  createdAt: string;
}

export interface ImageRecord {
  id: string;
  galleryId: string;
  sha256: string;
  location: string;
  sourceLink: string | null;
  subjectId: string | null;
  metadata: Record<string, string>;
  width: number;
  height: number;
  jobId: string | null;
  ingestedAt: string;
}

export interface NewFace {
  faceIndex: number;
  /** The face the image's subject id refers to. */
  isSubject: boolean;
  box: Box;
  landmarks: Landmarks;
  score: number;
  quality: FaceQuality;
  embedding: Float32Array;
  thumbnail: Uint8Array | null;
}

export interface FaceRecord {
  label: number;
  id: string;
  imageId: string;
  galleryId: string;
  faceIndex: number;
  box: Box;
  score: number;
  quality: FaceQuality;
  identityId: string | null;
}

export type ItemOutcome = 'enrolled' | 'duplicate' | 'no_face' | 'error';

export interface IngestJob {
  id: string;
  galleryId: string;
  source: string;
  sourceKind: string;
  status: 'running' | 'done' | 'failed';
  itemsDone: number;
  imagesEnrolled: number;
  facesEnrolled: number;
  duplicates: number;
  noFace: number;
  errors: number;
  facesFiltered: Record<string, number>;
  startedAt: string;
  updatedAt: string;
  finishedAt: string | null;
  createdBy: string;
}

export interface IngestItem {
  itemKey: string;
  location: string;
  outcome: ItemOutcome;
  errorCode: string | null;
  errorMessage: string | null;
  imageId: string | null;
  faces: number;
}

export interface Identity {
  id: string;
  galleryId: string;
  subjectId: string | null;
  faceCount: number;
  createdAt: string;
}
