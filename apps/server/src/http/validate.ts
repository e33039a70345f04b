import { bodyText } from './body.ts';
import type { Context } from 'hono';
import type { z } from 'zod';
import { invalid } from '../ports/errors.ts';

function issues(error: z.ZodError) {
  return error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

/** Parses and validates a JSON body: 400 MALFORMED_JSON / VALIDATION_FAILED, never a 500. */
export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const text = await bodyText(c);
  let raw: unknown;
  try {
    raw = text.length === 0 ? undefined : JSON.parse(text);
  } catch {
    throw invalid('MALFORMED_JSON', 'the request body is not valid JSON');
  }
  return check(schema, raw, 'body');
}

export function check<S extends z.ZodType>(schema: S, raw: unknown, where: string): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw invalid('VALIDATION_FAILED', `the request ${where} is invalid`, issues(parsed.error));
  }
  return parsed.data;
}
