"""Anchors for the CLI throughput bench (bench/cli-throughput.ts), on the same cait HDF5 file:
  raw FILE.h5      h5py reads events/event in chunks of 64 events: the raw read rate
  mainpar FILE.h5 N  cait's way: main parameters record by record in numpy, first N records
Prints one JSON line with records_per_s."""
import json
import sys
import time

import h5py
import numpy as np


def raw(path):
    with h5py.File(path, "r") as f:
        ds = f["events/event"]
        nch, n, L = ds.shape
        t0 = time.perf_counter()
        total = 0.0
        for s in range(0, n, 64):
            total += float(ds[:, s:s + 64, :][0, 0, 0])
        seconds = time.perf_counter() - t0
    return {"records": nch * n, "seconds": seconds, "records_per_s": nch * n / seconds}


def main_parameters(x, w=50):
    """cait's calc_main_parameters (box-car 50, offset of the first 1/8, linear drift of 500)."""
    L = len(x)
    offset = np.mean(x[:L // 8])
    padded = np.concatenate([np.full(w // 2, x[0]), x, np.full(w - w // 2 - 1, x[-1])])
    s = np.convolve(padded, np.ones(w) / w, mode="valid") - offset
    drift = (np.mean(s[-500:]) - np.mean(s[:500])) / L
    t_max = int(np.argmax(s - drift * np.arange(L)))
    h = s[t_max]
    below = np.where(s[:t_max] < 0.2 * h)[0]
    t_zero = int(below[-1]) if len(below) else 0
    above = np.where(s[t_zero:] > 0.8 * h)[0]
    t_rise = t_zero + int(above[0]) if len(above) else t_zero
    end = np.where(s[t_max:] < 0.368 * h)[0]
    t_end = t_max + int(end[0]) if len(end) else L - 1
    half = np.where(s[:t_end + 1] > 0.736 * h)[0]
    t_half = int(half[-1]) if len(half) else t_end
    decay = np.where(s[:t_half + 1] > 0.9 * h)[0]
    t_decay = int(decay[-1]) if len(decay) else t_half
    return (np.max(s), t_zero, t_rise, t_max, t_decay, t_half, t_end, offset, drift)


def mainpar(path, limit):
    with h5py.File(path, "r") as f:
        ds = f["events/event"]
        nch, n, L = ds.shape
        events = min(n, max(1, limit // nch))
        t0 = time.perf_counter()
        for s in range(0, events, 64):
            chunk = ds[:, s:min(events, s + 64), :].astype(np.float64)
            for c in range(nch):
                for rec in chunk[c]:
                    main_parameters(rec)
        seconds = time.perf_counter() - t0
    return {"records": nch * events, "seconds": seconds, "records_per_s": nch * events / seconds}


if __name__ == "__main__":
    mode, path = sys.argv[1], sys.argv[2]
    print(json.dumps(raw(path) if mode == "raw" else mainpar(path, int(sys.argv[3]))))
