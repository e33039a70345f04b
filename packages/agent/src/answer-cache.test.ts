import { describe, expect, it } from 'vitest';
import { AnswerCache } from './answer-cache.ts';

describe('AnswerCache (the answers shown for the attempt running here)', () => {
  it('holds one attempt: another attempt reads nothing, and writes for it are ignored', () => {
    const c = new AnswerCache();
    c.scope('att-a');
    c.put('att-a', { questionId: 'q1', value: 'a', clientSeq: 1, synced: false });
    c.put('att-b', { questionId: 'q2', value: 'from b', clientSeq: 2, synced: false });
    expect(c.list('att-a')).toEqual([{ questionId: 'q1', value: 'a', clientSeq: 1, synced: false }]);
    expect(c.list('att-b')).toEqual([]);
    expect(c.list(null)).toEqual([]);

    c.scope('att-b'); // the next attempt starts empty
    expect(c.list('att-b')).toEqual([]);
    expect(c.list('att-a')).toEqual([]);
    c.markSynced('att-a', 'q1', 1);
    c.put('att-a', { questionId: 'q1', value: 'late', clientSeq: 3, synced: true });
    expect(c.list('att-b')).toEqual([]);
  });

  it('a newer value wins; at the same clientSeq the acknowledged one; clear forgets everything', () => {
    const c = new AnswerCache();
    c.scope('att');
    c.put('att', { questionId: 'q1', value: 'new', clientSeq: 5, synced: false });
    c.put('att', { questionId: 'q1', value: 'old', clientSeq: 4, synced: true });
    expect(c.list('att')).toEqual([{ questionId: 'q1', value: 'new', clientSeq: 5, synced: false }]);
    c.put('att', { questionId: 'q1', value: 'new', clientSeq: 5, synced: true });
    expect(c.list('att')[0]).toMatchObject({ synced: true });
    c.markSynced('att', 'q1', 4); // an older ack does not touch the newer value
    c.put('att', { questionId: 'q1', value: 'newest', clientSeq: 6, synced: false });
    c.markSynced('att', 'q1', 5);
    expect(c.list('att')[0]).toMatchObject({ value: 'newest', synced: false });
    c.clear();
    expect(c.list('att')).toEqual([]);
  });
});
