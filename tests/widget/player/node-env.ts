// nanostores' development build reads process.env.NODE_ENV, which Vite replaces at build time but
// web-test-runner serves as is; imported first by tests that create the <live-shop> element.
(globalThis as { process?: unknown }).process ??= { env: { NODE_ENV: 'development' } };
