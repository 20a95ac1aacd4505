"""nn.datasets: sizes, labels, geometry, determinism, noise, and bad arguments."""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Callable

import pytest

from nn import datasets
from nn.datasets import make_blobs, make_circles, make_moons, make_xor

pytestmark = pytest.mark.core

MAKERS: list[Callable[..., tuple[list[list[float]], list[int]]]] = [
    make_moons,
    make_circles,
    make_xor,
    make_blobs,
]
IDS = ["moons", "circles", "xor", "blobs"]


@pytest.mark.parametrize("make", MAKERS, ids=IDS)
@pytest.mark.parametrize("n", [1, 2, 3, 7, 100])
def test_exactly_n_samples_of_floats_and_int_labels(make, n: int) -> None:  # type: ignore[no-untyped-def]
    X, y = make(n, noise=0.1, seed=0)
    assert len(X) == len(y) == n
    assert all(isinstance(p, list) and len(p) == 2 for p in X)
    assert all(type(c) is float and math.isfinite(c) for p in X for c in p)
    assert all(type(label) is int for label in y)
    if make is make_blobs:
        assert set(y) <= {0, 1, 2}
    else:
        assert set(y) <= {0, 1}


@pytest.mark.parametrize("make", MAKERS, ids=IDS)
def test_same_seed_same_data_other_seed_other_data(make) -> None:  # type: ignore[no-untyped-def]
    state = random.getstate()
    a = make(50, noise=0.2, seed=3)
    assert a == make(50, noise=0.2, seed=3)
    assert a == make(50, noise=0.2, seed=random.Random(3))
    assert a != make(50, noise=0.2, seed=4)
    assert random.getstate() == state  # the global random state is not touched
    assert make(50, noise=0.2) != make(50, noise=0.2)  # unseeded: fresh data


def test_known_values_stay_fixed_across_versions() -> None:
    # pins the generator: the same seed must give the same data on every Python
    X, _ = make_moons(4, noise=0.0, seed=0)
    assert sorted(map(tuple, X)) == sorted(
        [(1.0, 0.0), (-1.0, math.sin(math.pi)), (0.0, 0.5), (2.0, 0.5 - math.sin(math.pi))]
    )
    assert make_xor(3, seed=1)[1] == [int((p[0] > 0) != (p[1] > 0)) for p in make_xor(3, seed=1)[0]]
    assert make_xor(2, seed=1)[0] == [
        [-0.7312715117751976, 0.6948674738744653],
        [0.5275492379532281, -0.4898619485211566],
    ]


def test_moons_lie_on_two_half_circles() -> None:
    X, y = make_moons(101, seed=0)
    assert y.count(0) == 50 and y.count(1) == 51
    for (a, b), label in zip(X, y):
        if label == 0:  # upper moon: unit circle around (0, 0), y >= 0
            assert math.isclose(math.hypot(a, b), 1.0, rel_tol=1e-12)
            assert b >= -1e-15
        else:  # lower moon: unit circle around (1, 0.5), y <= 0.5
            assert math.isclose(math.hypot(a - 1.0, b - 0.5), 1.0, rel_tol=1e-12)
            assert b <= 0.5 + 1e-15


def test_moons_are_shuffled() -> None:
    _, y = make_moons(100, seed=0)
    assert y != sorted(y)


def test_circles_radii() -> None:
    X, y = make_circles(60, seed=0, factor=0.3)
    assert y.count(0) == 30 and y.count(1) == 30
    for p, label in zip(X, y):
        assert math.isclose(math.hypot(*p), 1.0 if label == 0 else 0.3, rel_tol=1e-12)
    X, _ = make_circles(8, seed=0)
    assert len({tuple(round(c, 12) for c in p) for p in X}) == 8  # no duplicate point at 2π


def test_xor_labels_are_sign_disagreement() -> None:
    X, y = make_xor(500, seed=0)
    assert all(-1.0 <= c <= 1.0 for p in X for c in p)
    assert y == [int((a > 0) != (b > 0)) for a, b in X]
    assert 200 < sum(y) < 300


def test_blobs_centers_counts_and_dimensions() -> None:
    centers = [[0.0, 0.0, 0.0], [10.0, 10.0, 10.0], [-5.0, 5.0, 0.0]]
    X, y = make_blobs(10, centers=centers, cluster_std=0.0, seed=0)
    assert [y.count(k) for k in range(3)] == [4, 3, 3]
    for p, label in zip(X, y):
        assert p == centers[label]
    X, y = make_blobs(300, centers=2, cluster_std=0.5, seed=1)
    assert set(y) == {0, 1}
    for k in (0, 1):
        pts = [p for p, label in zip(X, y) if label == k]
        for d in (0, 1):
            coords = [p[d] for p in pts]
            assert -11 < statistics.fmean(coords) < 11
            assert 0.4 < statistics.stdev(coords) < 0.6


@pytest.mark.parametrize("make", MAKERS, ids=IDS)
def test_noise_is_gaussian_with_that_standard_deviation(make) -> None:  # type: ignore[no-untyped-def]
    # the same seed draws the same clean points and order; noise is added last
    clean, y0 = make(2000, noise=0.0, seed=5)
    noisy, y1 = make(2000, noise=0.25, seed=5)
    assert y0 == y1
    diffs = [b - a for p, q in zip(clean, noisy) for a, b in zip(p, q)]
    assert abs(statistics.fmean(diffs)) < 0.02
    assert abs(statistics.stdev(diffs) - 0.25) < 0.01


@pytest.mark.parametrize("make", MAKERS, ids=IDS)
@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"n_samples": 0}, ValueError, "n_samples must be at least 1, got 0"),
        ({"n_samples": -5}, ValueError, "n_samples"),
        ({"n_samples": 2.0}, TypeError, "n_samples must be an int"),
        ({"n_samples": True}, TypeError, "n_samples"),
        ({"noise": -0.1}, ValueError, "noise must be a finite number >= 0, got -0.1"),
        ({"noise": math.nan}, ValueError, "noise"),
        ({"noise": math.inf}, ValueError, "noise"),
        ({"noise": "0.1"}, TypeError, "noise must be a number"),
        ({"seed": "x"}, TypeError, "seed"),
    ],
)
def test_bad_arguments(make, kwargs: dict, exc: type, match: str) -> None:  # type: ignore[no-untyped-def, type-arg]
    args = {"n_samples": 10, **kwargs}
    with pytest.raises(exc, match=match):
        make(args.pop("n_samples"), **args)


@pytest.mark.parametrize(
    ("call", "exc"),
    [
        (lambda: make_circles(10, factor=1.0), ValueError),
        (lambda: make_circles(10, factor=0.0), ValueError),
        (lambda: make_circles(10, factor="a"), TypeError),
        (lambda: make_blobs(10, centers=0), ValueError),
        (lambda: make_blobs(10, centers=[]), ValueError),
        (lambda: make_blobs(10, centers=[[0, 0], [1]]), ValueError),
        (lambda: make_blobs(10, centers=[[0, math.nan]]), ValueError),
        (lambda: make_blobs(10, centers=True), TypeError),
        (lambda: make_blobs(10, cluster_std=-1.0), ValueError),
    ],
)
def test_bad_dataset_options(call: Callable[[], object], exc: type) -> None:
    with pytest.raises(exc):
        call()


def test_module_exports() -> None:
    assert set(datasets.__all__) == {"make_moons", "make_circles", "make_xor", "make_blobs"}


# --- numpy scalars and huge numbers ----------------------------------------------------

MAKERS = [
    datasets.make_moons,
    datasets.make_circles,
    datasets.make_xor,
    datasets.make_blobs,
]


@pytest.mark.parametrize("make", MAKERS, ids=lambda f: f.__name__)
def test_numpy_scalars_are_numbers(make) -> None:  # type: ignore[no-untyped-def]
    np = pytest.importorskip("numpy", reason="numpy scalars need numpy")
    X, y = make(np.int64(10), noise=np.float32(0.1), seed=np.int64(3))
    assert (X, y) == make(10, noise=float(np.float32(0.1)), seed=3)
    assert len(X) == 10 and len(y) == 10


def test_numpy_scalars_for_the_other_arguments() -> None:
    np = pytest.importorskip("numpy", reason="numpy scalars need numpy")
    assert datasets.make_circles(6, factor=np.float32(0.5), seed=0) == datasets.make_circles(
        6, factor=0.5, seed=0
    )
    blobs = datasets.make_blobs(
        9, centers=np.int64(2), cluster_std=np.float64(0.5), seed=np.int32(1)
    )
    assert blobs == datasets.make_blobs(9, centers=2, cluster_std=0.5, seed=1)
    pts = datasets.make_blobs(4, centers=[[np.float32(1.0), np.int64(2)]], seed=0)[0]
    assert pts == datasets.make_blobs(4, centers=[[1.0, 2.0]], seed=0)[0]


@pytest.mark.parametrize("make", MAKERS, ids=lambda f: f.__name__)
def test_huge_noise_is_a_clear_error(make) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=r"noise must be a finite number, got an int of about 401"):
        make(3, noise=10**400)
    with pytest.raises(ValueError, match="noise must be a finite number"):
        make(3, noise=10**5000)


def test_huge_other_arguments_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="cluster_std must be a finite number"):
        datasets.make_blobs(3, cluster_std=10**400)
    with pytest.raises(ValueError, match="factor must be a finite number"):
        datasets.make_circles(3, factor=10**400)
    with pytest.raises(ValueError, match=r"centers\[0\] has a non-number or non-finite entry"):
        datasets.make_blobs(3, centers=[[10**400, 0]])
