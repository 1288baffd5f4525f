/**
 * Just enough ISO BMFF (ISO/IEC 14496-12) to cut ffmpeg's fragmented MP4 into LL-HLS parts:
 * split the byte stream into top-level boxes, read track timescales and codecs from `moov`,
 * and read each `moof`'s per-track start time, duration and whether it starts on a sync sample.
 */

export interface TrackInfo {
  id: number;
  kind: 'video' | 'audio' | 'other';
  timescale: number;
  /** RFC 6381 codec string, e.g. "avc1.64001f" or "mp4a.40.2". */
  codec: string | null;
  width: number | null;
  height: number | null;
}

export interface FragmentTrack {
  trackId: number;
  /** `tfdt` baseMediaDecodeTime in the track's timescale. */
  baseTime: number;
  /** Sum of the sample durations in the track's timescale. */
  duration: number;
  samples: number;
  /** The first sample is a sync sample (a keyframe for video). */
  startsWithSync: boolean;
}

interface Box {
  type: string;
  /** Body offsets within `data` (after the 8- or 16-byte header). */
  start: number;
  end: number;
}

/** Splits a byte stream into complete top-level boxes, however the stream was chunked. */
export class BoxSplitter {
  private pending: Buffer = Buffer.alloc(0);

  /** Returns every box completed by this chunk, each as its own buffer (header included). */
  push(chunk: Buffer): { type: string; data: Buffer }[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: { type: string; data: Buffer }[] = [];
    let offset = 0;
    while (this.pending.length - offset >= 8) {
      let size = this.pending.readUInt32BE(offset);
      const type = this.pending.toString('latin1', offset + 4, offset + 8);
      if (size === 1) {
        if (this.pending.length - offset < 16) break;
        size = Number(this.pending.readBigUInt64BE(offset + 8));
      }
      if (size < 8) throw new Error(`invalid MP4 box "${type}" of size ${size}`);
      if (this.pending.length - offset < size) break;
      out.push({ type, data: this.pending.subarray(offset, offset + size) });
      offset += size;
    }
    this.pending = this.pending.subarray(offset);
    return out;
  }
}

function children(data: Buffer, start: number, end: number): Box[] {
  const boxes: Box[] = [];
  let offset = start;
  while (offset + 8 <= end) {
    let size = data.readUInt32BE(offset);
    const type = data.toString('latin1', offset + 4, offset + 8);
    let header = 8;
    if (size === 1) {
      size = Number(data.readBigUInt64BE(offset + 8));
      header = 16;
    } else if (size === 0) {
      size = end - offset;
    }
    if (size < header || offset + size > end) break;
    boxes.push({ type, start: offset + header, end: offset + size });
    offset += size;
  }
  return boxes;
}

const child = (data: Buffer, box: Box, type: string): Box | undefined => children(data, box.start, box.end).find((b) => b.type === type);

function path(data: Buffer, box: Box, types: string[]): Box | undefined {
  let at: Box | undefined = box;
  for (const type of types) {
    if (!at) return undefined;
    at = child(data, at, type);
  }
  return at;
}

const hex = (n: number) => n.toString(16).padStart(2, '0');

/** Reads the tracks of an init segment's `moov` box (`data` is the whole box). */
export function readMoov(data: Buffer): TrackInfo[] {
  const moov: Box = { type: 'moov', start: 8, end: data.length };
  const tracks: TrackInfo[] = [];
  for (const trak of children(data, moov.start, moov.end).filter((b) => b.type === 'trak')) {
    const tkhd = child(data, trak, 'tkhd');
    const mdhd = path(data, trak, ['mdia', 'mdhd']);
    const hdlr = path(data, trak, ['mdia', 'hdlr']);
    const stsd = path(data, trak, ['mdia', 'minf', 'stbl', 'stsd']);
    if (!tkhd || !mdhd || !hdlr) continue;
    const tkhdVersion = data[tkhd.start]!;
    const mdhdVersion = data[mdhd.start]!;
    const id = data.readUInt32BE(tkhd.start + (tkhdVersion === 1 ? 20 : 12));
    const timescale = data.readUInt32BE(mdhd.start + (mdhdVersion === 1 ? 20 : 12));
    const handler = data.toString('latin1', hdlr.start + 8, hdlr.start + 12);
    const kind = handler === 'vide' ? 'video' : handler === 'soun' ? 'audio' : 'other';
    let codec: string | null = null;
    let width: number | null = null;
    let height: number | null = null;
    // stsd: version/flags (4), entry count (4), then sample entries.
    const entry = stsd ? children(data, stsd.start + 8, stsd.end)[0] : undefined;
    if (entry && (entry.type === 'avc1' || entry.type === 'avc3')) {
      // VisualSampleEntry: 6 reserved, 2 data_reference_index, 16 pre-defined, then width, height.
      width = data.readUInt16BE(entry.start + 24);
      height = data.readUInt16BE(entry.start + 26);
      const avcC = children(data, entry.start + 78, entry.end).find((b) => b.type === 'avcC');
      codec = avcC ? `${entry.type}.${hex(data[avcC.start + 1]!)}${hex(data[avcC.start + 2]!)}${hex(data[avcC.start + 3]!)}` : entry.type;
    } else if (entry && entry.type === 'mp4a') {
      codec = 'mp4a.40.2';
    } else if (entry) {
      codec = entry.type;
    }
    tracks.push({ id, kind, timescale, codec, width, height });
  }
  return tracks;
}

/** Reads the per-track timing of a `moof` box (`data` is the whole box). */
export function readMoof(data: Buffer): FragmentTrack[] {
  const out: FragmentTrack[] = [];
  for (const traf of children(data, 8, data.length).filter((b) => b.type === 'traf')) {
    const tfhd = child(data, traf, 'tfhd');
    if (!tfhd) continue;
    const tfhdFlags = data.readUInt32BE(tfhd.start) & 0xffffff;
    const trackId = data.readUInt32BE(tfhd.start + 4);
    let at = tfhd.start + 8;
    if (tfhdFlags & 0x1) at += 8; // base_data_offset
    if (tfhdFlags & 0x2) at += 4; // sample_description_index
    let defaultDuration = 0;
    let defaultFlags = 0;
    if (tfhdFlags & 0x8) {
      defaultDuration = data.readUInt32BE(at);
      at += 4;
    }
    if (tfhdFlags & 0x10) at += 4; // default_sample_size
    if (tfhdFlags & 0x20) defaultFlags = data.readUInt32BE(at);

    const tfdt = child(data, traf, 'tfdt');
    let baseTime = 0;
    if (tfdt) baseTime = data[tfdt.start] === 1 ? Number(data.readBigUInt64BE(tfdt.start + 4)) : data.readUInt32BE(tfdt.start + 4);

    let duration = 0;
    let samples = 0;
    let firstFlags: number | null = null;
    for (const trun of children(data, traf.start, traf.end).filter((b) => b.type === 'trun')) {
      const flags = data.readUInt32BE(trun.start) & 0xffffff;
      const count = data.readUInt32BE(trun.start + 4);
      let pos = trun.start + 8;
      if (flags & 0x1) pos += 4; // data_offset
      let firstSampleFlags: number | null = null;
      if (flags & 0x4) {
        firstSampleFlags = data.readUInt32BE(pos);
        pos += 4;
      }
      for (let i = 0; i < count; i += 1) {
        let sampleDuration = defaultDuration;
        let sampleFlags = i === 0 && firstSampleFlags !== null ? firstSampleFlags : defaultFlags;
        if (flags & 0x100) {
          sampleDuration = data.readUInt32BE(pos);
          pos += 4;
        }
        if (flags & 0x200) pos += 4;
        if (flags & 0x400) {
          const perSample = data.readUInt32BE(pos);
          if (!(i === 0 && firstSampleFlags !== null)) sampleFlags = perSample;
          pos += 4;
        }
        if (flags & 0x800) pos += 4;
        if (samples === 0 && i === 0) firstFlags = sampleFlags;
        duration += sampleDuration;
      }
      samples += count;
    }
    // sample_is_non_sync_sample is bit 16 of the sample flags (ISO/IEC 14496-12 8.8.3.1).
    out.push({ trackId, baseTime, duration, samples, startsWithSync: firstFlags !== null && (firstFlags & 0x10000) === 0 });
  }
  return out;
}
