// hls.js ships its light build (no subtitles, alternate audio, EME or CMCD: none of which LL-HLS
// of a live show needs) without its own typings entry; it has the full build's API.
declare module 'hls.js/light' {
  export * from 'hls.js';
  export { default } from 'hls.js';
}
