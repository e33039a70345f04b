/**
 * `kiosk:preview`: the kiosk's exam UI in an ordinary browser, against the REAL agent — no Electron,
 * no lockdown. Runs @invigil/agent (file secret store) in this Node process, serves the built renderer
 * on http://127.0.0.1 with the preview bridge (bridge-client.ts) standing in for the preload, and
 * opens Debian's Chromium when there is one and a display (else prints the URL).
 *
 *   node --import tsx src/preview/main.ts [--server URL] [--data-dir DIR] [--port N] [--renderer-dir DIR] [--no-open] [--fake-platform] [--fake-displays N] [--staff-code-hash=HASH] [--server-public-key=KEY]
 *
 * Environment: INVIGIL_SERVER_URL, INVIGIL_PREVIEW_DATA_DIR, INVIGIL_PREVIEW_PORT, INVIGIL_PREVIEW_STAFF_CODE_HASH (same meanings).
 * `--staff-code-hash` (a `quit-code-hash` output, as in kiosk.json): changing the server then needs
 * that staff code, checked and rate limited by the same quit gate main uses.
 * --server-public-key: kiosk.json's serverPublicKey (offline staff codes and bundles); give it as
 * `--server-public-key=KEY` (a base64url key may begin with "-", which a separate argument cannot); bundles the
 * preview "saves to a USB stick" go to <data-dir>/../usb/ (there is no save dialog here).
 * Prints `PREVIEW_URL=<url>` on stdout once it listens; Ctrl-C (SIGINT/SIGTERM) closes the agent cleanly.
 */
import { createAgent, FileSecretStore, type AgentLogger } from '@invigil/agent';
import { fakePlatform } from '@invigil/agent/testing';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { transform } from 'esbuild';
import { QuitAttemptLimiter } from '../main/policy/quit-code.ts';
import { QuitGate } from '../main/policy/quit-gate.ts';
import { createPreviewServer } from './preview-server.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const KIOSK_DIR = resolve(HERE, '../..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const { values: args } = parseArgs({
  options: {
    server: { type: 'string' },
    'data-dir': { type: 'string' },
    port: { type: 'string' },
    'renderer-dir': { type: 'string' },
    'no-open': { type: 'boolean', default: false },
    'fake-platform': { type: 'boolean', default: false },
    'fake-displays': { type: 'string' },
    'staff-code-hash': { type: 'string' },
    'server-public-key': { type: 'string' },
  },
});

const serverUrl = args.server ?? process.env.INVIGIL_SERVER_URL;
const dataDir = resolve(args['data-dir'] ?? process.env.INVIGIL_PREVIEW_DATA_DIR ?? join(KIOSK_DIR, '.tmp/preview'));
const port = Number(args.port ?? process.env.INVIGIL_PREVIEW_PORT ?? 5174);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  process.stderr.write(`invalid port: ${args.port ?? process.env.INVIGIL_PREVIEW_PORT}\n`);
  process.exit(2);
}
const rendererDir = resolve(args['renderer-dir'] ?? join(KIOSK_DIR, 'dist/renderer'));
if (!existsSync(join(rendererDir, 'index.html'))) {
  process.stderr.write(`the renderer is not built (${rendererDir}); run: npx --yes pnpm@10.34.8 --filter @invigil/kiosk build:renderer\n`);
  process.exit(2);
}

const log: AgentLogger = {
  debug: () => {},
  info: (msg, data) => process.stderr.write(`agent: ${msg}${data ? ` ${JSON.stringify(data)}` : ''}\n`),
  warn: (msg, data) => process.stderr.write(`agent WARN: ${msg}${data ? ` ${JSON.stringify(data)}` : ''}\n`),
  error: (msg, data) => process.stderr.write(`agent ERROR: ${msg}${data ? ` ${JSON.stringify(data)}` : ''}\n`),
};

const staffCodeHash = args['staff-code-hash'] ?? process.env.INVIGIL_PREVIEW_STAFF_CODE_HASH;
const staffGate = new QuitGate(staffCodeHash ?? null, new QuitAttemptLimiter(), Date.now);

const serverPublicKey = args['server-public-key'];
const agent = await createAgent({
  ...(serverUrl ? { serverUrl } : {}),
  ...(serverPublicKey ? { serverPublicKey } : {}),
  dataDir,
  // The key that seals the device key and session lives beside (not inside) the agent's folder.
  secretStore: new FileSecretStore(join(dirname(dataDir), `${dataDir.split(/[\\/]/).pop()}.secret.key`)),
  // --fake-platform: one display, no processes, no VM hints (deterministic checks for tests);
  // --fake-displays N: the same with N displays (to see a failing check).
  ...(args['fake-platform'] || args['fake-displays'] ? { platform: fakePlatform({ displays: Number(args['fake-displays'] ?? 1) }) } : {}),
  ...(staffCodeHash ? { staffCheck: (code: string) => staffGate.check(code) } : {}),
  log,
});

const bridge = await transform(await readFile(join(HERE, 'bridge-client.ts'), 'utf8'), { loader: 'ts', target: 'es2022', format: 'iife' });
const server = createPreviewServer({ agent, rendererDir, bridgeJs: bridge.code, previewCss: await readFile(join(HERE, 'preview.css'), 'utf8'), usbDir: join(dirname(dataDir), 'usb') });
await new Promise<void>((res, rej) => {
  server.once('error', rej);
  server.listen(port, '127.0.0.1', res);
});
const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
process.stdout.write(`PREVIEW_URL=${url}\n`);
process.stderr.write(`kiosk preview: ${url}  (PREVIEW — no lockdown; agent data in ${dataDir}${serverUrl ? `; server ${serverUrl}` : ''})\n`);

let browser: ReturnType<typeof spawn> | null = null;
if (!args['no-open']) {
  if (existsSync(CHROMIUM) && (process.env.DISPLAY || process.env.WAYLAND_DISPLAY)) {
    const profile = mkdtempSync(join(tmpdir(), 'invigil-preview-chromium-'));
    browser = spawn(CHROMIUM, [`--user-data-dir=${profile}`, '--no-first-run', '--disable-background-networking', '--disable-sync', `--app=${url}`], { stdio: 'ignore' });
    browser.on('error', (e) => process.stderr.write(`could not open Chromium (${e.message}); open ${url} yourself\n`));
  } else {
    process.stderr.write(`open ${url} in a browser (${existsSync(CHROMIUM) ? 'no display to open Chromium on' : `${CHROMIUM} not found`})\n`);
  }
}

let closing = false;
async function shutdown(): Promise<void> {
  if (closing) return;
  closing = true;
  browser?.kill();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await agent.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
