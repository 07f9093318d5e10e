/** Quick accuracy experiment on the pairs images only: `node dist/bench/lfw/experiment.js '{"flip":false}'`. */
import { resolve } from 'node:path';
import { cosineSimilarity } from '../../src/vision/embed.js';
import { PipelinePool } from '../../src/vision/pool.js';
import { tarAtFar, tenFoldAccuracy } from './metrics.js';
import { readPairs } from './protocol.js';

const pipeline = JSON.parse(process.argv[2] ?? '{}');
const pairs = readPairs(resolve('../shared/datasets/lfw'));
const images = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
const pool = await PipelinePool.start({ pipeline });
const t0 = performance.now();
const emb = new Map<string, Float32Array | null>();
await Promise.all(
  images.map(async (path) => {
    const a = await pool.analyzeFile(path, { embed: 'central' }).catch(() => null);
    emb.set(path, a?.faces.find((f) => f.embedding)?.embedding ?? null);
  }),
);
const secs = (performance.now() - t0) / 1000;
await pool.close();
const scored = pairs.map((p) => {
  const a = emb.get(p.a);
  const b = emb.get(p.b);
  return { fold: p.fold, same: p.same, score: a && b ? cosineSimilarity(a, b) : null };
});
const acc = tenFoldAccuracy(scored);
console.log(
  JSON.stringify({
    pipeline,
    acc: acc.mean,
    std: acc.std,
    tar1e3: tarAtFar(scored, 1e-3).tar,
    missing: scored.filter((s) => s.score === null).length,
    imgPerSec: images.length / secs,
  }),
);
