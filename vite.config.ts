import { defineConfig } from 'vite';

/**
 * Builds the script tag a shop pastes: `dist/widget/live-shop.js` is the small entry, and the
 * heavy engines (livekit-client, hls.js) are separate chunks fetched only when a show needs them.
 * `live-shop-studio.js` is the host's console, a second entry that shares those chunks.
 * (A plain build with named entries rather than library mode, which leaves ES output unminified.)
 */
export default defineConfig({
  publicDir: false,
  build: {
    outDir: 'dist/widget',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    minify: true,
    modulePreload: false,
    // livekit-client and hls.js are large by nature; they are lazy chunks, budgeted in scripts/size.ts.
    chunkSizeWarningLimit: 800,
    rollupOptions: {
      input: { 'live-shop': 'widget/index.ts', 'live-shop-studio': 'widget/studio.ts' },
      preserveEntrySignatures: 'exports-only',
      output: {
        entryFileNames: '[name].js',
        chunkFileNames: '[name]-[hash].js',
      },
    },
  },
});
