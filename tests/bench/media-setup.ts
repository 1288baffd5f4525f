// What `npm run bench:media` needs beyond npm: Debian packages (installed with apt-get when running as
// root), a Python venv under .cache/ with pesq, pystoi and scikit-image, and the speexdsp harness.
// Stops with a message naming the missing piece otherwise.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const BENCH_DIR = join(process.cwd(), '.cache', 'bench');
const VENV = join(BENCH_DIR, 'venv');
export const PYTHON = join(VENV, 'bin', 'python');
export const SPEEX_HARNESS = join(BENCH_DIR, 'media-speex');
const DEBIAN = ['alsa-utils', 'espeak-ng', 'sox', 'libspeexdsp-dev', 'gcc'];
const PYPI = ['numpy', 'scipy', 'pesq', 'pystoi', 'scikit-image'];

export class MissingPiece extends Error {}

function run(command: string, args: string[], what: string): void {
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0) throw new MissingPiece(`${what} failed (${command} ${args.join(' ')}): ${(result.stderr ?? result.error?.message ?? '').trim().slice(-400)}`);
}

function debianMissing(): string[] {
  return DEBIAN.filter((name) => spawnSync('dpkg', ['-s', name], { stdio: 'ignore' }).status !== 0);
}

export function ensureBenchTools(log: (line: string) => void): void {
  mkdirSync(BENCH_DIR, { recursive: true });
  let missing = debianMissing();
  if (missing.length) {
    if (process.getuid?.() !== 0) throw new MissingPiece(`install the Debian packages ${missing.join(', ')} (apt-get install ${missing.join(' ')}) and run again`);
    log(`installing Debian packages: ${missing.join(' ')}`);
    run('apt-get', ['update', '-qq'], 'apt-get update');
    run('apt-get', ['install', '-y', '-qq', ...missing], 'apt-get install');
    missing = debianMissing();
    if (missing.length) throw new MissingPiece(`Debian packages still missing: ${missing.join(', ')}`);
  }
  if (!existsSync('/usr/share/sounds/alsa/Front_Center.wav')) throw new MissingPiece('/usr/share/sounds/alsa/*.wav (Debian alsa-utils) not found');
  const probe = () => spawnSync(PYTHON, ['-c', 'import numpy, scipy, pesq, pystoi, skimage'], { stdio: 'ignore' }).status === 0;
  if (!existsSync(PYTHON) || !probe()) {
    log(`setting up the Python venv (${PYPI.join(', ')}) in ${VENV}`);
    if (!existsSync(PYTHON)) run('python3', ['-m', 'venv', VENV], 'creating the venv');
    run(PYTHON, ['-m', 'pip', 'install', '-q', ...PYPI], 'pip install');
    if (!probe()) throw new MissingPiece(`the venv ${VENV} cannot import ${PYPI.join(', ')}`);
  }
  run('gcc', ['-O2', '-o', SPEEX_HARNESS, 'tests/bench/media-speex.c', '-lspeexdsp'], 'building the speexdsp harness');
}

/** A file the venv's Python computes (stdout), e.g. the scikit-image sample picture. */
export function python(args: string[], input?: string): string {
  return execFileSync(PYTHON, args, { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['pipe', 'pipe', 'inherit'] });
}
