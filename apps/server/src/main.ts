import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CONSOLE_DIST } from './http/console-static.ts';
import { ConfigError, loadConfig } from './config.ts';
import { startServer } from './server.ts';
import { databaseFile } from './adapters/sqlite/open.ts';
import { StartupRefused } from './ports/errors.ts';
import { InstanceLockRefused } from './ports/instance-lock.ts';
import { SecretKeyRefused } from './secret-key.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`invigil: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  let running;
  try {
    running = await startServer(config);
  } catch (e) {
    if (e instanceof InstanceLockRefused || e instanceof StartupRefused) {
      process.stderr.write(`invigil: ${e.message}\n`);
      process.exit(3);
    }
    if (e instanceof SecretKeyRefused) {
      process.stderr.write(`invigil: ${e.message}\n`);
      process.exit(4);
    }
    throw e;
  }
  // A human banner on stderr (logs are JSON on stdout). The generated password is shown once, never logged.
  const lines = [
    '',
    `  Invigil server listening on ${running.url}`,
    existsSync(join(CONSOLE_DIST, 'index.html'))
      ? `  Console:   ${running.url}/console/   (staff and admins sign in here)`
      : `  Console:   not built — run: npx --yes pnpm@10.34.8 --filter @invigil/console build`,
    `  API docs:  ${running.url}/api/docs`,
    `  Data:      ${databaseFile(running.dataDir)}`,
    running.generatedAdminPassword
      ? `  Admin:     ${running.adminUsername} / ${running.generatedAdminPassword}   (generated now, shown once: keep it)`
      : `  Admin:     ${running.adminUsername} (password as set on first start)`,
    '',
  ];
  process.stderr.write(lines.join('\n') + '\n');

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    running.log.info({ signal }, 'shutting down');
    void running.close().then(() => process.exit(0));
    setTimeout(() => process.exit(1), config.SHUTDOWN_GRACE_MS + 5_000).unref();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

void main().catch((err: unknown) => {
  process.stderr.write(`invigil: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
