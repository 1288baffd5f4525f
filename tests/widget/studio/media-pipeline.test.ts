// The real pipeline in Chromium on the fake camera and microphone, with the built worklet, worker and
// media core from dist/widget/media (npm run build makes them).
import { expect, waitUntil } from '@open-wc/testing';
import { MediaPipeline } from '../../../widget/studio/media/pipeline.ts';

const WASM_BASE = '/dist/widget/media';

async function framesPresented(track: MediaStreamTrack, count: number): Promise<{ width: number; frames: number }> {
  const video = document.createElement('video');
  video.muted = true;
  video.srcObject = new MediaStream([track]);
  document.body.append(video);
  await video.play();
  let frames = 0;
  await new Promise<void>((resolve) => {
    const onFrame = (_now: number, meta: VideoFrameCallbackMetadata) => {
      frames = meta.presentedFrames;
      if (frames >= count) resolve();
      else video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  });
  const width = video.videoWidth;
  video.remove();
  return { width, frames };
}

describe('MediaPipeline (Chromium, fake devices)', () => {
  let camera: MediaStream;
  before(async () => {
    camera = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360, frameRate: 30 }, audio: true });
  });
  after(() => camera.getTracks().forEach((t) => t.stop()));

  it('names wasmBase when the media core is not there', async () => {
    const error = await MediaPipeline.create({ wasmBase: '/nowhere' }).catch((e: unknown) => e);
    expect((error as Error).message).to.contain('/nowhere/media.wasm');
  });

  it('rejects a bad option, naming it', async () => {
    const error = await MediaPipeline.create({ wasmBase: WASM_BASE, options: { smooth: 3 } }).catch((e: unknown) => e);
    expect((error as Error).message).to.contain('smooth');
  });

  it('processes camera frames in the worker and reports the time per frame', async () => {
    const pipeline = await MediaPipeline.create({ wasmBase: WASM_BASE });
    const processed = await pipeline.processVideo(camera.getVideoTracks()[0]);
    expect(processed.kind).to.equal('video');
    const { width, frames } = await framesPresented(processed, 15);
    expect(width).to.equal(640);
    expect(frames).to.be.at.least(15);
    await waitUntil(() => pipeline.stats().videoMsPerFrame !== null, 'no processing time reported', { timeout: 5000 });
    expect(pipeline.stats().videoPath).to.equal('insertable-streams');
    pipeline.setOptions({ beauty: false });
    await waitUntil(() => pipeline.stats().videoMsPerFrame === null, 'beauty did not switch off', { timeout: 5000 });
    pipeline.destroy();
    expect(camera.getVideoTracks()[0].readyState).to.equal('live', 'the caller keeps its camera');
  });

  it('falls back to a canvas driven by a worker timer where insertable streams are missing', async () => {
    const scope = globalThis as { MediaStreamTrackProcessor?: unknown };
    const saved = scope.MediaStreamTrackProcessor;
    delete scope.MediaStreamTrackProcessor;
    try {
      const pipeline = await MediaPipeline.create({ wasmBase: WASM_BASE });
      const processed = await pipeline.processVideo(camera.getVideoTracks()[0]);
      expect(pipeline.stats().videoPath).to.equal('canvas');
      const { width, frames } = await framesPresented(processed, 10);
      expect(width).to.equal(640);
      expect(frames).to.be.at.least(10);
      await waitUntil(() => pipeline.stats().videoMsPerFrame !== null, 'no processing time reported', { timeout: 5000 });
      pipeline.destroy();
      expect(processed.readyState).to.equal('ended');
    } finally {
      scope.MediaStreamTrackProcessor = saved;
    }
  });

  it('runs the microphone through the denoise worklet', async () => {
    const pipeline = await MediaPipeline.create({ wasmBase: WASM_BASE });
    const processed = await pipeline.processAudio(camera.getAudioTracks()[0]);
    expect(processed.kind).to.equal('audio');
    expect(processed.readyState).to.equal('live');
    await waitUntil(() => pipeline.stats().audioMsPerQuantum !== null, 'the worklet never reported', { timeout: 5000 });
    pipeline.destroy();
  });
});
