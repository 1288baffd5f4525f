/** Small pieces of the LL-HLS path that need no relay: the ladder and the origin's show lifecycle. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HlsOrigin } from '../../server/hls/origin.ts';
import { ladderFor } from '../../server/ingest/ladder.ts';

const timing = { partTarget: 0.2, targetDuration: 1, windowSegments: 30 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ABR ladder', () => {
  it('derives two renditions from the source, capped at 720 lines, with even sizes', () => {
    assert.deepEqual(ladderFor(1280, 720, 30).map((r) => [r.name, r.width, r.height]), [['720p', 1280, 720], ['360p', 640, 360]]);
    assert.deepEqual(ladderFor(1920, 1080, 30).map((r) => r.height), [720, 360]);
    const portrait = ladderFor(720, 1280, 30);
    assert.deepEqual(portrait.map((r) => [r.width, r.height]), [[406, 720], [202, 360]]);
    const odd = ladderFor(333, 251, 30);
    for (const rung of odd) assert.ok(rung.width % 2 === 0 && rung.height % 2 === 0, `${rung.width}x${rung.height} is even`);
    assert.ok(ladderFor(1280, 720, 30)[0]!.videoKbps > ladderFor(1280, 720, 30)[1]!.videoKbps);
  });

  it('rejects a source without a size', () => {
    assert.throws(() => ladderFor(0, 720, 30), /invalid source size/);
  });
});

describe('HLS origin', () => {
  it('keeps an ended show for the retention time, then forgets it', async () => {
    const origin = new HlsOrigin(timing, 100);
    const show = origin.open('room', [{ name: '360p', bandwidth: 600_000 }], 'a');
    origin.end('room');
    assert.equal(show.ended, true);
    assert.equal(origin.get('room'), show, 'an ended show stays playable');
    await sleep(200);
    assert.equal(origin.get('room'), undefined);
  });

  it('a new show replaces the ended one and is not evicted by the old timer', async () => {
    const origin = new HlsOrigin(timing, 100);
    const first = origin.open('room', [{ name: '360p', bandwidth: 600_000 }], 'a');
    origin.end('room');
    const second = origin.open('room', [{ name: '360p', bandwidth: 600_000 }], 'b');
    assert.equal(first.ended, true);
    await sleep(200);
    assert.equal(origin.get('room'), second);
    assert.equal(second.ended, false);
    origin.close();
    assert.equal(second.ended, true);
  });
});
