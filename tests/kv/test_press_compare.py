"""Paired ratios and the press summary (lib.kv.press_compare) on synthetic data with known answers."""
import numpy as np
import pytest

from lib import store
from lib.kv.press_compare import paired_ratio, press_measurement, press_summary


def test_paired_ratio_is_exact_when_the_ratio_is_constant_per_segment():
    b = np.random.default_rng(0).lognormal(size=20)
    ratio, lo, hi = paired_ratio(3 * b, b, n_boot=200)
    assert ratio == pytest.approx(3) and lo == pytest.approx(3) and hi == pytest.approx(3)


def test_paired_ratio_interval_covers_the_truth_and_pairs_segments():
    rng = np.random.default_rng(1)
    b = rng.lognormal(sigma=2.0, size=40)              # heavy segment effect, shared by both methods
    a = 0.5 * b * rng.lognormal(sigma=0.05, size=40)
    ratio, lo, hi = paired_ratio(a, b, n_boot=500)
    assert lo < 0.5 < hi and hi - lo < 0.1             # pairing removes the segment effect
    with pytest.raises(ValueError, match="per_a"):
        paired_ratio(a[:3], b, n_boot=100)


def test_press_summary_ranks_and_fits_known_power_laws(tmp_path):
    w = np.array([16, 32, 64, 128, 256])
    rows = {c: [] for c in ("press", "budget", "entries", "segment", "kl", "nll_excess", "n")}
    laws = {"window": (1.0, 0.5), "random": (4.0, 0.2), "tova": (0.5, 1.5)}
    for s in range(6):
        noise = np.exp(0.01 * s)
        for press, (C, alpha) in laws.items():
            for wi in w:
                for c, v in zip(rows, (press, wi, wi, s, C * wi ** -alpha * noise, 0.0, 8)):
                    rows[c].append(v)
    store.write_table(tmp_path / "toy-presses", rows, {"what": "synthetic"})
    out = press_summary(press_measurement("toy", data_dir=tmp_path), 64, n_boot=50)
    assert [r["press"] for r in out] == ["tova", "window", "random"]
    assert {r["press"]: round(r["alpha"], 6) for r in out} == {"tova": 1.5, "window": 0.5, "random": 0.2}
    tova = out[0]
    assert tova["window"][0] == pytest.approx(0.5 * 64 ** -1.5 / 64 ** -0.5)
