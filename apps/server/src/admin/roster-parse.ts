import { RosterJson } from '@invigil/contract';
import { CsvError, parse } from 'csv-parse/sync';
import { invalid } from '../ports/errors.ts';

export type RosterColumn = 'candidateId' | 'name' | 'accessCode' | 'center' | 'room' | 'seat' | 'extraTimeMinutes' | 'restBreakMinutes';
const REQUIRED: RosterColumn[] = ['candidateId', 'name'];

/** Header names, compared without case, spaces, '_' or '-'. */
const HEADER: Record<string, RosterColumn> = {
  candidateid: 'candidateId',
  name: 'name',
  accesscode: 'accessCode',
  center: 'center',
  centre: 'center',
  centerid: 'center',
  room: 'room',
  roomid: 'room',
  seat: 'seat',
  extratime: 'extraTimeMinutes',
  extratimeminutes: 'extraTimeMinutes',
  restbreak: 'restBreakMinutes',
  restbreaks: 'restBreakMinutes',
  restbreakminutes: 'restBreakMinutes',
};

export const MAX_ROSTER_ROWS = 100_000;

/** One source row before validation: where it came from and its raw fields. */
export interface RawRosterRow {
  /** CSV: the physical line where the record starts (header = 1). JSON: index + 1. */
  line: number;
  fields: Record<string, unknown>;
  /** The row could not even be read as a row (wrong number of CSV fields, not a JSON object). */
  shapeError?: string;
}

const bad = (message: string, details?: unknown) => invalid('BAD_REQUEST', message, details);

function delimiterOf(text: string): string {
  const first = text.split(/\r\n|\n|\r/, 1)[0] ?? '';
  if (first.includes(',')) return ',';
  if (first.includes(';')) return ';';
  if (first.includes('\t')) return '\t';
  return ',';
}

/**
 * Reads a roster CSV with csv-parse: a header row naming candidateId, name, accessCode and
 * optionally center, room, seat (any order), then one candidate per record. Blank lines are
 * skipped but still counted, so reported line numbers match what an editor shows.
 */
export function parseRosterCsv(text: string): RawRosterRow[] {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      info: true,
      bom: true,
      trim: true,
      relax_quotes: true,
      relax_column_count: true,
      skip_empty_lines: false,
      delimiter: delimiterOf(text.replace(/^\uFEFF/, '')),
      record_delimiter: ['\r\n', '\n', '\r'],
      max_record_size: 64 * 1024,
    }) as unknown as typeof records; // with `info: true` each record comes with its position
  } catch (e) {
    if (e instanceof CsvError) {
      const line = typeof e.lines === 'number' ? e.lines : undefined;
      throw bad(`the CSV cannot be read${line ? ` (line ${line})` : ''}: ${e.message}`, line ? [{ line, message: e.message }] : undefined);
    }
    throw e;
  }

  let header: RosterColumn[] | null = null;
  const rows: RawRosterRow[] = [];
  let previousEnd = 0;
  for (const { record, info } of records) {
    const line = previousEnd + 1;
    previousEnd = info.lines;
    if (record.every((cell) => cell === '')) continue;
    if (header === null) {
      header = readHeader(record, line);
      continue;
    }
    if (rows.length >= MAX_ROSTER_ROWS) throw bad(`a roster holds at most ${MAX_ROSTER_ROWS} rows`);
    const fields: Record<string, unknown> = {};
    header.forEach((col, i) => {
      const cell = record[i];
      // An empty optional cell clears that part of the placement; an empty required one is reported.
      fields[col] = cell === undefined || cell === '' ? (REQUIRED.includes(col) ? undefined : null) : cell;
    });
    const shapeError = record.length !== header.length ? `expected ${header.length} fields, found ${record.length}` : undefined;
    rows.push({ line, fields, ...(shapeError ? { shapeError } : {}) });
  }
  if (header === null) throw bad('the CSV is empty: it needs a header row (candidateId,name[,accessCode,center,room,seat])');
  return rows;
}

function readHeader(record: string[], line: number): RosterColumn[] {
  const columns: RosterColumn[] = [];
  const problems: string[] = [];
  for (const raw of record) {
    const col = HEADER[raw.toLowerCase().replace(/[\s_-]/g, '')];
    if (!col) problems.push(`unknown column "${raw}"`);
    else if (columns.includes(col)) problems.push(`column "${raw}" appears twice`);
    else columns.push(col);
  }
  for (const col of REQUIRED) if (!columns.includes(col)) problems.push(`missing column "${col}"`);
  if (problems.length) {
    throw bad(`the CSV header (line ${line}) is not usable: ${problems.join('; ')}. Expected candidateId,name[,accessCode,center,room,seat,extraTime,restBreak]`, [{ line, message: problems.join('; ') }]);
  }
  return columns;
}

/** Reads `{candidates:[...]}`; each element is checked later, on its own, so every bad one is reported. */
export function parseRosterJson(text: string): RawRosterRow[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw invalid('MALFORMED_JSON', 'the request body is not valid JSON');
  }
  const parsed = RosterJson.safeParse(raw);
  if (!parsed.success) throw invalid('VALIDATION_FAILED', 'the request body is invalid', parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  const body = parsed.data;
  return body.candidates.map((c, i) =>
    typeof c === 'object' && c !== null && !Array.isArray(c) ? { line: i + 1, fields: c as Record<string, unknown> } : { line: i + 1, fields: {}, shapeError: 'expected an object' },
  );
}
