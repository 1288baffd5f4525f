import { badRequest } from '../http/errors.ts';

/**
 * Parses CSV as RFC 4180 describes it: comma-separated fields, double quotes around fields that
 * hold commas, quotes or line breaks, `""` for a quote inside, CRLF or LF line ends. The first
 * row names the columns. Rows come back as objects keyed by column name, with their row number
 * as a spreadsheet shows it (the header is row 1).
 */
export function parseCsv(text: string): Array<{ row: number; fields: Record<string, string> }> {
  const records = splitRecords(text.replace(/^\uFEFF/, ''));
  const header = records.shift();
  if (!header) throw badRequest('invalid_csv', 'the CSV is empty: the first row must name the columns');
  const columns = header.cells.map((name) => name.trim().toLowerCase());
  const duplicate = columns.find((name, i) => columns.indexOf(name) !== i);
  if (duplicate) throw badRequest('invalid_csv', `row 1: column "${duplicate}" appears twice`);
  return records
    .filter((record) => !(record.cells.length === 1 && record.cells[0]!.trim() === ''))
    .map((record) => {
      if (record.cells.length !== columns.length) {
        throw badRequest('invalid_csv', `row ${record.row}: expected ${columns.length} fields (${columns.join(', ')}), found ${record.cells.length}`);
      }
      const fields: Record<string, string> = {};
      columns.forEach((name, i) => {
        fields[name] = record.cells[i]!;
      });
      return { row: record.row, fields };
    });
}

function splitRecords(text: string): Array<{ row: number; cells: string[] }> {
  const records: Array<{ row: number; cells: string[] }> = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let row = 1;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') {
        quoted = false;
      } else if (char === '\r' && text[i + 1] === '\n') {
        // A line break inside a field is kept as "\n", whatever the file's line ends.
      } else {
        cell += char;
      }
    } else if (char === '"' && cell === '') {
      quoted = true;
    } else if (char === ',') {
      cells.push(cell);
      cell = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      cells.push(cell);
      records.push({ row, cells });
      cells = [];
      cell = '';
      row++;
    } else {
      cell += char;
    }
  }
  if (quoted) throw badRequest('invalid_csv', `row ${row}: a quoted field is never closed`);
  if (cell !== '' || cells.length > 0) {
    cells.push(cell);
    records.push({ row, cells });
  }
  return records;
}
