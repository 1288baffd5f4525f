// npm run beauty -- in.png out.png [--smooth 0.7 --brighten 0.2 --sharpen 0]
//                   in.y4m out.y4m [...]           every frame, 4:2:0
//                   in.yuv out.yuv --size WxH [...]  raw packed I420 frames
import { readFile, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { PNG } from 'pngjs';
import { BEAUTY_DEFAULTS, BeautyFilter } from '../../host/beauty-filter.ts';
import { numberOption, parseArgs, runCli } from '../args.ts';
import { loadMediaCore } from '../load.ts';
import { decodeY4m, encodeY4m, i420Bytes } from '../y4m.ts';

function frameSize(size: string | undefined): [number, number] {
  const match = /^(\d+)x(\d+)$/.exec(size ?? '');
  if (!match) throw new Error('raw .yuv input needs --size WIDTHxHEIGHT');
  return [Number(match[1]), Number(match[2])];
}

runCli(async () => {
  const { positional, options } = parseArgs(process.argv.slice(2), ['smooth', 'brighten', 'sharpen', 'size']);
  if (positional.length !== 2) throw new Error('usage: npm run beauty -- in.(png|y4m|yuv) out.(same) [--smooth x --brighten y --sharpen z] [--size WxH]');
  const [input, output] = positional;
  const kind = extname(input).toLowerCase();
  if (extname(output).toLowerCase() !== kind) throw new Error(`output must be ${kind} like the input`);
  const filter = new BeautyFilter(await loadMediaCore(), {
    smooth: numberOption(options, 'smooth', BEAUTY_DEFAULTS.smooth),
    brighten: numberOption(options, 'brighten', BEAUTY_DEFAULTS.brighten),
    sharpen: numberOption(options, 'sharpen', BEAUTY_DEFAULTS.sharpen),
  });
  const bytes = await readFile(input);
  let frames: number;
  const started = performance.now();
  if (kind === '.png') {
    const png = PNG.sync.read(bytes);
    filter.process(png.data, png.width, png.height, 'RGBA');
    frames = 1;
    await writeFile(output, PNG.sync.write(png));
  } else if (kind === '.y4m') {
    const video = decodeY4m(bytes);
    for (const frame of video.frames) filter.process(frame, video.width, video.height, 'I420');
    frames = video.frames.length;
    await writeFile(output, encodeY4m(video));
  } else if (kind === '.yuv') {
    const [width, height] = frameSize(options.get('size'));
    const size = i420Bytes(width, height);
    if (bytes.length % size !== 0) throw new Error(`${input} is ${bytes.length} bytes, not a whole number of ${width}x${height} I420 frames (${size} bytes each)`);
    for (let at = 0; at < bytes.length; at += size) filter.process(bytes.subarray(at, at + size), width, height, 'I420');
    frames = bytes.length / size;
    await writeFile(output, bytes);
  } else {
    throw new Error(`unsupported input ${kind || input}: use .png, .y4m or .yuv`);
  }
  const elapsed = performance.now() - started;
  console.log(`${output}: ${frames} frame(s), ${(elapsed / frames).toFixed(2)} ms per frame including decode/encode`);
});
