/** One line of the summary table: metric, value, note (the goal and whether it was met). */
export type Row = [string, string, string];

/** What an optional section adds to the summary, and how many requests or checks went wrong. */
export interface SectionResult {
  rows: Row[];
  problems: number;
}

export const goal = (met: boolean): string => (met ? 'met' : 'NOT met');
