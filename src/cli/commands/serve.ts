import { join } from 'node:path';
import type { Command } from 'commander';
import { projectRoot } from '../../core/project-paths.js';
import { loadServerConfig } from '../../server/config.js';
import { buildServer, servicesFor } from '../../server/server.js';
import { Sweeps } from '../../server/sweeps.js';
import type { GlobalOptions } from '../context.js';
import { openApp } from '../context.js';
import { wholeNumber } from '../option-parsers.js';

export function registerServe(program: Command, globals: () => GlobalOptions): void {
  program
    .command('serve')
    .description('Run the HTTP server (API under /api/v1, web app at /) on the embedded store.')
    .option('--config <file>', 'JSON config file (env FACELEDGER_* and these flags override it)')
    .option('--host <host>', 'interface to listen on (default 127.0.0.1)')
    .option('--port <port>', 'port (default 8080)', wholeNumber('--port'))
    .action(async (opts: { config?: string; host?: string; port?: number }) => {
      const options = globals();
      const config = loadServerConfig({
        ...(opts.config ? { file: opts.config } : {}),
        overrides: { host: opts.host, port: opts.port },
      });
      const app = openApp(options);
      const services = servicesFor(app, config);
      const server = await buildServer({
        app,
        config,
        services,
        webRoot: join(projectRoot(), 'dist', 'web'),
      });
      const sweeps = new Sweeps(
        [
          { name: 'lockouts', run: () => app.tenancy.auth.releaseExpiredLockouts() },
          { name: 'sessions', run: () => app.tenancy.auth.purgeExpired() },
          { name: 'audit-checkpoint', run: () => app.audit.checkpoint() },
          { name: 'alerts', run: () => services.alerts.scan() },
          { name: 'retention', run: () => services.retention.run() },
        ],
        server.log,
      );
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        server.log.info({ signal }, 'shutting down');
        await sweeps.stop();
        await server.close();
        await app.close();
        process.exit(0);
      };
      process.on('SIGINT', () => void stop('SIGINT'));
      process.on('SIGTERM', () => void stop('SIGTERM'));
      await server.listen({ host: config.host, port: config.port });
      sweeps.start(config.sweepMinutes);
    });
}
