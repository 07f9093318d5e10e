import cliProgress from 'cli-progress';

export interface Progress {
  /** Advances by `n` items; `extra` fields show in the bar and in JSON progress lines. */
  tick(n?: number, extra?: Record<string, number>): void;
  setTotal(total: number): void;
  stop(): void;
}

/**
 * A bar with rate and ETA on a terminal; elsewhere (pipes, CI) a JSON line on stderr every few seconds,
 * so logs stay readable and machines can follow along. stdout stays reserved for results.
 */
export function startProgress(label: string, total: number, fields: string[] = []): Progress {
  if (process.stderr.isTTY) return barProgress(label, total, fields);
  return lineProgress(label, total);
}

function barProgress(label: string, total: number, fields: string[]): Progress {
  const extras = fields.map((f) => ` | ${f} {${f}}`).join('');
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {value}/{total} | {rate}/s | ETA {eta_formatted}${extras}`,
      stream: process.stderr,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let done = 0;
  bar.start(total, 0, { rate: '0.0', ...Object.fromEntries(fields.map((f) => [f, 0])) });
  return {
    tick(n = 1, extra = {}) {
      done += n;
      const rate = (done / Math.max(0.001, (Date.now() - started) / 1000)).toFixed(1);
      bar.update(done, { rate, ...extra });
    },
    setTotal(t) {
      bar.setTotal(t);
    },
    stop() {
      bar.stop();
    },
  };
}

function lineProgress(label: string, initialTotal: number): Progress {
  const started = Date.now();
  let total = initialTotal;
  let done = 0;
  let last = 0;
  let extras: Record<string, number> = {};
  const emit = () => {
    const seconds = (Date.now() - started) / 1000;
    process.stderr.write(
      `${JSON.stringify({ progress: label, done, total, perSecond: Math.round((done / Math.max(seconds, 0.001)) * 10) / 10, ...extras })}\n`,
    );
  };
  return {
    tick(n = 1, extra = {}) {
      done += n;
      extras = { ...extras, ...extra };
      if (Date.now() - last > 5000) {
        last = Date.now();
        emit();
      }
    },
    setTotal(t) {
      total = t;
    },
    stop() {
      emit();
    },
  };
}
