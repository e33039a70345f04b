import type { ExamResults } from '@invigil/contract';
import ExcelJS from 'exceljs';

const STATUS: Record<string, string> = { not_started: 'not started', active: 'running', paused: 'paused', completed: 'submitted', expired: 'expired', terminated: 'terminated' };

/** The header and rows of the results table: one row per candidate, one column per question. */
export function resultsTable(r: ExamResults): { header: string[]; rows: (string | number | null)[][] } {
  const header = [
    'candidateId',
    'name',
    'center',
    'room',
    'seat',
    'status',
    ...r.questions.map((q) => `${q.id} (${q.points})`),
    'auto score',
    'manual score',
    'total',
    'max score',
    'unmarked',
    'incident minutes',
    'planned extra minutes',
    'extension minutes',
    'alerts',
  ];
  const rows = r.rows.map((x) => [
    x.candidateId,
    x.name,
    x.centerName,
    x.roomName,
    x.seat,
    STATUS[x.status] ?? x.status,
    ...x.points,
    x.autoScore,
    x.manualScore,
    x.total,
    x.maxScore,
    x.unmarked,
    x.incidentMinutes,
    x.plannedExtraMinutes,
    x.extensionMinutes,
    x.alerts,
  ]);
  return { header, rows };
}

const cell = (v: string | number | null) => {
  if (v === null) return '';
  const s = String(v);
  // Spreadsheet formula injection: a cell that starts like a formula is quoted as text.
  const safe = /^[=+\-@\t\r]/.test(s) && typeof v === 'string' ? `'${s}` : s;
  return /[",\r\n;]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export function resultsCsv(r: ExamResults): string {
  const { header, rows } = resultsTable(r);
  return `\uFEFF${[header, ...rows].map((line) => line.map(cell).join(',')).join('\r\n')}\r\n`;
}

export async function resultsXlsx(r: ExamResults): Promise<Buffer> {
  const { header, rows } = resultsTable(r);
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Invigil';
  const ws = wb.addWorksheet('Results', { views: [{ state: 'frozen', ySplit: 1, xSplit: 2 }] });
  ws.addRow(header).font = { bold: true };
  for (const row of rows) ws.addRow(row.map((v) => (v === null ? null : v)));
  ws.columns.forEach((c, i) => {
    c.width = i < 2 ? 22 : Math.max(10, Math.min(30, String(header[i] ?? '').length + 2));
  });
  const q = wb.addWorksheet('Questions');
  q.addRow(['id', 'type', 'points', 'prompt']).font = { bold: true };
  for (const x of r.questions) q.addRow([x.id, x.type, x.points, x.prompt]);
  q.getColumn(4).width = 80;
  return Buffer.from(await wb.xlsx.writeBuffer());
}
