import { describe, it, expect } from 'vitest';
import { detectDelimiter, splitFields } from './delimited-line.js';

describe('detectDelimiter', () => {
  it('prefers tab, then comma, then semicolon, then whitespace', () => {
    expect(detectDelimiter('1\t2\t2024-01-01, noon')).toBe('\t');
    expect(detectDelimiter('1,2,3')).toBe(',');
    expect(detectDelimiter('1;2;3')).toBe(';');
    expect(detectDelimiter('1 2  3')).toBe('whitespace');
  });
});

describe('splitFields', () => {
  it('splits and trims', () => {
    expect(splitFields('a\t b \tc', '\t')).toEqual(['a', 'b', 'c']);
    expect(splitFields(' a  b c ', 'whitespace')).toEqual(['a', 'b', 'c']);
    expect(splitFields('a,,c', ',')).toEqual(['a', '', 'c']);
  });

  it('honours CSV quotes', () => {
    expect(splitFields('"a,1","say ""hi""",3', ',')).toEqual(['a,1', 'say "hi"', '3']);
    expect(splitFields('x;"y;z"', ';')).toEqual(['x', 'y;z']);
    expect(splitFields('"open,2', ',')).toBeUndefined();
  });
});
