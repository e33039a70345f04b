import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const SERVER_DIR = resolve(HERE, '..');
export const ROOT = resolve(SERVER_DIR, '../..');
export const BARE = join(HERE, 'bare-hono.ts');
export const PROBE = join(HERE, 'server-probe.mjs');
