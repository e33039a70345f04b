import { parseArgs } from 'node:util';

export const { values: opts } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    candidates: { type: 'string', default: '500' },
    connections: { type: 'string', default: '64' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '4' },
    'cpu-prof': { type: 'boolean', default: false },
    store: { type: 'string', default: 'sqlite' },
    instances: { type: 'string', default: '1' },
    'live-sessions': { type: 'string' },
    rate: { type: 'string', default: '300' },
    'rate-sessions': { type: 'string', default: '500' },
    'connections-minute': { type: 'boolean', default: false },
    kiosks: { type: 'string', default: '50' },
    'kiosk-seconds': { type: 'string', default: '65' },
    'sse-subscribers': { type: 'string', default: '0' },
    'sse-rate': { type: 'string', default: '100' },
    'login-burst': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  process.stdout.write(
    'usage: pnpm bench [--candidates 500] [--connections 64] [--seconds 10] [--warmup 2] [--rounds 4] [--cpu-prof] [--store sqlite|postgres] [--instances 1]\n' +
      '                  [--live-sessions 50000 [--rate 300] [--rate-sessions 500]] [--connections-minute [--kiosks 50] [--kiosk-seconds 65]]\n' +
      '       pnpm bench --sse-subscribers 200 [--sse-rate 100] [--seconds 10] [--warmup 2] [--rounds 4] [--cpu-prof]   (live-event fan-out instead)\n' +
      '       pnpm bench --login-burst N [--connections 64] [--cpu-prof] [--store sqlite|postgres] [--instances 1]   (sign-in + start burst instead)\n',
  );
  process.exit(0);
}
const positive = (name: string, v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) {
    process.stderr.write(`bench: --${name} must be a positive number (got ${v})\n`);
    process.exit(2);
  }
  return n;
};
export const N = Math.floor(positive('candidates', opts.candidates));
export const CONNECTIONS = Math.min(Math.floor(positive('connections', opts.connections)), N);
export const SECONDS = positive('seconds', opts.seconds);
export const WARMUP = Number(opts.warmup) >= 0 ? Number(opts.warmup) : 2;
export const ROUNDS = Math.floor(positive('rounds', opts.rounds));
export const CPU_PROF = opts['cpu-prof'];
if (opts.store !== 'sqlite' && opts.store !== 'postgres') {
  process.stderr.write(`bench: --store must be sqlite or postgres (got ${opts.store})\n`);
  process.exit(2);
}
/** sqlite: the embedded server alone; postgres: the same measurements also on PostgreSQL + Redis, in the same run. */
export const STORE = opts.store as 'sqlite' | 'postgres';
export const INSTANCES = Math.floor(positive('instances', opts.instances));

/** --live-sessions N: the server with N live sessions (bench/live-sessions.ts); off unless given. */
export const LIVE = opts['live-sessions'] === undefined ? null : {
  n: Math.floor(positive('live-sessions', opts['live-sessions'])),
  rate: positive('rate', opts.rate),
  rateSessions: Math.floor(positive('rate-sessions', opts['rate-sessions'])),
};
/** --connections-minute: TCP connections per kiosk per minute (bench/connections-minute.ts); off unless given. */
export const KIOSKS = opts['connections-minute'] ? { kiosks: Math.floor(positive('kiosks', opts.kiosks)), seconds: positive('kiosk-seconds', opts['kiosk-seconds']) } : null;
/** With --sse-subscribers N (> 0) the bench measures the live-event fan-out instead (bench/sse-fanout.ts). */
export const SSE_SUBSCRIBERS = opts['sse-subscribers'] !== '0' ? Math.floor(positive('sse-subscribers', opts['sse-subscribers'])) : 0;
export const SSE_RATE = positive('sse-rate', opts['sse-rate']);
/** --login-burst N: instead of the default run, N candidates sign in and start at once (bench/login-burst.ts). */
export const LOGIN_BURST = opts['login-burst'] === undefined ? 0 : Math.floor(positive('login-burst', opts['login-burst']));
/** Concurrency as given (the default run caps it at --candidates; the login burst at its own N). */
export const CONNECTIONS_ASKED = Math.floor(positive('connections', opts.connections));
