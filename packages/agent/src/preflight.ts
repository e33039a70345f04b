import type { PreflightCheck, PreflightReport } from '@invigil/contract';
import { randomBytes } from 'node:crypto';
import { open, readFile, rm, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError } from './api-client.ts';
import type { EnvironmentReading, ProcessCategory } from './environment-checks.ts';
import { describeNetworkError } from './kiosk-config.ts';

/** Clocks further apart than this are reported (a warning: the exam timer follows the server's clock anyway). */
export const CLOCK_WARN_MS = 30_000;
/** Less free space than this where the outbox lives is a warning. */
export const LOW_DISK_BYTES = 50 * 1024 * 1024;

export interface PreflightDeps {
  serverUrl: string | null;
  /** GET /healthz; resolves with the server's time (ISO) if it says. */
  health: () => Promise<{ time?: string | undefined }>;
  inspect: () => Promise<EnvironmentReading>;
  dataDir: string;
  now: () => number;
}

const CATEGORY_LABEL: Record<ProcessCategory, string> = {
  remote_access: 'remote access',
  screen_sharing: 'screen sharing or recording',
  forbidden: 'not allowed during this exam',
};

function seconds(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  return s < 120 ? `${s} s` : `${Math.round(s / 60)} min`;
}

async function serverAndClock(d: PreflightDeps): Promise<[PreflightCheck, PreflightCheck]> {
  const server = { id: 'server', label: 'Exam server' } as const;
  const clock = { id: 'clock', label: 'Clock' } as const;
  if (!d.serverUrl) {
    return [
      { ...server, status: 'fail', message: 'No exam server is set on this computer. Ask a proctor to set it up.' },
      { ...clock, status: 'warn', message: 'The clock could not be compared with the server’s.' },
    ];
  }
  const t0 = d.now();
  let res: { time?: string | undefined };
  try {
    res = await d.health();
  } catch (e) {
    const why = e instanceof ApiError ? `it answered HTTP ${e.status}` : describeNetworkError(e);
    return [
      { ...server, status: 'fail', message: `Cannot reach the exam server at ${d.serverUrl} (${why}). Tell a proctor.` },
      { ...clock, status: 'warn', message: 'The clock could not be compared with the server’s.' },
    ];
  }
  const t1 = d.now();
  const serverCheck: PreflightCheck = { ...server, status: 'pass', message: `The exam server answered in ${Math.max(0, t1 - t0)} ms.` };
  const serverTime = res.time ? Date.parse(res.time) : NaN;
  if (!Number.isFinite(serverTime)) return [serverCheck, { ...clock, status: 'warn', message: 'The server did not say what time it is.' }];
  const offset = serverTime - (t0 + t1) / 2;
  if (Math.abs(offset) <= CLOCK_WARN_MS) return [serverCheck, { ...clock, status: 'pass', message: `This computer’s clock matches the server’s (within ${seconds(Math.max(Math.abs(offset), 1000))}).` }];
  return [
    serverCheck,
    {
      ...clock,
      status: 'warn',
      message: `This computer’s clock is ${seconds(offset)} ${offset > 0 ? 'behind' : 'ahead of'} the server’s. Your exam timer follows the server, so no time is lost; tell a proctor.`,
    },
  ];
}

function environment(r: EnvironmentReading): PreflightCheck[] {
  const out: PreflightCheck[] = [];
  const displays = { id: 'displays', label: 'Displays' } as const;
  if (r.displays === null) out.push({ ...displays, status: 'warn', message: 'The number of displays cannot be read here.' });
  else if (r.displays > 1) out.push({ ...displays, status: 'fail', message: `${r.displays} displays are connected. Only one is allowed: ask a proctor to disconnect the others.` });
  else out.push({ ...displays, status: 'pass', message: 'One display is connected.' });

  const processes = { id: 'processes', label: 'Other programs' } as const;
  if (r.flagged.length === 0) out.push({ ...processes, status: 'pass', message: 'No remote-access, screen-sharing or forbidden programs are running.' });
  else {
    const list = r.flagged.map((f) => `${f.name} (${CATEGORY_LABEL[f.category]})`).join(', ');
    out.push({ ...processes, status: 'fail', message: `Close these programs, or ask a proctor: ${list}.` });
  }

  const vm = { id: 'virtual-machine', label: 'Physical computer' } as const;
  const names = r.vmSignals.map((s) => s.name.replace(/_/g, ' ')).join(', ');
  if (r.vmScore >= r.vmThreshold) {
    out.push({ ...vm, status: 'fail', message: `This computer looks like a virtual machine (we found: ${names}). Exams must run on a physical computer: ask a proctor.` });
  } else if (r.vmSignals.length > 0) {
    out.push({ ...vm, status: 'pass', message: `This looks like a physical computer. We noticed ${names}, which is not enough to stop the exam.` });
  } else {
    out.push({ ...vm, status: 'pass', message: 'This looks like a physical computer.' });
  }
  return out;
}

async function storage(dataDir: string): Promise<PreflightCheck> {
  const base = { id: 'storage', label: 'Saving answers' } as const;
  const probe = join(dataDir, `.preflight-${randomBytes(6).toString('hex')}`);
  const payload = randomBytes(64);
  try {
    const fh = await open(probe, 'w', 0o600);
    try {
      await fh.writeFile(payload);
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (!(await readFile(probe)).equals(payload)) throw new Error('what was written did not read back the same');
  } catch (e) {
    return { ...base, status: 'fail', message: `Answers cannot be saved on this computer (${(e as Error).message}). Tell a proctor.` };
  } finally {
    await rm(probe, { force: true }).catch(() => {});
  }
  try {
    const s = await statfs(dataDir);
    const free = s.bavail * s.bsize;
    if (free < LOW_DISK_BYTES) return { ...base, status: 'warn', message: `Answers can be saved, but the disk is almost full (${Math.round(free / 2 ** 20)} MB free). Tell a proctor.` };
  } catch {
    /* statfs is not everywhere; the write above is what matters */
  }
  return { ...base, status: 'pass', message: 'Answers can be saved on this computer.' };
}

/**
 * The pre-exam checks the candidate sees before starting: the server answers, the clocks agree,
 * one display, no remote-access / screen-sharing / forbidden program, not a virtual machine, and
 * the outbox folder takes an fsynced write. `ok` is false when any check failed.
 */
export async function runPreflight(d: PreflightDeps): Promise<PreflightReport> {
  const [[server, clock], env, disk] = await Promise.all([serverAndClock(d), d.inspect().then(environment), storage(d.dataDir)]);
  const checks = [server, clock, ...env, disk];
  return { checks, ok: checks.every((c) => c.status !== 'fail'), at: d.now() };
}
