"""The same DSP work as bench/dsp.ts, done the way the Python tools do it (numpy/scipy, as in
cait), for a side-by-side figure. Synthetic records of the same size (2 × 16384 samples float32):
the work per record does not depend on the values.

Prints one JSON line: records/s for the optimum filter, samples/s for the OF trigger (also as a
multiple of real time at 25 kHz) and records/s for the per-record SEV fit (scipy curve_fit of
height, shift and a cubic baseline, as cait's apply_sev_fit does with its own minimiser).
"""
import json
import sys
import time

import numpy as np
from scipy import optimize, signal

L = 16384
FS = 25_000
rng = np.random.default_rng(1)
t = (np.arange(L) - L / 4) / FS * 1000.0


def pulse(t, t0=-1.11, An=4.0, At=0.02, tn=4.15, tin=2.1, tt=53.06):
    x = np.clip(t - t0, 0, None)
    p = An * (np.exp(-x / tn) - np.exp(-x / tin)) + At * (np.exp(-x / tt) - np.exp(-x / tn))
    return np.where(t >= t0, p, 0.0)


sev = pulse(t)
sev /= sev.max()
nps = np.full(L // 2 + 1, 1e-6)
window = signal.windows.tukey(L, 0.25)
H = np.conj(np.fft.rfft(sev * window)) * np.exp(-2j * np.pi * np.arange(L // 2 + 1) * np.argmax(sev) / L) / nps
H[0] = 0
H /= np.max(np.fft.irfft(np.fft.rfft(sev * window) * H))


def bench_of(n_records):
    records = (0.5 * sev + 0.002 * rng.standard_normal((n_records, L))).astype(np.float32)
    t0 = time.perf_counter()
    for start in range(0, n_records, 1000):  # cait's memsafe batches
        ev = records[start:start + 1000].astype(np.float64)
        ev = ev - ev[:, :500].mean(axis=1, keepdims=True)
        filtered = np.fft.irfft(np.fft.rfft(ev * window, axis=1) * H, axis=1)
        np.max(filtered[:, L // 8: L - L // 8], axis=1)
    return n_records / (time.perf_counter() - t0)


def bench_trigger(seconds_of_stream):
    n = int(seconds_of_stream * FS)
    stream = (0.002 * rng.standard_normal(n)).astype(np.float32)
    kernel = np.fft.irfft(H)
    t0 = time.perf_counter()
    filtered = signal.oaconvolve(stream.astype(np.float64), kernel, mode="same")
    threshold = 5 * np.std(filtered)
    j = 0
    triggers = []
    above = np.flatnonzero(filtered > threshold)
    while True:
        k = np.searchsorted(above, j)
        if k >= len(above):
            break
        i = above[k]
        m = i + int(np.argmax(filtered[i:i + L]))
        triggers.append(m)
        j = m + L // 2
    return n / (time.perf_counter() - t0)


def bench_fit(n_records):
    x = np.linspace(-1, 1, L)

    def model(tt, h, shift, a0, a1, a2, a3):
        return h * np.interp(tt - shift, t, sev, left=0.0) + a0 + a1 * x + a2 * x**2 + a3 * x**3

    records = [0.5 * sev + 0.002 * rng.standard_normal(L) for _ in range(n_records)]
    t0 = time.perf_counter()
    for r in records:
        optimize.curve_fit(model, t, r, p0=[r.max(), 0.0, 0, 0, 0, 0])
    return n_records / (time.perf_counter() - t0)


if __name__ == "__main__":
    of = bench_of(4000)
    trig = bench_trigger(600)
    fit = bench_fit(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
    print(json.dumps({
        "numpy": np.__version__,
        "of_records_per_s": of,
        "trigger_samples_per_s": trig,
        "trigger_x_real_time": trig / FS,
        "sev_fit_records_per_s": fit,
    }))
