import { describe, expect, it } from 'vitest';
import { diffCovers, planCovers } from './covers.ts';

const d = (id: number, x: number) => ({ id, bounds: { x, y: 0, width: 1920, height: 1080 } });

describe('display covers', () => {
  it('cover every display but the exam window’s', () => {
    expect([...planCovers([d(1, 0)], 1).keys()]).toEqual([]);
    expect([...planCovers([d(1, 0), d(2, 1920), d(3, -1920)], 1).keys()]).toEqual([2, 3]);
    expect(planCovers([d(1, 0), d(2, 1920)], 2).get(1)).toEqual({ x: 0, y: 0, width: 1920, height: 1080 });
  });

  it('diff to open new ones, move rearranged ones and close unplugged ones', () => {
    const current = planCovers([d(1, 0), d(2, 1920), d(3, 3840)], 1);
    const plan = planCovers([d(1, 0), d(2, 2000), d(4, -1920)], 1);
    expect(diffCovers(current, plan)).toEqual({ open: [4], move: [2], close: [3] });
    expect(diffCovers(plan, plan)).toEqual({ open: [], move: [], close: [] });
  });
});
