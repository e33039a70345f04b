import { getTableColumns } from 'drizzle-orm';

/** `"sql_name" AS "jsName", ...` for every column of a drizzle table (raw prepared statements). */
export function selectList(table: Parameters<typeof getTableColumns>[0], alias?: string): string {
  return Object.entries(getTableColumns(table))
    .map(([js, col]) => `${alias ? `${alias}.` : ''}"${col.name}" AS "${js}"`)
    .join(', ');
}
