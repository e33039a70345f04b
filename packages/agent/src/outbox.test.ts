import { appendFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OUTBOX_FILE, Outbox } from './outbox.ts';

const tmp = () => mkdtemp(join(tmpdir(), 'invigil-outbox-'));
const lines = async (dir: string) => (await readFile(join(dir, OUTBOX_FILE), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l));

describe('answer outbox', () => {
  it('an answer is on disk, as a JSON line, when append resolves', async () => {
    const dir = await tmp();
    const box = await Outbox.open(dir);
    const r = await box.append({ attemptId: 'a1', questionId: 'q1', value: 'x', at: 1 });
    expect(r.clientSeq).toBe(1);
    expect(await lines(dir)).toEqual([{ attemptId: 'a1', questionId: 'q1', value: 'x', clientSeq: 1, at: 1 }]);
    await box.close();
  });

  it('concurrent saves keep call order and numbering (one shared fsync)', async () => {
    const dir = await tmp();
    const box = await Outbox.open(dir);
    const rs = await Promise.all(Array.from({ length: 50 }, (_, i) => box.append({ attemptId: 'a1', questionId: `q${i}`, value: `v${i}`, at: i })));
    expect(rs.map((r) => r.clientSeq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect((await lines(dir)).map((l) => l.questionId)).toEqual(rs.map((r) => r.questionId));
    await box.close();
  });

  it('after a restart, unacknowledged answers come back in order and clientSeq keeps rising', async () => {
    const dir = await tmp();
    const a = await Outbox.open(dir);
    for (let i = 1; i <= 5; i++) await a.append({ attemptId: 'a1', questionId: `q${i}`, value: `v${i}`, at: i });
    a.ack('a1', 'q1', 1);
    a.ack('a1', 'q2', 2);
    await a.compact();
    // no close(): as after a crash
    const b = await Outbox.open(dir);
    expect(b.pending('a1').map((r) => r.clientSeq)).toEqual([3, 4, 5]);
    expect((await b.append({ attemptId: 'a1', questionId: 'q9', value: 'z', at: 9 })).clientSeq).toBe(6);
    await b.close();
  });

  it('clientSeq stays monotonic even when compaction emptied the file', async () => {
    const dir = await tmp();
    const a = await Outbox.open(dir);
    for (let i = 1; i <= 3; i++) await a.append({ attemptId: 'a1', questionId: 'q1', value: `v${i}`, at: i });
    a.ack('a1', 'q1', 3);
    await a.compact();
    expect(await lines(dir)).toEqual([]);
    await a.close();
    const b = await Outbox.open(dir);
    expect((await b.append({ attemptId: 'a1', questionId: 'q1', value: 'w', at: 4 })).clientSeq).toBe(4);
    await b.close();
  });

  it('a torn last line (killed mid-write) is dropped and the file is rewritten clean', async () => {
    const dir = await tmp();
    const a = await Outbox.open(dir);
    await a.append({ attemptId: 'a1', questionId: 'q1', value: 'ok', at: 1 });
    await appendFile(join(dir, OUTBOX_FILE), '{"attemptId":"a1","questionId":"q2","val');
    const b = await Outbox.open(dir);
    expect(b.pending().map((r) => r.questionId)).toEqual(['q1']);
    expect(await lines(dir)).toHaveLength(1);
    expect((await b.append({ attemptId: 'a1', questionId: 'q3', value: 'n', at: 3 })).clientSeq).toBe(2);
    expect((await lines(dir)).map((l) => l.questionId)).toEqual(['q1', 'q3']);
    await b.close();
  });

  it('sends only the newest value of a question; acknowledging it settles the older ones', async () => {
    const dir = await tmp();
    const box = await Outbox.open(dir);
    await box.append({ attemptId: 'a1', questionId: 'q1', value: 'old', at: 1 });
    await box.append({ attemptId: 'a1', questionId: 'q2', value: 'b', at: 2 });
    await box.append({ attemptId: 'a1', questionId: 'q1', value: 'new', at: 3 });
    await box.append({ attemptId: 'other', questionId: 'q1', value: 'elsewhere', at: 4 });
    expect(box.nextToSend('a1')).toMatchObject({ questionId: 'q2', clientSeq: 2 });
    box.ack('a1', 'q2', 2);
    expect(box.nextToSend('a1')).toMatchObject({ questionId: 'q1', value: 'new', clientSeq: 3 });
    box.ack('a1', 'q1', 3);
    expect(box.pendingCount('a1')).toBe(0);
    expect(box.pendingCount()).toBe(1);
    await box.close();
  });

  it('compacts on its own after enough acknowledgements', async () => {
    const dir = await tmp();
    const box = await Outbox.open(dir, { compactAfterAcks: 10 });
    for (let i = 1; i <= 12; i++) await box.append({ attemptId: 'a1', questionId: `q${i}`, value: 'v', at: i });
    for (let i = 1; i <= 9; i++) box.ack('a1', `q${i}`, i);
    expect(box.maybeCompact()).toBeUndefined();
    box.ack('a1', 'q10', 10);
    await box.maybeCompact();
    expect((await lines(dir)).map((l) => l.clientSeq)).toEqual([11, 12]);
    await box.close();
  });

  it('raiseSeqFloor keeps new numbers above what the server already holds, across restarts', async () => {
    const dir = await tmp();
    const a = await Outbox.open(dir);
    await a.raiseSeqFloor(500);
    expect((await a.append({ attemptId: 'a1', questionId: 'q1', value: 'v', at: 1 })).clientSeq).toBe(501);
    a.ack('a1', 'q1', 501);
    await a.close();
    const b = await Outbox.open(dir);
    expect(b.lastSeq).toBe(501);
    await b.close();
  });
});
