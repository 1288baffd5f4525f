// nanostores' development build reads process.env.NODE_ENV, which the browser test server does not
// define; imported first by tests that load the studio's stores.
const scope = globalThis as { process?: { env: Record<string, string> } };
scope.process ??= { env: { NODE_ENV: 'development' } };
