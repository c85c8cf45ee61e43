import { describe, expect, it } from 'vitest';
import { shortFile, summarise, type CpuProfile } from './cpu-profile.js';

const BUILD = 'file:///work/main/node_modules/.cache/tickdash-fanout/server/src';
const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

// root ─┬ (program)   ─ (idle)   ─ (garbage collector)
//       ├ run (flush-scheduler) ─ flush (portfolio-feed) ─ stringify (native)
//       ├ onTicks (portfolio-feed) ─ applyTick (portfolio-book)
//       └ sweep (slow-readers)
const PROFILE: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 3, 4, 10, 7, 9] },
    { id: 2, callFrame: frame('(program)') },
    { id: 3, callFrame: frame('(idle)') },
    { id: 4, callFrame: frame('(garbage collector)') },
    { id: 10, callFrame: frame('run', `${BUILD}/gateway/flush-scheduler.js`, 40), children: [5] },
    { id: 5, callFrame: frame('flush', `${BUILD}/gateway/portfolio-feed.js`, 170), children: [6] },
    { id: 6, callFrame: frame('stringify') },
    { id: 7, callFrame: frame('onTicks', `${BUILD}/gateway/portfolio-feed.js`, 150), children: [8] },
    { id: 8, callFrame: frame('applyTick', `${BUILD}/engine/portfolio-book.js`, 115) },
    { id: 9, callFrame: frame('sweep', `${BUILD}/gateway/slow-readers.js`, 49) },
  ],
  // Sample i lasts until sample i + 1: 1 ms each, the last one 0.
  samples: [3, 6, 6, 8, 4, 9, 5, 2, 3],
  timeDeltas: [0, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000],
  startTime: 0,
  endTime: 8000,
};

describe('summarise', () => {
  const s = summarise(PROFILE);
  const ms = (rows: { name: string; ms: number }[], name: string) => rows.find((r) => r.name === name)?.ms;

  it('counts each sample until the next one, and tells idle from busy time', () => {
    expect(s.totalMs).toBe(8);
    expect(s.busyMs).toBe(7);
  });

  it('puts a sample in the area of its nearest matching frame', () => {
    expect(ms(s.areas, 'flush: deltas → frames → publish')).toBe(3); // stringify ×2 and flush itself
    expect(ms(s.areas, 'tick path: XREAD reply → ticks → engine')).toBe(1); // applyTick under onTicks
    expect(ms(s.areas, 'GC')).toBe(1);
    expect(ms(s.areas, 'backpressure sweep')).toBe(1);
    expect(ms(s.areas, 'native, not attributed (program)')).toBe(1);
    expect(s.areas.find((r) => r.name === 'idle')).toBeUndefined();
    expect(s.areas[0]).toEqual({ name: 'flush: deltas → frames → publish', ms: 3, share: 3 / 7 });
  });

  it('sums self time by function and by file, with source paths inside the repository', () => {
    expect(ms(s.functions, 'stringify')).toBe(2);
    expect(ms(s.functions, 'applyTick  server/src/engine/portfolio-book.js:116')).toBe(1);
    expect(ms(s.files, 'server/src/gateway/portfolio-feed.js')).toBe(1);
    expect(ms(s.files, 'server/src/gateway/flush-scheduler.js')).toBeUndefined(); // no self time
  });
});

describe('summarise with a window', () => {
  it('counts only the samples taken inside it', () => {
    // Samples are taken at 0, 1000, 2000 ... µs; the window holds those at 1000, 2000 and 3000.
    const s = summarise(PROFILE, 25, { fromUs: 1000, toUs: 4000 });
    expect(s.busyMs).toBe(3);
    expect(s.functions.map((r) => [r.name, r.ms])).toEqual([
      ['stringify', 2],
      ['applyTick  server/src/engine/portfolio-book.js:116', 1],
    ]);
  });
});

describe('shortFile', () => {
  it('maps builds and dependencies to paths a reader finds', () => {
    expect(shortFile(`${BUILD}/gateway/portfolio-feed.js`)).toBe('server/src/gateway/portfolio-feed.js');
    expect(shortFile('file:///work/main/node_modules/ioredis/built/Redis.js')).toBe(
      'node_modules/ioredis/built/Redis.js',
    );
    expect(shortFile('file:///work/main/dist/server/src/app.js')).toBe('server/src/app.js');
    expect(shortFile('node:internal/timers')).toBe('node:internal/timers');
    expect(shortFile('')).toBe('(native)');
  });
});
