import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'server/**/*.test.ts',
      'workers/**/*.test.ts',
      'web/src/**/*.test.ts',
      'web/e2e/**/*.test.ts',
      'loadtest/**/*.test.ts',
    ],
    // Files run in parallel processes; each uses its own Redis key prefix and database.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // How long expect.poll waits for a browser or socket to get there: a limit for a busy CI machine
    // (a page under a parallel suite can take seconds to go live), never a timing assertion.
    expect: { poll: { timeout: 15_000 } },
  },
});
