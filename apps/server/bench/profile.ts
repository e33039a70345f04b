import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { log } from './log.ts';
import { ROOT } from './paths.ts';
import { rssKiB } from './proc.ts';

/**
 * Drives apps/server/bench/server-probe.mjs inside the server under test: full GCs before memory
 * readings, and (with --cpu-prof) CPU profile segments around the measured windows.
 */
export class Probe {
  private segment = 0;
  private gcs = 0;
  constructor(
    readonly dir: string,
    private readonly pid: number,
    readonly profiling: boolean,
  ) {}

  private async ask(command: string, file: string): Promise<string> {
    writeFileSync(join(this.dir, 'command'), command);
    process.kill(this.pid, 'SIGUSR2');
    for (let i = 0; i < 400 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 25));
    if (!existsSync(file)) throw new Error(`the server probe did not answer "${command}" (${file})`);
    return file;
  }

  /** Full GC in the server, then its VmRSS (read from /proc here) and V8 heap in use. */
  async gc(): Promise<{ rssKiB: number; heapUsed: number }> {
    const file = await this.ask('gc', join(this.dir, `gc-${this.gcs++}.json`));
    const m = JSON.parse(readFileSync(file, 'utf8')) as { heapUsed: number };
    return { rssKiB: rssKiB(this.pid), heapUsed: m.heapUsed };
  }

  /** Ends the current CPU profile segment; resolves with its file (undefined when not profiling). */
  async cut(): Promise<string | undefined> {
    if (!this.profiling) return undefined;
    return this.ask('cut', join(this.dir, `segment-${this.segment++}.cpuprofile`));
  }
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** Self time per function over the given profile segments, native frames named after their caller. */
export function summarizeProfile(label: string, files: string[], top = 15): void {
  const byFn = new Map<string, number>();
  let total = 0;
  for (const file of files) {
    if (!existsSync(file)) {
      log(`  (no CPU profile at ${file})`);
      return;
    }
    total += addSelfTimes(JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[] }, byFn);
  }
  const busy = [...byFn].filter(([k]) => !k.startsWith('(idle)')).reduce((a, [, h]) => a + h, 0);
  log(`  server CPU profile of the measured ${label} windows, self time as a share of all samples (${((busy / total) * 100).toFixed(0)}% not idle), top ${top}:`);
  for (const [k, h] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) log(`    ${((h / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
  log(`    (profiles: ${files.join(' ')}; open in Chrome DevTools > Performance)`);
}

function addSelfTimes(prof: { nodes: ProfileNode[]; samples: number[] }, byFn: Map<string, number>): number {
  const hits = new Map<number, number>();
  for (const s of prof.samples) hits.set(s, (hits.get(s) ?? 0) + 1);
  const parent = new Map<number, ProfileNode>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n);
  const where = (n: ProfileNode) => {
    const url = n.callFrame.url
      .replace(/^file:\/\//, '')
      .replace(ROOT + '/', '')
      .replace(/.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '');
    return `${n.callFrame.functionName || '(anonymous)'}${url ? ` ${url}:${n.callFrame.lineNumber + 1}` : ''}`;
  };
  for (const n of prof.nodes) {
    const h = hits.get(n.id) ?? 0;
    if (!h) continue;
    // Native frames (no url) are named after their nearest JS caller: "run" alone says nothing.
    let key = where(n);
    if (!n.callFrame.url && !n.callFrame.functionName.startsWith('(')) {
      let p = parent.get(n.id);
      while (p && !p.callFrame.url) p = parent.get(p.id);
      if (p) key = `${n.callFrame.functionName} (native) < ${where(p)}`;
    }
    byFn.set(key, (byFn.get(key) ?? 0) + h);
  }
  return prof.samples.length;
}

