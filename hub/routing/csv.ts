/**
 * A small RFC 4180 CSV reader for the county's rule lists (kept as spreadsheets by the people
 * who publish them). Quoted cells may hold commas, quotes ("") and line breaks. Each record keeps
 * its spreadsheet row number (1-based, counting every record, blank and comment rows included),
 * so an error can say "row 7" and mean the row a person sees in Excel or WPS.
 */
import { ConfigError } from '../../core/errors.js';

export interface CsvRecord {
  readonly row: number;
  readonly cells: readonly string[];
}

export function parseCsv(text: string, source: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let recordRow = 1;
  let i = 0;
  const endCell = () => {
    cells.push(cell);
    cell = '';
  };
  const endRecord = () => {
    endCell();
    records.push({ row: recordRow, cells });
    cells = [];
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        cell += ch;
      }
      i++;
      continue;
    }
    if (ch === '"' && cell === '') {
      quoted = true;
    } else if (ch === ',') {
      endCell();
    } else if (ch === '\r' || ch === '\n') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      recordRow++;
    } else {
      cell += ch;
    }
    i++;
  }
  if (quoted) throw new ConfigError(`${source}[row ${recordRow}]`, 'a quoted cell is not closed (missing ")');
  if (cell !== '' || cells.length > 0) endRecord();
  return records;
}
