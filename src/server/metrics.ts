/**
 * Prometheus metrics, one registry per server (tests run several in one process). Labels carry route
 * patterns and outcomes only — never ids, case numbers or people.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly latency: Histogram<'method' | 'route'>;
  readonly searches: Counter<'outcome'>;
  readonly ingestedImages: Counter;
  readonly ingestedFaces: Counter;

  /** Counts what an ingest enrolled since its last report. */
  readonly countEnrolled = (added: { images: number; faces: number }): void => {
    this.ingestedImages.inc(added.images);
    this.ingestedFaces.inc(added.faces);
  };

  constructor(indexSize: () => number) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'faceledger_http_requests_total',
      help: 'HTTP requests by route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.latency = new Histogram({
      name: 'faceledger_http_request_duration_seconds',
      help: 'HTTP request latency by route pattern',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.searches = new Counter({
      name: 'faceledger_searches_total',
      help: 'Case-bound searches by outcome (match, no-match, refused)',
      labelNames: ['outcome'],
      registers,
    });
    this.ingestedImages = new Counter({
      name: 'faceledger_ingest_images_total',
      help: 'Images enrolled by ingest jobs run by this server',
      registers,
    });
    this.ingestedFaces = new Counter({
      name: 'faceledger_ingest_faces_total',
      help: 'Faces enrolled by ingest jobs run by this server',
      registers,
    });
    new Gauge({
      name: 'faceledger_index_faces',
      help: 'Faces held in all gallery indexes',
      registers,
      collect() {
        this.set(indexSize());
      },
    });
  }
}
