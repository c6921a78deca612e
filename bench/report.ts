// Prints the benchmark's results as a table beside their targets and writes them as JSON.
import fs from 'node:fs';
import path from 'node:path';

export interface ReportRow {
  section: string;
  measure: string;
  value: string;
  target?: string;
  /** Undefined where a row has no target. */
  met?: boolean;
}

export function printTable(rows: ReportRow[], write: (line: string) => void = console.log): void {
  const headers = ['section', 'measure', 'value', 'target', 'met'];
  const cells = rows.map((row) => [row.section, row.measure, row.value, row.target ?? '', row.met === undefined ? '' : row.met ? 'yes' : 'NO']);
  const widths = headers.map((header, i) => Math.max(header.length, ...cells.map((cell) => (cell[i] as string).length)));
  const line = (values: string[]): string => values.map((value, i) => value.padEnd(widths[i] as number)).join('  ').trimEnd();
  write(line(headers));
  write(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const cell of cells) write(line(cell));
}

export function writeResults(directory: string, results: unknown): string {
  fs.mkdirSync(directory, { recursive: true });
  const file = path.join(directory, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}
