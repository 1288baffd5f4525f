"""Denoise quality metrics for tests/bench/media.ts (run in the bench's venv).

Reads a JSON manifest on stdin: [{"id": str, "clean": path, "outputs": {method: path}}], every file
48 kHz mono. Each output is aligned by its lag against the noisy input (cross-correlation, +-100 ms;
the noisy input holds everything a denoiser may keep, so babble cannot pull the match), then scored:
SI-SDR (Le Roux et al. 2019), STOI (pystoi), wideband PESQ (pesq, at 16 kHz), and the attenuation of
the noise in speech pauses relative to the "noisy" output. Writes {id: {method: {metric: value}}}.
"""
import json
import sys

import numpy as np
from pesq import pesq
from pystoi import stoi
from scipy.io import wavfile
from scipy.signal import fftconvolve, resample_poly

RATE = 48000


def read(path):
    rate, data = wavfile.read(path)
    if rate != RATE:
        raise SystemExit(f"{path}: {rate} Hz, expected {RATE}")
    return data.astype(np.float64) / 32768.0


def lag_of(estimate, reference, max_lag=4800):
    corr = fftconvolve(estimate, reference[::-1], mode="full")
    center = len(reference) - 1
    window = corr[center - max_lag:center + max_lag + 1]
    return int(np.argmax(np.abs(window))) - max_lag


def shift(estimate, reference, lag):
    shifted = np.zeros_like(reference)
    if lag >= 0:
        part = estimate[lag:lag + len(reference)]
        shifted[:len(part)] = part
    else:
        part = estimate[:len(reference) + lag]
        shifted[-lag:-lag + len(part)] = part
    return shifted


def si_sdr(estimate, reference):
    reference = reference - reference.mean()
    estimate = estimate - estimate.mean()
    target = np.dot(estimate, reference) / np.dot(reference, reference) * reference
    noise = estimate - target
    return 10 * np.log10(np.dot(target, target) / max(np.dot(noise, noise), 1e-20))


def pause_mask(clean, frame=960):
    frames = len(clean) // frame
    energy = (clean[:frames * frame].reshape(frames, frame) ** 2).mean(axis=1)
    quiet = energy < energy.max() * 1e-5
    return np.repeat(quiet, frame), frames * frame


def main():
    manifest = json.load(sys.stdin)
    results = {}
    for item in manifest:
        clean = read(item["clean"])
        mask, usable = pause_mask(clean)
        clean16 = resample_poly(clean, 1, 3)
        noisy = read(item["outputs"]["noisy"])
        outputs = {}
        for method, path in item["outputs"].items():
            out = read(path)
            outputs[method] = shift(out, clean, lag_of(out, noisy))
        noisy_pause = np.sum(outputs["noisy"][:usable][mask] ** 2)
        scores = {}
        for method, out in outputs.items():
            pause = np.sum(out[:usable][mask] ** 2)
            scores[method] = {
                "sisdr": float(si_sdr(out, clean)),
                "stoi": float(stoi(clean, out, RATE, extended=False)),
                "pesq": float(pesq(16000, clean16, resample_poly(out, 1, 3), "wb")),
                "pauseDb": float(10 * np.log10(max(noisy_pause, 1e-20) / max(pause, 1e-20))),
            }
        results[item["id"]] = scores
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
