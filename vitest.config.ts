import { defineConfig } from 'vitest/config';

// Two projects: fast tests (unit + integration over real sockets and FIFOs) and
// end-to-end tests that need the real Docker engine started by scripts/test-all.sh.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
          benchmark: { include: ['src/**/*.bench.ts'] },
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          // e2e files share one dockerd and one plugin; each file runs its cases concurrently.
          fileParallelism: false,
        },
      },
      // Two plugin builds and pushes (about 1.5 min): with `npm run test:upgrade`, and by scripts/test-all.sh after the rest.
      ...(process.env.TSLOGS_UPGRADE_E2E === '1'
        ? [{ test: { name: 'upgrade', include: ['test/upgrade/**/*.test.ts'], testTimeout: 600_000, hookTimeout: 900_000, fileParallelism: false } }]
        : []),
    ],
  },
});
