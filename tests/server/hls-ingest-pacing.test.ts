/**
 * The ingest never pushes back on LiveKit: when ffmpeg stops reading, the pacer drops picture
 * ticks instead of queueing frames, keeps sound flowing (bounded), and stops with detach().
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { LiveKitSource } from '../../server/ingest/livekit-source.ts';
import type { LiveKit } from '../../server/livekit/livekit.ts';

/** A pipe whose reader never reads: every write stays queued. */
class StalledPipe extends Writable {
  writes = 0;
  override _write(_chunk: Buffer, _encoding: string, _callback: (error?: Error | null) => void): void {
    this.writes += 1; // never calls back: the reader is stuck
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('LiveKit ingest pacing', () => {
  it('drops frames instead of queueing them when the encoder does not keep up', async () => {
    const source = new LiveKitSource({ room: 'r', livekit: {} as LiveKit, fps: 30, onFirstFrame: () => { throw new Error('not used'); } });
    const width = 64;
    const height = 36;
    const frame = { width, height, data: new Uint8Array(width * height * 1.5), convert() { return this; } };
    Object.assign(source as unknown as Record<string, unknown>, { latest: frame, size: { width, height } });
    const video = new StalledPipe({ highWaterMark: 1 });
    const audio = new StalledPipe({ highWaterMark: 1 });
    source.attach(video, audio);
    await sleep(600);
    source.detach();
    const ticks = source.droppedTicks + 1;
    assert.ok(ticks >= 10, `the pacer ticked at about 30 per second (${ticks} in 0.6 s)`);
    assert.equal(video.writableLength, width * height * 1.5, 'exactly one frame waits for ffmpeg, the rest were dropped');
    assert.ok(source.droppedTicks >= ticks - 2);
    assert.ok(audio.writableLength > 0 && audio.writableLength <= 48_000 * 2, 'sound keeps flowing, at most a second of it queued');
    await sleep(200);
    const after = source.droppedTicks;
    await sleep(200);
    assert.equal(source.droppedTicks, after, 'detach stops the pacer');
  });
});
