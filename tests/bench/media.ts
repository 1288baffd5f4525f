// npm run bench:media: denoise quality and speed against RNNoise and speexdsp, beauty speed and
// quality, pacing against present-on-arrival. Prints tables; asserts nothing about speed.
import { availableParallelism, loadavg } from 'node:os';
import { loadMediaCore } from '../../wasm/node/load.ts';
import { formatTable } from '../../wasm/node/table.ts';
import { PACING_HEADER, pacingRows } from '../../wasm/pacing/report.ts';
import { standardTraces } from '../../wasm/pacing/trace.ts';
import { beautyBench } from './media-beauty.ts';
import { denoiseBench } from './media-denoise.ts';
import { MissingPiece, ensureBenchTools } from './media-setup.ts';

const log = (line: string) => console.error(`bench:media: ${line}`);

async function main(): Promise<void> {
  ensureBenchTools(log);
  const core = await loadMediaCore();
  const only = process.argv[2];
  const sections: string[] = [];
  if (!only || only === 'pacing') {
    log('pacing on the standard traces (60 s each)');
    sections.push(`Pacing (30 fps source)\n${formatTable(PACING_HEADER, pacingRows(standardTraces(60), core))}`);
  }
  if (!only || only === 'beauty') {
    log('beauty speed and quality');
    sections.push(beautyBench(core));
  }
  if (!only || only === 'denoise') {
    log('denoise: building mixtures and running the three denoisers');
    sections.push(await denoiseBench(core, log));
  }
  const load = loadavg().map((v) => v.toFixed(1)).join(' ');
  console.log(`${sections.join('\n\n')}\n\nMachine load average at the end (1/5/15 min): ${load} on ${availableParallelism()} cores; speed figures are single-thread.`);
}

main().catch((error: unknown) => {
  console.error(error instanceof MissingPiece ? `bench:media stopped: ${error.message}` : error);
  process.exit(1);
});
