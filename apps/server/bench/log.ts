/** Bench output goes to stdout, one line at a time. */
export const log = (s: string): void => void process.stdout.write(`${s}\n`);
