// The baseline for `pnpm bench`: the smallest Hono app on @hono/node-server that does what a
// heartbeat must at least do — read and parse a small JSON body, answer JSON. Lives beside the
// server so it resolves the very same `hono` and `@hono/node-server` versions.
//
// Run: node --import tsx apps/server/bench/bare-hono.ts   (PORT=0 picks a free port)
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';

const app = new Hono();
app.post('/echo', async (c) => {
  const body: unknown = await c.req.json();
  return c.json({ ok: typeof body === 'object' && body !== null });
});

const server = serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 0), hostname: process.env.HOST ?? '127.0.0.1' }, () => {
  const { port } = server.address() as AddressInfo;
  process.stderr.write(`bare hono listening on http://127.0.0.1:${port}\n`);
});

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
