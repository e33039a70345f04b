/** Runs agent-runner.ts as a real, separate process (crash tests: it can be SIGKILLed at any line). */
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const RUNNER = join(HERE, 'agent-runner.ts');
const PKG = resolve(HERE, '../..');

/** One line the runner printed: `{event, ...}`. */
export interface RunnerLine {
  event: string;
  [k: string]: any;
}

export interface RunAgentOptions {
  /** SIGKILL the runner once this many `saved` lines arrived. */
  killAfterSaved?: number;
  /** SIGKILL the runner right after the first line this accepts. */
  killWhen?: (line: RunnerLine) => boolean;
  /** Called with every line as it arrives (e.g. to cut the network when the runner asks). */
  onLine?: (line: RunnerLine) => void;
}

export function runAgent(job: Record<string, unknown>, opts: RunAgentOptions = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', RUNNER], {
    cwd: PKG,
    env: { ...process.env, AGENT_RUNNER: JSON.stringify(job) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: RunnerLine[] = [];
  let buf = '';
  let err = '';
  let saved = 0;
  child.stderr.on('data', (d) => (err += d));
  child.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = JSON.parse(buf.slice(0, i)) as RunnerLine;
      buf = buf.slice(i + 1);
      lines.push(line);
      opts.onLine?.(line);
      if ((line.event === 'saved' && ++saved === opts.killAfterSaved) || opts.killWhen?.(line)) child.kill('SIGKILL');
    }
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('exit', (code, signal) => res({ code, signal })));
  return { lines, done, stderr: () => err };
}
