/*
 * speexdsp's preprocessor (noise suppression only) over a raw 48 kHz mono s16le file, 10 ms frames.
 * Built and run by tests/bench/media.ts:  media-speex in.raw out.raw
 * Prints the processing time per 10 ms frame in milliseconds.
 */
#include <speex/speex_preprocess.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define FRAME 480

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s in.raw out.raw\n", argv[0]);
    return 2;
  }
  FILE *in = fopen(argv[1], "rb");
  FILE *out = fopen(argv[2], "wb");
  if (!in || !out) {
    perror("open");
    return 1;
  }
  SpeexPreprocessState *state = speex_preprocess_state_init(FRAME, 48000);
  int on = 1, off = 0;
  speex_preprocess_ctl(state, SPEEX_PREPROCESS_SET_DENOISE, &on);
  speex_preprocess_ctl(state, SPEEX_PREPROCESS_SET_AGC, &off);
  speex_preprocess_ctl(state, SPEEX_PREPROCESS_SET_DEREVERB, &off);
  spx_int16_t frame[FRAME];
  double busy = 0;
  long frames = 0;
  size_t got;
  while ((got = fread(frame, sizeof(spx_int16_t), FRAME, in)) > 0) {
    for (size_t i = got; i < FRAME; i++) frame[i] = 0;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    speex_preprocess_run(state, frame);
    clock_gettime(CLOCK_MONOTONIC, &b);
    busy += (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
    frames++;
    fwrite(frame, sizeof(spx_int16_t), got, out);
  }
  speex_preprocess_state_destroy(state);
  fclose(in);
  fclose(out);
  printf("%.5f\n", frames ? busy / frames : 0.0);
  return 0;
}
