import type { AgentLogger } from '@invigil/agent';

export type ShellLogger = AgentLogger;

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
type Level = keyof typeof LEVELS;

/** Where log lines go besides the console (the packaged kiosk's log file). */
export interface LineSink {
  write(line: string): void;
}

/**
 * JSON lines, the same shape as the server's logs; `minLevel` from INVIGIL_LOG_LEVEL (default
 * info; `silent` = nothing). Written to stdout/stderr and to `sink` (a packaged kiosk has no visible console, so main
 * passes a file in the app's logs folder).
 */
export function consoleLogger(minLevel: string | undefined, sink?: LineSink, now: () => number = Date.now): ShellLogger {
  const min = minLevel === 'silent' ? Infinity : LEVELS[(minLevel as Level) in LEVELS ? (minLevel as Level) : 'info'];
  const at = (level: Level) => (msg: string, data?: Record<string, unknown>) => {
    if (LEVELS[level] < min) return;
    const line = `${JSON.stringify({ time: new Date(now()).toISOString(), level, component: 'kiosk-main', msg, ...data })}\n`;
    (level === 'warn' || level === 'error' ? process.stderr : process.stdout).write(line);
    try {
      sink?.write(line);
    } catch {
      // a full disk must not stop the kiosk
    }
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
