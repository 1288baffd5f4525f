import { defineConfig } from 'vite';

/**
 * Builds the script tag a shop pastes: `dist/widget/live-shop.js` is the small entry, and the
 * heavy engines (livekit-client, hls.js) are separate chunks fetched only when a show needs them.
 */
export default defineConfig({
  build: {
    outDir: 'dist/widget',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    lib: {
      entry: 'widget/index.ts',
      formats: ['es'],
      fileName: () => 'live-shop.js',
    },
    rollupOptions: {
      output: {
        chunkFileNames: '[name]-[hash].js',
      },
    },
  },
});
