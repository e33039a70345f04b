import { AnswerValue, Id, Slug } from '@invigil/contract';
import { open, rename, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { fsyncDir, readIfExists, writeFileAtomic } from './atomic-file.ts';

export const OUTBOX_FILE = 'outbox.jsonl';
export const OUTBOX_STATE_FILE = 'outbox-state.json';

/** One line of the outbox: an answer as the candidate gave it, numbered by a device-wide clientSeq. */
export const OutboxRecord = z.object({
  attemptId: Id,
  questionId: Slug,
  value: AnswerValue,
  clientSeq: z.number().int().min(1),
  at: z.number().int(),
});
export type OutboxRecord = z.infer<typeof OutboxRecord>;

const OutboxState = z.object({ v: z.literal(1), highSeq: z.number().int().min(0) });

export interface OutboxOptions {
  /** Rewrite the file once this many records were acknowledged since the last rewrite. */
  compactAfterAcks?: number;
  /** ...or once everything is acknowledged and this long has passed since the last rewrite. */
  compactIdleMs?: number;
  now?: () => number;
}

interface Queued {
  rec: OutboxRecord;
  resolve: (r: OutboxRecord) => void;
  reject: (e: unknown) => void;
}

/**
 * The answer outbox: an append-only JSON-lines file. `append` resolves only after the line is
 * fsynced (appends that arrive together share one write + fsync). Acknowledged records leave
 * memory at once and the file when it is compacted (rewritten to a temp file, fsynced, renamed
 * over). clientSeq never goes backwards, across restarts too: the highest one handed out is kept in
 * a small state file written (atomically) before any compaction could drop the record holding it.
 */
export class Outbox {
  /** Unacknowledged records, in clientSeq order. */
  private records: OutboxRecord[] = [];
  private queue: Queued[] = [];
  private flushScheduled = false;
  /** Serialises every file operation (appends, compactions). */
  private io: Promise<void> = Promise.resolve();
  private ackedSinceCompact = 0;
  private lastCompactAt: number;
  private closed = false;
  private readonly compactAfterAcks: number;
  private readonly compactIdleMs: number;
  private readonly now: () => number;

  private constructor(
    private readonly dir: string,
    private fh: FileHandle,
    private highSeq: number,
    o: OutboxOptions,
  ) {
    this.compactAfterAcks = o.compactAfterAcks ?? 64;
    this.compactIdleMs = o.compactIdleMs ?? 2_000;
    this.now = o.now ?? Date.now;
    this.lastCompactAt = this.now();
  }

  /**
   * Opens (or creates) the outbox in `dir`. A torn last line (the process died mid-write, before
   * the fsync that would have let the UI say "saved") is dropped, and the file is rewritten clean.
   */
  static async open(dir: string, o: OutboxOptions = {}): Promise<Outbox> {
    const path = join(dir, OUTBOX_FILE);
    const raw = (await readIfExists(path))?.toString('utf8') ?? '';
    const records: OutboxRecord[] = [];
    for (const line of raw.split('\n')) {
      if (!line.trim()) continue;
      try {
        const r = OutboxRecord.safeParse(JSON.parse(line));
        if (r.success) records.push(r.data);
      } catch {
        /* torn line */
      }
    }
    records.sort((a, b) => a.clientSeq - b.clientSeq);
    const stateRaw = await readIfExists(join(dir, OUTBOX_STATE_FILE));
    const state = stateRaw ? OutboxState.safeParse(JSON.parse(stateRaw.toString('utf8'))) : null;
    const highSeq = Math.max(state?.success ? state.data.highSeq : 0, records.at(-1)?.clientSeq ?? 0);
    const fh = await open(path, 'a', 0o600);
    const box = new Outbox(dir, fh, highSeq, o);
    box.records = records;
    await box.compact();
    return box;
  }

  /** The highest clientSeq handed out so far. */
  get lastSeq(): number {
    return this.highSeq;
  }

  /** Writes an answer durably; resolves with its clientSeq once it is on disk. */
  append(r: Omit<OutboxRecord, 'clientSeq'>): Promise<OutboxRecord> {
    if (this.closed) return Promise.reject(new Error('outbox is closed'));
    const rec: OutboxRecord = { ...r, clientSeq: ++this.highSeq };
    return new Promise((resolve, reject) => {
      this.queue.push({ rec, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        this.enqueue(() => this.flush());
      }
    });
  }

  private enqueue(op: () => Promise<void>): Promise<void> {
    const next = this.io.then(op);
    this.io = next.catch(() => {});
    return next;
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    try {
      await this.fh.write(batch.map((q) => `${JSON.stringify(q.rec)}\n`).join(''));
      await this.fh.datasync();
    } catch (e) {
      for (const q of batch) q.reject(e);
      return;
    }
    for (const q of batch) this.records.push(q.rec);
    for (const q of batch) q.resolve(q.rec);
  }

  /** Unacknowledged records (of one attempt, or all), in clientSeq order. */
  pending(attemptId?: string): OutboxRecord[] {
    return attemptId === undefined ? [...this.records] : this.records.filter((r) => r.attemptId === attemptId);
  }

  pendingCount(attemptId?: string): number {
    return attemptId === undefined ? this.records.length : this.records.reduce((n, r) => n + (r.attemptId === attemptId ? 1 : 0), 0);
  }

  /**
   * The next record worth sending for this attempt: the oldest one that is still the newest value
   * of its question (an older value that a newer one replaces need not travel; acknowledging the
   * newer one acknowledges it too). `skip` leaves out questions already in flight.
   */
  nextToSend(attemptId: string, skip: ReadonlySet<string> = new Set()): OutboxRecord | undefined {
    const latest = new Map<string, number>();
    for (const r of this.records) if (r.attemptId === attemptId) latest.set(r.questionId, r.clientSeq);
    return this.records.find((r) => r.attemptId === attemptId && !skip.has(r.questionId) && latest.get(r.questionId) === r.clientSeq);
  }

  /** The server has (this or a newer) value of the question: records up to clientSeq are done. */
  ack(attemptId: string, questionId: string, clientSeq: number): number {
    return this.remove((r) => r.attemptId === attemptId && r.questionId === questionId && r.clientSeq <= clientSeq);
  }

  /** Forgets every record of an attempt (it ended; nothing more can be saved to it). */
  dropAttempt(attemptId: string): number {
    return this.remove((r) => r.attemptId === attemptId);
  }

  private remove(pred: (r: OutboxRecord) => boolean): number {
    const before = this.records.length;
    this.records = this.records.filter((r) => !pred(r));
    const n = before - this.records.length;
    this.ackedSinceCompact += n;
    return n;
  }

  /** Never hand out a clientSeq at or below `seq` (e.g. the server already holds one that high). */
  async raiseSeqFloor(seq: number): Promise<void> {
    if (seq <= this.highSeq) return;
    this.highSeq = seq;
    await this.enqueue(() => this.writeState());
  }

  /** Compacts if enough was acknowledged, or everything was and the outbox has been idle a while. */
  maybeCompact(): Promise<void> | undefined {
    if (this.closed || this.ackedSinceCompact === 0) return undefined;
    const due =
      this.ackedSinceCompact >= this.compactAfterAcks ||
      (this.records.length === 0 && this.now() - this.lastCompactAt >= this.compactIdleMs);
    return due ? this.compact() : undefined;
  }

  /** Rewrites the file with only the unacknowledged records (atomically). */
  compact(): Promise<void> {
    return this.enqueue(async () => {
      await this.writeState();
      const path = join(this.dir, OUTBOX_FILE);
      const tmp = join(this.dir, `.${OUTBOX_FILE}.tmp`);
      const keep = this.records;
      this.ackedSinceCompact = 0;
      const t = await open(tmp, 'w', 0o600);
      try {
        await t.writeFile(keep.map((r) => `${JSON.stringify(r)}\n`).join(''));
        await t.sync();
      } finally {
        await t.close();
      }
      await rename(tmp, path);
      await fsyncDir(this.dir);
      const old = this.fh;
      this.fh = await open(path, 'a', 0o600);
      await old.close();
      this.lastCompactAt = this.now();
    });
  }

  private async writeState(): Promise<void> {
    await writeFileAtomic(join(this.dir, OUTBOX_STATE_FILE), JSON.stringify({ v: 1, highSeq: this.highSeq }));
  }

  /** Waits for pending writes, compacts, and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.compact().catch(() => {});
    await this.io;
    await this.fh.close();
  }
}
