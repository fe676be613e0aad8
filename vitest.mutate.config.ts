import { defineConfig } from "vitest/config";

// The in-process tests of the providers, poll's pass and the filters: what `npm run mutate -- --quick` measures.
export default defineConfig({
  test: {
    include: [
      "test/providers/**/*.test.ts",
      "test/poll/state.test.ts",
      "test/poll/stripe.test.ts",
      "test/poll/github.test.ts",
      "test/units.test.ts",
    ],
    globalSetup: ["test/setup/build-dist.ts"],
    testTimeout: 30_000,
    pool: "forks",
  },
});
