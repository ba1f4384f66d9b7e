"""Paired ratios, press laws and the press summary (lib.kv.press_compare) on synthetic data with known answers."""
import numpy as np
import pytest

from lib import store
from lib.kv.press_compare import paired_ratio, press_law, press_measurement, press_ratios, press_summary

W = np.array([16, 32, 64, 128, 256])


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
    unpaired = paired_ratio(a, rng.permutation(b), n_boot=500)
    assert unpaired[2] - unpaired[1] > 5 * (hi - lo)   # the same data unpaired: a far wider interval
    with pytest.raises(ValueError, match="per_a"):
        paired_ratio(a[:3], b, n_boot=100)


def test_paired_ratio_per_budget_matches_one_budget_at_a_time():
    rng = np.random.default_rng(2)
    b = rng.lognormal(sigma=1.0, size=(30, 5))
    a = b * np.array([0.1, 0.2, 0.5, 1.0, 2.0]) * rng.lognormal(sigma=0.1, size=(30, 5))
    r, lo, hi = paired_ratio(a, b, n_boot=300)
    assert r.shape == lo.shape == (5,) and np.all((lo < r) & (r < hi))
    assert np.all(np.abs(np.log(r / [0.1, 0.2, 0.5, 1.0, 2.0])) < 0.1)
    assert r[2] == pytest.approx(paired_ratio(a[:, 2], b[:, 2], n_boot=300)[0])


def test_press_law_finds_the_exponent_and_no_curvature_of_a_power_law():
    rng = np.random.default_rng(3)
    seg = 2.0 * W ** -0.8 * rng.lognormal(sigma=0.3, size=(40, 1)) * rng.lognormal(sigma=0.02, size=(40, 5))
    law = press_law(W, seg, n_boot=300)
    assert law["alpha"][1] < 0.8 < law["alpha"][2] and law["alpha"][2] - law["alpha"][1] < 0.1
    assert law["power_law"] and law["kappa"][1] < 0 < law["kappa"][2]


def test_press_law_detects_the_curvature_of_a_cutoff():
    rng = np.random.default_rng(4)
    curve = W ** -0.5 * np.exp(-W / 100)              # local exponent 0.5 + w/100 grows: kappa < 0
    seg = curve * rng.lognormal(sigma=0.3, size=(40, 1)) * rng.lognormal(sigma=0.02, size=(40, 5))
    law = press_law(W, seg, n_boot=300)
    assert not law["power_law"] and law["kappa"][2] < 0


def _toy_table(tmp_path, laws, segments=6):
    rows = {c: [] for c in ("press", "budget", "entries", "segment", "kl", "nll_excess", "n")}
    for s in range(segments):
        for press, (C, alpha) in laws.items():
            for k, wi in enumerate(W):
                noise = np.exp(0.01 * s + 0.003 * ((s + k) % 3))
                for c, v in zip(rows, (press, wi, wi, s, C * wi ** -alpha * noise, 0.0, 8)):
                    rows[c].append(v)
    store.write_table(tmp_path / "toy-presses", rows, {"what": "synthetic"})
    return press_measurement("toy", data_dir=tmp_path)


def test_press_summary_ranks_and_fits_known_power_laws(tmp_path):
    m = _toy_table(tmp_path, {"window": (1.0, 0.5), "random": (4.0, 0.2), "tova": (0.5, 1.5)})
    out = press_summary(m, 64, n_boot=50)
    assert [r["press"] for r in out] == ["tova", "window", "random"]
    assert {r["press"]: round(r["alpha"], 2) for r in out} == {"tova": 1.5, "window": 0.5, "random": 0.2}
    assert all(r["power_law"] for r in out)
    tova = out[0]
    assert tova["window"][0] == pytest.approx(0.5 * 64 ** -1.5 / 64 ** -0.5, rel=1e-4)
    assert tova["random"][0] == pytest.approx(0.5 * 64 ** -1.5 / (4 * 64 ** -0.2), rel=1e-4)
    with pytest.raises(ValueError, match="budget"):
        press_summary(m, 100, n_boot=50)


def test_press_ratios_at_every_budget(tmp_path):
    m = _toy_table(tmp_path, {"window": (1.0, 0.5), "random": (4.0, 0.2), "tova": (0.5, 1.5)})
    w, r, lo, hi = press_ratios(m, "random", n_boot=50)["tova"]
    assert w.tolist() == W.tolist()
    assert np.allclose(r, 0.5 * W ** -1.5 / (4 * W ** -0.2), rtol=1e-4)
    assert np.all((lo <= r * (1 + 1e-4)) & (r <= hi * (1 + 1e-4)))
    with pytest.raises(ValueError, match="reference"):
        press_ratios(m, "snapkv", n_boot=50)


@pytest.mark.parametrize("model", ["smollm2-135m", "gemma3-270m"])
def test_the_stored_press_runs_used_todays_default_plan(model):
    """A changed default would move ``--resume`` to a new work directory: the stored run's plan must hash alike."""
    from dataclasses import fields

    from lib.kv.press_measure import PressPlan, press_plan, quant_plan

    stored = store.read_json(store.DATA_DIR / "kv" / f"{model}-presses.json")["plan"]
    plan = PressPlan(**{f.name: tuple(v) if isinstance(v := stored[f.name], list) else v for f in fields(PressPlan)})
    assert plan.key() == press_plan(model).key()
    assert quant_plan(model, "tova").key() != plan.key()


def test_the_stored_pincheck_reads_back_as_rows(tmp_path):
    from lib.kv.pincheck import stored

    store.write_record(tmp_path / "pincheck.json", {"models": {"m": {"ids_equal": True, "max_abs_dlogp": 2e-7,
                       "n_values": 10, "segments": 2, "positions": 5}}}, {"environments": {"a": "x", "b": "y"}})
    rows, meta = stored(tmp_path)
    assert rows == [["m", "yes", 2e-7, 10, "2 × 5"]] and meta["environments"]["b"] == "y"
