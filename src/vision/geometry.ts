export type Point = readonly [number, number];

/** Axis-aligned box in pixels of the original image: top-left corner plus size. */
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** The five YuNet/ArcFace landmarks as seen in the image: left eye, right eye, nose, left and right mouth corner. */
export type Landmarks = readonly [Point, Point, Point, Point, Point];

export function area(b: Box): number {
  return Math.max(0, b.width) * Math.max(0, b.height);
}

export function iou(a: Box, b: Box): number {
  const x1 = Math.max(a.x, b.x);
  const y1 = Math.max(a.y, b.y);
  const x2 = Math.min(a.x + a.width, b.x + b.width);
  const y2 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = area(a) + area(b) - inter;
  return union > 0 ? inter / union : 0;
}

export function distance(a: Point, b: Point): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}
