// npm run pacing -- trace.json      prints pacing metrics, paced vs present-on-arrival
// npm run pacing -- --standard 60   the traces (30 fps, +-20/+-40 ms jitter, bursts; 60/120 Hz), 60 s each
// trace.json: { "name"?: string, "tickHz": number, "frames": [{ "captureMs": n, "arrivalMs": n }] | [[capture, arrival]] }
import { readFile } from 'node:fs/promises';
import { numberOption, parseArgs, runCli } from '../args.ts';
import { loadMediaCore } from '../load.ts';
import { formatTable } from '../table.ts';
import { PACING_HEADER, pacingRows } from '../../pacing/report.ts';
import { type ArrivalTrace, standardTraces } from '../../pacing/trace.ts';

function readTrace(text: string, name: string): ArrivalTrace {
  const raw = JSON.parse(text) as { name?: string; tickHz?: number; frames?: unknown[] };
  if (!(typeof raw.tickHz === 'number' && raw.tickHz > 0)) throw new Error(`${name}: "tickHz" must be a positive number`);
  if (!Array.isArray(raw.frames) || raw.frames.length < 4) throw new Error(`${name}: "frames" must list at least 4 frames`);
  const frames = raw.frames.map((f, i) => {
    const [captureMs, arrivalMs] = Array.isArray(f) ? f : [(f as { captureMs: number }).captureMs, (f as { arrivalMs: number }).arrivalMs];
    if (!Number.isFinite(captureMs) || !Number.isFinite(arrivalMs)) throw new Error(`${name}: frame ${i} needs numeric captureMs and arrivalMs`);
    return { captureMs: Number(captureMs), arrivalMs: Number(arrivalMs) };
  });
  return { name: raw.name ?? name, tickHz: raw.tickHz, frames };
}

runCli(async () => {
  const { positional, options } = parseArgs(process.argv.slice(2), ['standard']);
  const traces = options.has('standard')
    ? standardTraces(numberOption(options, 'standard', 60))
    : await Promise.all(positional.map(async (file) => readTrace(await readFile(file, 'utf8'), file)));
  if (traces.length === 0) throw new Error('usage: npm run pacing -- trace.json [more.json] | --standard SECONDS');
  console.log(formatTable(PACING_HEADER, pacingRows(traces, await loadMediaCore())));
});
