import type { AgentLogger } from '@invigil/agent';

export type ShellLogger = AgentLogger;

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
type Level = keyof typeof LEVELS;

/** JSON lines on stdout/stderr, the same shape as the server's logs; `level` from INVIGIL_LOG_LEVEL. */
export function consoleLogger(minLevel: string | undefined, now: () => number = Date.now): ShellLogger {
  const min = LEVELS[(minLevel as Level) in LEVELS ? (minLevel as Level) : 'info'];
  const at = (level: Level) => (msg: string, data?: Record<string, unknown>) => {
    if (LEVELS[level] < min) return;
    const line = JSON.stringify({ time: new Date(now()).toISOString(), level, component: 'kiosk-main', msg, ...data });
    (level === 'warn' || level === 'error' ? process.stderr : process.stdout).write(`${line}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
