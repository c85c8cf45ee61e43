import { describe, expect, it } from 'vitest';
import { lastSessionClose, nextSessionClose } from './session.js';

const at = (iso: string) => Date.parse(iso);
const CLOSE_21_00 = 21 * 60;

describe('trading sessions', () => {
  it('finds the last close before now, on the same day or the day before', () => {
    expect(lastSessionClose(at('2026-11-25T22:00:00Z'), CLOSE_21_00)).toBe(at('2026-11-25T21:00:00Z'));
    expect(lastSessionClose(at('2026-11-25T20:59:59Z'), CLOSE_21_00)).toBe(at('2026-11-24T21:00:00Z'));
    expect(lastSessionClose(at('2026-11-25T21:00:00Z'), CLOSE_21_00)).toBe(at('2026-11-25T21:00:00Z'));
    expect(lastSessionClose(at('2026-01-01T00:30:00Z'), CLOSE_21_00)).toBe(at('2025-12-31T21:00:00Z'));
  });

  it('finds the next close strictly after now', () => {
    expect(nextSessionClose(at('2026-11-25T21:00:00Z'), CLOSE_21_00)).toBe(at('2026-11-26T21:00:00Z'));
    expect(nextSessionClose(at('2026-11-25T10:00:00Z'), CLOSE_21_00)).toBe(at('2026-11-25T21:00:00Z'));
    expect(nextSessionClose(at('2026-11-25T10:00:00Z'), 0)).toBe(at('2026-11-26T00:00:00Z'));
  });
});
