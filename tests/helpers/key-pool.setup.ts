// vitest setup file: the test processes take RSA-2048 keys from the pool (tests/helpers/key-pool.ts). Component
// tests run in a DOM environment, make no keys and cannot read the pool's file path: they are left alone.
if (!('document' in globalThis)) {
  const { useKeyPool } = await import('./key-pool.js');
  useKeyPool();
}
