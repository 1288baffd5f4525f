import { clockBandHeight, drawClockCode } from './clock-code.ts';

export interface TestPatternOptions {
  width?: number;
  height?: number;
  frameRate?: number;
}

/**
 * A synthetic camera and microphone: a moving picture that carries its capture time (see
 * clock-code.ts) and a tone that beeps once a second. Lets anyone go live without a camera, and
 * lets the benchmarks measure true glass-to-glass latency.
 */
export class TestPattern {
  readonly stream: MediaStream;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly audio: AudioContext;
  private frame = 0;

  constructor(options: TestPatternOptions = {}) {
    const width = options.width ?? 1280;
    const height = options.height ?? 720;
    const frameRate = options.frameRate ?? 30;
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d', { alpha: false })!;
    const video = canvas.captureStream(frameRate);
    // A timer, not requestAnimationFrame, so that the pattern keeps moving in a background tab.
    this.timer = setInterval(() => this.draw(ctx, width, height), 1000 / frameRate);
    this.draw(ctx, width, height);

    this.audio = new AudioContext({ sampleRate: 48000 });
    const tone = this.audio.createOscillator();
    tone.frequency.value = 440;
    const gain = this.audio.createGain();
    gain.gain.value = 0;
    const destination = this.audio.createMediaStreamDestination();
    tone.connect(gain).connect(destination);
    tone.start();
    const start = this.audio.currentTime;
    for (let second = 0; second < 3600; second++) {
      gain.gain.setValueAtTime(0.2, start + second);
      gain.gain.setValueAtTime(0, start + second + 0.1);
    }
    this.stream = new MediaStream([...video.getVideoTracks(), ...destination.stream.getAudioTracks()]);
  }

  /** Audio contexts start suspended until a user gesture; call from the "Go live" click. */
  resume(): Promise<void> {
    return this.audio.resume();
  }

  stop(): void {
    clearInterval(this.timer);
    for (const track of this.stream.getTracks()) track.stop();
    void this.audio.close();
  }

  private draw(ctx: CanvasRenderingContext2D, width: number, height: number): void {
    const now = Date.now();
    const t = this.frame++ / 30;
    const band = clockBandHeight(height);
    const hue = (t * 20) % 360;
    const gradient = ctx.createLinearGradient(0, 0, width, height);
    gradient.addColorStop(0, `hsl(${hue} 70% 45%)`);
    gradient.addColorStop(1, `hsl(${(hue + 120) % 360} 70% 35%)`);
    ctx.fillStyle = gradient;
    ctx.fillRect(0, band, width, height - band);
    const bars = ['#f43f5e', '#f59e0b', '#10b981', '#3b82f6', '#a855f7', '#f8fafc'];
    const barWidth = width / bars.length;
    bars.forEach((colour, i) => {
      ctx.fillStyle = colour;
      ctx.fillRect(i * barWidth, height - height / 6, barWidth, height / 6);
    });
    const x = width / 2 + Math.sin(t * 1.3) * width * 0.35;
    const y = height / 2 + Math.cos(t * 0.9) * height * 0.2;
    ctx.fillStyle = '#fff';
    ctx.beginPath();
    ctx.arc(x, y, height / 10, 0, Math.PI * 2);
    ctx.fill();
    ctx.fillStyle = '#fff';
    ctx.font = `bold ${Math.round(height / 14)}px system-ui, sans-serif`;
    ctx.textAlign = 'center';
    ctx.fillText('live-shop test pattern', width / 2, band + height / 8);
    ctx.font = `${Math.round(height / 20)}px ui-monospace, monospace`;
    ctx.fillText(new Date(now).toISOString().slice(11, 23), width / 2, band + height / 8 + height / 14);
    drawClockCode(ctx, width, height, now);
  }
}
