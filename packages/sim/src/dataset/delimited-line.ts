/** How the fields of a delimited line are separated. */
export type Delimiter = '\t' | ',' | ';' | 'whitespace';

/**
 * The delimiter of a file, told from its first line: a tab if there is one
 * (TSV, MovieLens), else a comma (CSV), else a semicolon (spreadsheet CSV in
 * locales that use the decimal comma), else runs of whitespace. ISO dates and
 * ids contain none of these, so the first line decides reliably.
 */
export function detectDelimiter(firstLine: string): Delimiter {
  if (firstLine.includes('\t')) return '\t';
  if (firstLine.includes(',')) return ',';
  if (firstLine.includes(';')) return ';';
  return 'whitespace';
}

/**
 * The fields of one line, trimmed. For commas and semicolons, fields may be
 * double-quoted (RFC 4180, `""` for a quote inside), so a quoted id may
 * contain the delimiter; a field cannot span lines. Returns undefined for an
 * unterminated quote.
 */
export function splitFields(line: string, delimiter: Delimiter): string[] | undefined {
  if (delimiter === 'whitespace') return line.trim().split(/\s+/);
  if (delimiter === '\t' || !line.includes('"')) return line.split(delimiter).map((f) => f.trim());
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    while (line[i] === ' ') i++;
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) return undefined;
        const c = line[i]!;
        if (c === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += c;
        i++;
      }
      // Anything between the closing quote and the delimiter is kept, as spreadsheets do.
      const next = line.indexOf(delimiter, i);
      field += (next < 0 ? line.slice(i) : line.slice(i, next)).trim();
      fields.push(field);
      if (next < 0) return fields;
      i = next + 1;
    } else {
      const next = line.indexOf(delimiter, i);
      fields.push((next < 0 ? line.slice(i) : line.slice(i, next)).trim());
      if (next < 0) return fields;
      i = next + 1;
    }
  }
}
