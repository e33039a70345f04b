import { ErrorEnvelope } from '@invigil/contract';
import { z } from 'zod';
import type { RouteSpec } from './route-registry.ts';

function schema(s: z.ZodType): unknown {
  try {
    return z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });
  } catch {
    return {};
  }
}

/** The OpenAPI 3.1 document, generated from the same zod schemas that validate requests. */
export function openApiDocument(specs: readonly RouteSpec<z.ZodType | undefined, z.ZodType | undefined>[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const s of specs) {
    const path = `/api/v1${s.path.replace(/:(\w+)/g, '{$1}')}`;
    const params: unknown[] = [...s.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const q = s.query ? (schema(s.query) as { properties?: Record<string, unknown>; required?: string[] }) : undefined;
    for (const [name, sch] of Object.entries(q?.properties ?? {})) params.push({ name, in: 'query', required: q?.required?.includes(name) ?? false, schema: sch });
    const responses: Record<string, unknown> = {};
    for (const [status, body] of Object.entries(s.responses)) {
      responses[status] = body ? { description: 'OK', content: { 'application/json': { schema: schema(body) } } } : { description: 'No content' };
    }
    const errors = new Set([400, ...(s.roles ? [401, 403] : []), ...(s.errors ?? [])]);
    for (const e of errors) responses[String(e)] = { $ref: '#/components/responses/Error' };
    paths[path] ??= {};
    paths[path][s.method] = {
      summary: s.summary,
      tags: [s.tag],
      ...(params.length ? { parameters: params } : {}),
      ...(s.roles ? { security: [{ bearer: [] }], 'x-roles': s.roles } : {}),
      ...(s.body ? { requestBody: { required: true, content: { 'application/json': { schema: schema(s.body) } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Invigil API', version, description: 'Lockdown exam sessions: kiosk, console and admin API. See PROTOCOL.md.' },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      responses: { Error: { description: 'Error envelope', content: { 'application/json': { schema: schema(ErrorEnvelope) } } } },
    },
    paths,
  };
}

/** The docs page's Content-Security-Policy: its own script and style, the OpenAPI document, nothing else. */
export const DOCS_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** A small self-contained docs page (exam centers are often offline: no CDN); script and style are files, so no inline code runs. */
export function docsPage(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Invigil API</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><link rel="icon" href="data:,"><link rel="stylesheet" href="/api/docs.css"></head>
<body><h1>Invigil API</h1><p>Machine-readable: <a href="/api/openapi.json"><code>/api/openapi.json</code></a>. Errors: <code>{"error":{"code","message","details?"}}</code>.</p><div id="ops">Loading…</div>
<script src="/api/docs.js"></script></body></html>`;
}

export const DOCS_CSS = `body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:960px;padding:24px;color:#1b1f24}
h1{font-size:22px}.op{border:1px solid #d0d7de;border-radius:6px;margin:8px 0;padding:8px 12px}
.m{display:inline-block;min-width:64px;font-weight:700;text-transform:uppercase}.get{color:#0969da}.post{color:#1a7f37}.put{color:#9a6700}.delete{color:#cf222e}
code{font-family:ui-monospace,monospace}details pre{background:#f6f8fa;padding:8px;overflow:auto;font-size:12px}.roles{color:#57606a;font-size:13px}`;

export const DOCS_JS = `fetch('/api/openapi.json').then(r=>r.json()).then(d=>{const o=document.getElementById('ops');o.textContent='';
for(const[p,ms]of Object.entries(d.paths))for(const[m,op]of Object.entries(ms)){const e=document.createElement('div');e.className='op';
const h=document.createElement('div');const el=(tag,cls,text)=>{const x=document.createElement(tag);if(cls)x.className=cls;x.textContent=text;return x};
h.append(el('span','m '+m,m),' ',el('code','',p),' — ',el('span','',op.summary),' ',el('span','roles',op['x-roles']?'('+op['x-roles'].join(', ')+')':'(public)'));e.appendChild(h);
const det=document.createElement('details');det.appendChild(el('summary','','schemas'));
det.appendChild(el('pre','',JSON.stringify({requestBody:op.requestBody,responses:op.responses},null,2)));e.appendChild(det);o.appendChild(e);}});
`;
