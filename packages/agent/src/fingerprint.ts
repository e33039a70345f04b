import { createHmac, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { readIfExists, writeFileAtomic } from './atomic-file.ts';
import type { HardwareFacts, PlatformProbe } from './ports.ts';

/**
 * App-specific HMAC key. It is not a secret: it only makes our fingerprint differ from what any
 * other app derives from the same machine id, so the raw id (or a plain hash of it that other
 * software also computes) never leaves the device.
 */
const FINGERPRINT_KEY = 'invigil-kiosk-device-fingerprint:v1';

export interface Fingerprint {
  /** `v1.` + base64url(HMAC-SHA256): what `deviceFingerprint` carries. */
  value: string;
  /** Where the machine part came from: the OS machine id, or a random id made on this install. */
  source: 'machine-id' | 'install-id';
}

/** Canonical text of the inputs (fixed key order, so it is stable across runs). */
function canonical(machineId: string, hw: HardwareFacts): string {
  return JSON.stringify([machineId.trim().toLowerCase(), hw.platform, hw.arch, hw.cpuModel.trim(), hw.cpuCount, hw.memoryGiB]);
}

export function fingerprintOf(machineId: string, hw: HardwareFacts): string {
  return `v1.${createHmac('sha256', FINGERPRINT_KEY).update(canonical(machineId, hw)).digest('base64url')}`;
}

/**
 * The device fingerprint: HMAC of the OS machine id (node-machine-id) plus hardware facts.
 * Where the OS has no machine id (some containers), a random install id kept in `dataDir` stands in.
 */
export async function deviceFingerprint(platform: PlatformProbe, dataDir: string): Promise<Fingerprint> {
  const hw = platform.hardware();
  try {
    const id = await platform.machineId();
    if (id.trim()) return { value: fingerprintOf(id, hw), source: 'machine-id' };
  } catch {
    /* fall through to the install id */
  }
  const path = join(dataDir, 'install-id');
  let id = (await readIfExists(path))?.toString('utf8').trim();
  if (!id) {
    id = randomBytes(16).toString('hex');
    await writeFileAtomic(path, id);
  }
  return { value: fingerprintOf(id, hw), source: 'install-id' };
}
