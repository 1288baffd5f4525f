// Loads the same media core build the browser fetches (dist/wasm/media.wasm) into Node.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { MediaCoreError, instantiateMediaCore, type MediaCoreExports } from '../host/media-core.ts';

export const MEDIA_WASM_PATH = fileURLToPath(new URL('../../dist/wasm/media.wasm', import.meta.url));

export async function loadMediaCore(path = MEDIA_WASM_PATH): Promise<MediaCoreExports> {
  const bytes = await readFile(path).catch((cause: unknown) => {
    throw new MediaCoreError('not-configured', `cannot read ${path}: run npm run build:wasm first`, { cause });
  });
  return instantiateMediaCore(bytes);
}
