/** The parts of Electron's `Display` the cover planning needs. */
export interface DisplayInfo {
  id: number;
  bounds: { x: number; y: number; width: number; height: number };
}

/**
 * Which displays get a black cover window: every display except the one the exam window is on.
 * Keyed by display id so the caller can diff against the covers it already has when displays are
 * added, removed or rearranged.
 */
export function planCovers(displays: readonly DisplayInfo[], examDisplayId: number): Map<number, DisplayInfo['bounds']> {
  const plan = new Map<number, DisplayInfo['bounds']>();
  for (const d of displays) if (d.id !== examDisplayId) plan.set(d.id, { ...d.bounds });
  return plan;
}

/** What to do to go from the covers we have to the plan: open, move, close (by display id). */
export function diffCovers(
  current: ReadonlyMap<number, DisplayInfo['bounds']>,
  plan: ReadonlyMap<number, DisplayInfo['bounds']>,
): { open: number[]; move: number[]; close: number[] } {
  const open: number[] = [];
  const move: number[] = [];
  const close: number[] = [];
  for (const [id, b] of plan) {
    const had = current.get(id);
    if (!had) open.push(id);
    else if (had.x !== b.x || had.y !== b.y || had.width !== b.width || had.height !== b.height) move.push(id);
  }
  for (const id of current.keys()) if (!plan.has(id)) close.push(id);
  return { open, move, close };
}
