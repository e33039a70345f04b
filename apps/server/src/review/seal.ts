import type { VerifyResponse } from '@invigil/contract';
import { createHmac } from 'node:crypto';
import type { ArchiveSeal, StoredArchive } from '../ports/review-records.ts';
import { constantTimeEqual } from '../security/tokens.ts';
import { canonicalJson } from './canonical-json.ts';
import { sha256Hex, verifyArchive } from './hash-chain.ts';

export const SEAL_FORMAT = 'invigil-seal/v1';

/**
 * What was sealed, stated apart from the archive: the chain's genesis and head, a hash of each part
 * of the archive body and of each event on its own (so a verification can name what changed even
 * when the chain was recomputed), and the score stored beside it. Its MAC under a key derived from
 * the server secret is what a database writer cannot forge.
 */
export interface SealStatement {
  format: typeof SEAL_FORMAT;
  attemptId: string;
  sealedAt: number;
  genesis: string;
  head: string;
  parts: Record<string, string>;
  events: string[];
  score: number | null;
  maxScore: number | null;
}

/** The seal key: derived from the server secret, used for nothing else. */
export const sealKey = (secret: Buffer): Buffer => createHmac('sha256', secret).update('invigil-archive-seal/v1').digest();
const mac = (key: Buffer, statement: string) => createHmac('sha256', key).update(statement, 'utf8').digest('hex');

type Doc = Record<string, unknown> & { events?: unknown; chain?: unknown };
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const eventHash = (e: unknown) => {
  if (!isObject(e)) return sha256Hex(canonicalJson(e));
  const { hash: _h, ...rest } = e;
  return sha256Hex(canonicalJson(rest));
};
function partsOf(doc: Doc): Record<string, string> {
  const { events: _e, chain: _c, ...body } = doc;
  return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, sha256Hex(canonicalJson(v))]));
}

/** Seals an archive about to be stored. */
export function makeSeal(key: Buffer, a: Omit<StoredArchive, 'seal'>): ArchiveSeal {
  const doc = JSON.parse(a.content) as Doc;
  const chain = doc.chain as { genesis: string; head: string };
  const statement: SealStatement = {
    format: SEAL_FORMAT,
    attemptId: a.attemptId,
    sealedAt: a.sealedAt,
    genesis: chain.genesis,
    head: a.chainHead,
    parts: partsOf(doc),
    events: (doc.events as unknown[]).map(eventHash),
    score: a.score,
    maxScore: a.maxScore,
  };
  const text = canonicalJson(statement);
  return { statement: text, mac: mac(key, text) };
}

/**
 * Verifies a stored archive: its own hash chain, and everything against the keyed seal — the parts
 * of the body, each event, the chain head and the score stored beside it. `changed` names what
 * differs from what was sealed. Never throws.
 */
export function verifySealed(key: Buffer, a: StoredArchive): VerifyResponse {
  const chain = verifyArchive(a.content, a.chainHead);
  const changed: string[] = [];
  const reasons: string[] = [];
  let brokenAt = chain.brokenAt;
  if (!a.seal) {
    reasons.push('no keyed seal is stored for this archive, so it cannot be trusted');
    changed.push('seal');
  } else if (!constantTimeEqual(mac(key, a.seal.statement), a.seal.mac)) {
    reasons.push("the seal was altered: its MAC does not match under this server's key");
    changed.push('seal');
  } else {
    const st = JSON.parse(a.seal.statement) as SealStatement;
    if (st.attemptId !== a.attemptId) changed.push('attempt id');
    if (a.chainHead !== st.head) changed.push('chain head (stored beside the archive)');
    if (a.score !== st.score || a.maxScore !== st.maxScore) changed.push('score (stored beside the archive)');
    if (a.sealedAt !== st.sealedAt) changed.push('sealing time (stored beside the archive)');
    let doc: Doc | null = null;
    try {
      const parsed: unknown = JSON.parse(a.content);
      doc = isObject(parsed) ? parsed : null;
    } catch {
      doc = null;
    }
    if (!doc) changed.push('content (not an archive any more)');
    else {
      const now = partsOf(doc);
      for (const k of new Set([...Object.keys(st.parts), ...Object.keys(now)])) if (st.parts[k] !== now[k]) changed.push(k);
      const chainNow = isObject(doc.chain) ? doc.chain : {};
      if (chainNow.genesis !== st.genesis || chainNow.head !== st.head) changed.push('chain');
      const events = Array.isArray(doc.events) ? doc.events.map(eventHash) : [];
      const firstDiff = st.events.findIndex((h, i) => events[i] !== h);
      const at = firstDiff >= 0 ? firstDiff : events.length !== st.events.length ? Math.min(events.length, st.events.length) : -1;
      if (events.length !== st.events.length) changed.push(`events (${st.events.length} sealed, ${events.length} now; first difference at event ${at})`);
      else for (let i = 0; i < events.length; i++) if (events[i] !== st.events[i]) changed.push(`event ${i}`);
      if (at >= 0) brokenAt = brokenAt === null ? at : Math.min(brokenAt, at);
    }
    if (changed.length) reasons.push(`changed since sealing: ${changed.join(', ')}`);
  }
  if (chain.reason) reasons.push(chain.reason);
  const valid = chain.valid && reasons.length === 0;
  return { ...chain, valid, brokenAt, reason: valid ? null : reasons.join('; '), changed };
}
