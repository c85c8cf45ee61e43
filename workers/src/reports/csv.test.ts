import { describe, expect, it } from 'vitest';
import { csvCell, isoTime, toCsv } from './csv.js';

describe('csv', () => {
  it('quotes fields with commas, quotes and line breaks, doubling the quotes', () => {
    expect(csvCell('Procter & Gamble')).toBe('Procter & Gamble');
    expect(csvCell('Berkshire, Class B')).toBe('"Berkshire, Class B"');
    expect(csvCell('the "safe" one')).toBe('"the ""safe"" one"');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
  });

  it('writes numbers as JSON does, and null as an empty field', () => {
    expect([0.1 + 0.2, 1e21, -5, 190.5, null, undefined].map(csvCell)).toEqual(
      [0.1 + 0.2, 1e21, -5, 190.5].map((n) => JSON.stringify(n)).concat(['', '']),
    );
  });

  it('defuses text a spreadsheet would run as a formula', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell(-12.5)).toBe('-12.5');
  });

  it('has a header row and CRLF line ends', () => {
    expect(toCsv(['a', 'b'], [[1, 'x,y']])).toBe('a,b\r\n1,"x,y"\r\n');
  });

  it('writes times as ISO 8601 UTC', () => {
    expect(isoTime(Date.UTC(2026, 10, 25, 13, 5))).toBe('2026-11-25T13:05:00.000Z');
  });
});
