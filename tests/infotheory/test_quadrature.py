"""lib.infotheory.quadrature against numpy's rule and exact polynomial integrals."""
import numpy as np
import pytest

from lib.infotheory.quadrature import gauss_legendre


@pytest.mark.parametrize("nodes", [1, 8, 64])
def test_equals_numpys_rule(nodes):
    x, w = gauss_legendre(nodes)
    ref_x, ref_w = np.polynomial.legendre.leggauss(nodes)
    np.testing.assert_array_equal(x, ref_x)
    np.testing.assert_array_equal(w, ref_w)


def test_integrates_polynomials_up_to_degree_2n_minus_1_exactly():
    x, w = gauss_legendre(5)
    for k in range(10):
        exact = (1 - (-1) ** (k + 1)) / (k + 1)
        assert w @ x ** k == pytest.approx(exact, abs=1e-13)


def test_cached_rule_is_shared_and_read_only():
    x, w = gauss_legendre(8)
    assert gauss_legendre(8)[0] is x
    with pytest.raises(ValueError):
        w[0] = 0.0


def test_rejects_zero_nodes():
    with pytest.raises(ValueError, match="`nodes`"):
        gauss_legendre(0)
