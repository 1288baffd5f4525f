import { copyFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * `npm run build:media`: the AudioWorklet and the video worker as standalone ES modules, next to a copy
 * of the media core, in `dist/widget/media/` (served at /widget/media/). They load only when the studio
 * turns processing on, never with the shopper's script tag.
 */
export default defineConfig({
  root,
  publicDir: false,
  build: {
    outDir: 'dist/widget/media',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    lib: {
      entry: {
        'denoise-worklet': 'widget/studio/media/denoise-worklet.ts',
        'video-worker': 'widget/studio/media/video-worker.ts',
      },
      formats: ['es'],
      fileName: (_format, name) => `${name}.js`,
    },
    rollupOptions: { output: { chunkFileNames: '[name]-[hash].js' } },
  },
  plugins: [
    {
      name: 'live-shop-media-wasm',
      closeBundle() {
        mkdirSync(`${root}dist/widget/media`, { recursive: true });
        copyFileSync(`${root}dist/wasm/media.wasm`, `${root}dist/widget/media/media.wasm`);
      },
    },
  ],
});
