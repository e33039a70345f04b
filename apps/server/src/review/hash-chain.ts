import type { ArchiveEvent, VerifyResponse } from '@invigil/contract';
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.ts';

export const ARCHIVE_FORMAT = 'invigil-archive/v1';

export type UnhashedEvent = Omit<ArchiveEvent, 'hash'>;

export const sha256Hex = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

/**
 * The chain starts from a hash of the archive's body (everything but `events` and `chain`:
 * metadata, device, answers, scoring), so the head commits to the whole archive, not only to
 * the events.
 */
export function genesisHash(header: unknown): string {
  return sha256Hex(`${ARCHIVE_FORMAT}\n${canonicalJson(header)}`);
}

/** hash(event) = SHA-256(prevHash + canonical JSON of the event without its `hash`). */
export function eventHash(prevHash: string, event: unknown): string {
  return sha256Hex(prevHash + canonicalJson(event));
}

/** Hashes a timeline in order; returns the events with their hashes and the head. */
export function chainEvents(genesis: string, events: readonly UnhashedEvent[]): { events: ArchiveEvent[]; head: string } {
  let prev = genesis;
  const out = events.map((e) => {
    prev = eventHash(prev, e);
    return { ...e, hash: prev };
  });
  return { events: out, head: prev };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The chain's own verdict (the keyed seal adds `changed`: review/seal.ts). */
export type VerifyResult = Omit<VerifyResponse, 'changed'>;

/**
 * Recomputes the chain of an archive's content and compares it with the head stored at sealing.
 * Any change to any event (a field, the order, one removed or added), to the body the genesis
 * hash covers, or to a stored hash makes it invalid. Never throws.
 */
export function verifyArchive(content: string, chainHead: string): VerifyResult {
  const fail = (reason: string, extra: Partial<VerifyResult> = {}): VerifyResult => ({ valid: false, chainHead, recomputedHead: null, events: 0, brokenAt: null, reason, ...extra });
  let doc: unknown;
  try {
    doc = JSON.parse(content);
  } catch {
    return fail('the archive content is not valid JSON');
  }
  if (!isPlainObject(doc) || !Array.isArray(doc.events) || !isPlainObject(doc.chain)) return fail('the content is not an archive (no events or chain)');
  const { events, chain, ...header } = doc;
  try {
    const genesis = genesisHash(header);
    let prev = genesis;
    let brokenAt: number | null = null;
    for (let i = 0; i < events.length; i++) {
      const e: unknown = events[i];
      let stored: unknown;
      let body: unknown = e;
      if (isPlainObject(e)) {
        const { hash, ...rest } = e;
        stored = hash;
        body = rest;
      }
      prev = eventHash(prev, body);
      if (brokenAt === null && (!isPlainObject(e) || stored !== prev || e.seq !== i)) brokenAt = i;
    }
    const recomputedHead = prev;
    const base = { recomputedHead, events: events.length, brokenAt };
    let reason: string | null = null;
    if (chain.genesis !== genesis) reason = 'the archive body (metadata, device, answers or scoring) was changed: its genesis hash differs';
    else if (brokenAt !== null) reason = `event ${brokenAt} is the first that does not match its hash: it was changed or moved, or an event before it was removed or added`;
    else if (recomputedHead !== chainHead) reason = 'the recomputed head differs from the head stored at sealing: events were changed, removed or added';
    else if (chain.head !== chainHead) reason = 'the head written in the archive differs from the head stored at sealing';
    return { valid: reason === null, chainHead, ...base, reason };
  } catch (err) {
    return fail(`the archive cannot be hashed: ${(err as Error).message}`, { events: events.length });
  }
}
