/**
 * Periodic housekeeping while the server runs: lift expired lockouts (auditing each unlock), drop old
 * sessions and one-time tokens, and whatever else the shell adds (retention purge, alert scans). Each
 * job runs alone and its failure is logged, never fatal: a purge that fails today runs again next time.
 */
import type { FastifyBaseLogger } from 'fastify';

export interface SweepJob {
  readonly name: string;
  readonly run: () => unknown;
}

export class Sweeps {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(
    private readonly jobs: readonly SweepJob[],
    private readonly log: FastifyBaseLogger,
  ) {}

  /** Runs every job once now, then every `minutes` (0: only when `runOnce` is called). */
  start(minutes: number): void {
    if (minutes <= 0) return;
    void this.runOnce();
    this.#timer = setInterval(() => void this.runOnce(), minutes * 60_000);
    this.#timer.unref();
  }

  runOnce(): Promise<void> {
    this.#running ??= (async () => {
      for (const job of this.jobs) {
        try {
          const result = await job.run();
          this.log.info({ sweep: job.name, result }, 'sweep done');
        } catch (err) {
          this.log.error({ sweep: job.name, err }, 'sweep failed');
        }
      }
    })().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#running;
  }
}
