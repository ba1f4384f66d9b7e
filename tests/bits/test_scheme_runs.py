"""Tests of lib.bits.scheme_runs: the stored table is complete, within budget and reproducible."""
import numpy as np
import pytest

from lib.bits.correlated import ar1_mse_lower_bound
from lib.bits.scheme_runs import (B_GRID, D_GRID, RHO_GRID, SCHEMES, SETTINGS, feasible, load, lookup,
                                  run_cell)


class TestStoredTable:
    def test_covers_the_whole_grid(self):
        runs = load()["runs"]
        assert len(runs) == len(SCHEMES) * len(B_GRID) * len(D_GRID) * len(RHO_GRID)

    def test_no_run_ever_exceeds_its_bit_budget(self):
        for key, run in load()["runs"].items():
            if run is not None:
                assert run["max_bits"] <= int(key.split("|")[1]), key

    def test_qsgd_is_absent_exactly_where_it_cannot_run(self):
        for B in B_GRID:
            assert (lookup("qsgd", B, 16, 0.0) is None) == (not feasible("qsgd", B))

    @pytest.mark.parametrize("scheme,B,d,rho", [("sign", 4, 4, 0.5), ("qsgd", 64, 4, 0.0),
                                                ("stochastic_rounding", 16, 4, 0.9),
                                                # B < d, i.i.d.: noise and coins only where the scheme reads
                                                ("sign", 4, 16, 0.0), ("stochastic_rounding", 16, 64, 0.0)])
    def test_reproduces_with_the_current_simulator(self, scheme, B, d, rho):
        fresh, stored = run_cell(scheme, B, d, rho), lookup(scheme, B, d, rho)
        assert np.allclose(fresh["mse"], stored["mse"], rtol=1e-5)


class TestLookup:
    def test_every_scheme_stays_above_the_proved_ar1_bound(self):
        for key, run in load()["runs"].items():
            if run is None:
                continue
            scheme, B, d, rho = key.split("|")
            bound = ar1_mse_lower_bound(run["rounds"][-1], int(d), SETTINGS["sigma"], float(rho), SETTINGS["r"])
            assert run["mse"][-1] > bound - 3 * run["se"][-1], key

    def test_returns_arrays(self):
        run = lookup("sign", 16, 64, 0.0)
        assert isinstance(run["mse"], np.ndarray) and run["rounds"][-1] == SETTINGS["T"]

    def test_rejects_values_off_the_stored_grid(self):
        with pytest.raises(ValueError, match="`B` must be one of the stored grid values"):
            lookup("sign", 3, 64, 0.0)
        with pytest.raises(ValueError, match="`scheme` must be one of"):
            lookup("full", 4, 64, 0.0)
        with pytest.raises(ValueError, match=r"`rho` must lie in \(-1, 1\)"):
            lookup("sign", 4, 64, 1.0)
