import { describe, expect, it } from 'vitest';
import { finishedWording, timeWarning } from './wording.ts';

describe('what the candidate reads at the end and as time runs low', () => {
  it('time up says the time ran out and the answers are stored; a submit or staff ending says so', () => {
    expect(finishedWording('completed', 0)).toEqual({ title: 'Time is up', text: expect.stringMatching(/^Your time ran out.*Your answers are stored on the exam server/) });
    expect(finishedWording('expired', 0).title).toBe('Time is up');
    expect(finishedWording('completed', 1_200).title).toBe('Your exam is submitted');
    expect(finishedWording('terminated', 0).title).toBe('Your exam was ended by staff');
    expect(finishedWording('expired', null).title).toBe('Your exam has expired');
  });

  it('the warnings: 5 minutes from 300 s left, 1 minute from 60 s, none before or at 0', () => {
    expect([3_600, 301, 300, 61, 60, 1, 0, null].map(timeWarning)).toEqual([null, null, '5', '5', '1', '1', null, null]);
  });
});
