import { getTableColumns } from 'drizzle-orm';

/** `"sql_name" AS "jsName", ...` for every column of a drizzle table (raw prepared statements). */
export function selectList(table: Parameters<typeof getTableColumns>[0]): string {
  return Object.entries(getTableColumns(table))
    .map(([js, col]) => `"${col.name}" AS "${js}"`)
    .join(', ');
}
