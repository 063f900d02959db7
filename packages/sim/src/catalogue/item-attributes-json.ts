import { buildCatalogue } from '@fedrec/core/catalogue';
import type { Catalogue, CatalogueEntry } from '@fedrec/core/catalogue';
import { DatasetError, parseError, quote } from '../dataset/dataset-error.js';
import { readLines } from '../dataset/read-lines.js';

/**
 * An S3-Rec-style `item2attributes.json` (`Beauty_item2attributes.json`):
 * one object, item id → array of attributes, `{"4": [1, 2, 3], "83": [4, 5, 6]}`.
 * Numeric attribute ids become `attribute:ID` (the file names no kinds:
 * Amazon's category-path entries and brand share one numbering); string
 * attributes are kept as they are.
 *
 * Read with a small scanner for exactly this shape rather than `JSON.parse`,
 * whose errors in Node 20 often give no position: a garbled file is reported
 * with its line, what was expected and what was found there.
 *
 * @example
 * const catalogue = await loadItemAttributesJson('Beauty_item2attributes.json');
 */
export async function loadItemAttributesJson(path: string): Promise<Catalogue> {
  const lines: string[] = [];
  for await (const line of readLines(path)) lines.push(line);
  const entries = new ItemAttributesScanner(lines.join('\n'), path).read();
  if (entries.length === 0) throw new DatasetError('EMPTY', 'no items in the file', path);
  return buildCatalogue(entries);
}

class ItemAttributesScanner {
  private at = 0;

  constructor(
    private readonly text: string,
    private readonly path: string,
  ) {}

  read(): CatalogueEntry[] {
    const entries: CatalogueEntry[] = [];
    const seen = new Set<string>();
    this.expect('{', "an object of item id → attributes ('{')");
    if (!this.accept('}')) {
      do {
        this.skipSpace();
        const start = this.at;
        const id = this.string('an item id (a JSON string)');
        if (seen.has(id)) throw parseError(this.path, this.lineOf(start), 'each item once', `a second entry for ${quote(id)}`);
        seen.add(id);
        this.expect(':', "':' after the item id");
        entries.push({ id, attributes: this.attributes() });
      } while (this.accept(','));
      this.expect('}', "',' or '}' after an item's attributes");
    }
    this.skipSpace();
    if (this.at < this.text.length) throw this.error('the end of the file after the closing }');
    return entries;
  }

  private attributes(): string[] {
    const attributes: string[] = [];
    this.expect('[', "an array of attributes ('[')");
    if (this.accept(']')) return attributes;
    do {
      this.skipSpace();
      const c = this.text[this.at];
      if (c === '"') {
        const name = this.string('an attribute');
        if (name === '') throw this.error('a non-empty attribute name');
        attributes.push(name);
      } else {
        const match = /^-?\d+/.exec(this.text.slice(this.at, this.at + 32));
        if (match === null) throw this.error('an attribute (an integer id or a string)');
        this.at += match[0].length;
        attributes.push(`attribute:${match[0]}`);
      }
    } while (this.accept(','));
    this.expect(']', "',' or ']' in an attribute array");
    return attributes;
  }

  private string(expected: string): string {
    this.skipSpace();
    if (this.text[this.at] !== '"') throw this.error(expected);
    const start = this.at;
    this.at++;
    while (this.at < this.text.length && this.text[this.at] !== '"') {
      if (this.text[this.at] === '\\') this.at++;
      if (this.text[this.at] === '\n') break;
      this.at++;
    }
    if (this.text[this.at] !== '"') {
      this.at = start;
      throw this.error(`${expected}, closed on its line`);
    }
    this.at++;
    try {
      return JSON.parse(this.text.slice(start, this.at)) as string;
    } catch {
      this.at = start;
      throw this.error(`${expected} with valid escapes`);
    }
  }

  private accept(c: string): boolean {
    this.skipSpace();
    if (this.text[this.at] !== c) return false;
    this.at++;
    return true;
  }

  private expect(c: string, expected: string): void {
    if (!this.accept(c)) throw this.error(expected);
  }

  private skipSpace(): void {
    while (this.at < this.text.length && /\s/.test(this.text[this.at]!)) this.at++;
  }

  /** 1-based line of a position: counted only when an error is reported, so reading stays linear. */
  private lineOf(position: number): number {
    let line = 1;
    for (let i = 0; i < position; i++) if (this.text.charCodeAt(i) === 10) line++;
    return line;
  }

  private error(expected: string): DatasetError {
    this.skipSpace();
    const line = this.lineOf(this.at);
    if (this.at >= this.text.length) return new DatasetError('PARSE', `expected ${expected}, got the end of the file`, this.path, line);
    return parseError(this.path, line, expected, this.text.slice(this.at, this.at + 20));
  }
}
