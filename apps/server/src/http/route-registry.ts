import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import type { Role } from '@invigil/contract';
import type { AppEnv, Principal } from './context.ts';
import { forbidden, unauthenticated } from '../ports/errors.ts';
import { check, readJson } from './validate.ts';

export type Method = 'get' | 'post' | 'put' | 'delete' | 'patch';

/** One API route: its contract (for validation and the OpenAPI document) and its handler. */
export interface RouteSpec<B extends z.ZodType | undefined, P extends z.ZodType | undefined> {
  method: Method;
  /** Hono path with :params, relative to /api/v1. */
  path: string;
  summary: string;
  tag: string;
  /** Roles allowed; undefined = anonymous. */
  roles?: readonly Role[];
  body?: B;
  params?: P;
  /** Status → response schema (or null for no body). */
  responses: Record<number, z.ZodType | null>;
  /** Extra error statuses worth documenting. */
  errors?: number[];
  /** Also accept the token as `?access_token=` (EventSource cannot send headers). */
  queryToken?: boolean;
  /** Query parameters, validated. */
  query?: z.ZodType;
  /**
   * A hot route (heartbeat, answer save): also served by the fast lane (http/fast-lane.ts) straight
   * from node:http, with the same authentication, validation, handler and answers as through Hono.
   */
  hot?: true;
  /**
   * The handler checks the login itself (Principal.unchecked): a login copy held in memory may reach
   * it unchecked. Only for a handler that acts under `checks` or calls `confirm()` first (the heartbeat).
   */
  uncheckedLogin?: true;
}

/** A hot route as the fast lane serves it: its method, its path as a pattern, and the route itself. */
export interface HotRoute {
  method: string;
  path: string;
  pattern: RegExp;
  params: string[];
  run: (c: Context<AppEnv>) => Promise<Response>;
}

type Infer<T> = T extends z.ZodType ? z.infer<T> : undefined;

export interface Handled<B, P> {
  c: Context<AppEnv>;
  body: B;
  params: P;
  principal: Principal;
  /** The validated query (when the spec has one); handlers narrow it with z.infer of their schema. */
  query: unknown;
}

export class RouteRegistry {
  readonly specs: RouteSpec<z.ZodType | undefined, z.ZodType | undefined>[] = [];
  readonly hot: HotRoute[] = [];

  constructor(
    private readonly app: Hono<AppEnv>,
    private readonly authenticate: (c: Context<AppEnv>, allowQueryToken: boolean, unchecked: boolean) => Promise<Principal>,
  ) {}

  add<B extends z.ZodType | undefined, P extends z.ZodType | undefined>(
    spec: RouteSpec<B, P>,
    handler: (h: Handled<Infer<B>, Infer<P>>) => Response | Promise<Response>,
  ): void {
    this.specs.push(spec as RouteSpec<z.ZodType | undefined, z.ZodType | undefined>);
    const run = async (c: Context<AppEnv>): Promise<Response> => {
      let principal = undefined as unknown as Principal;
      if (spec.roles) {
        principal = await this.authenticate(c, spec.queryToken === true, spec.uncheckedLogin === true);
        if (!spec.roles.includes(principal.role)) {
          // A candidate probing staff routes learns nothing more than "not for you".
          throw principal.role === 'candidate' ? forbidden('this route is for staff') : forbidden(`this route needs role ${spec.roles.join(' or ')}`);
        }
        c.set('principal', principal);
      }
      const params = (spec.params ? check(spec.params, c.req.param(), 'path') : undefined) as Infer<P>;
      const query: unknown = spec.query ? check(spec.query, c.req.query(), 'query') : undefined;
      const body = (spec.body ? await readJson(c, spec.body) : undefined) as Infer<B>;
      return handler({ c, body, params, principal, query });
    };
    const path = `/api/v1${spec.path}`;
    this.app.on(spec.method.toUpperCase(), path, run);
    if (spec.hot) {
      const params: string[] = [];
      const source = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:([A-Za-z]+)/g, (_m, name: string) => {
        params.push(name);
        return '([^/]+)';
      });
      this.hot.push({ method: spec.method.toUpperCase(), path, pattern: new RegExp(`^${source}$`), params, run });
    }
  }
}

export function bearer(c: Context): string | undefined {
  const h = c.req.header('authorization');
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  if (!m) throw unauthenticated('the Authorization header must be "Bearer <token>"');
  return m[1];
}
