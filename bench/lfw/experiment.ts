/**
 * Tuning experiment on LFW View 1 (the development split, kept apart from View 2 so that choices are
 * not fitted to the reported test): `node dist/bench/lfw/experiment.js '{"flip":false}' [pairsFile]`.
 * With a single fold the accuracy is at the best threshold for that split.
 */
import { resolve } from 'node:path';
import { cosineSimilarity } from '../../src/vision/embed.js';
import { PipelinePool } from '../../src/vision/pool.js';
import { tarAtFar, tenFoldAccuracy } from './metrics.js';
import { readPairs } from './protocol.js';

const pipeline = JSON.parse(process.argv[2] ?? '{}');
const files = (process.argv[3] ?? 'pairsDevTrain.txt,pairsDevTest.txt').split(',');
const pairs = files.flatMap((file, fold) =>
  readPairs(resolve('../shared/datasets/lfw'), file).map((p) => ({ ...p, fold })),
);
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
