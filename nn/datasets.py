"""Small 2-D toy datasets, generated with the standard library only.

Every ``make_*(n_samples, *, noise=0.0, seed=None, ...)`` returns ``(X, y)``:
``X`` a list of ``n_samples`` points (lists of floats), ``y`` a list of int
labels. ``noise`` is the standard deviation of Gaussian noise added to every
coordinate. The same ``seed`` (an int or a ``random.Random``) gives the same
data on every run and every supported Python (``random``'s generator is
fixed; the Gaussian noise goes through the C math library); ``seed=None``
draws fresh data. The shapes follow scikit-learn's generators of the same
names, so results compare.
"""

from __future__ import annotations

import math
import operator
import random
from collections.abc import Sequence

from .module import Seed, describe, finite_number, is_int, make_rng

__all__ = ["make_blobs", "make_circles", "make_moons", "make_xor"]

Points = list[list[float]]
Dataset = tuple[Points, list[int]]


def _check(n_samples: object, noise: object, where: str) -> tuple[int, float]:
    if not is_int(n_samples):
        raise TypeError(f"{where}: n_samples must be an int, got {describe(n_samples)}")
    n = operator.index(n_samples)  # type: ignore[arg-type]
    if n < 1:
        raise ValueError(f"{where}: n_samples must be at least 1, got {n}")
    return n, _nonnegative(noise, "noise", where)


def _nonnegative(x: object, name: str, where: str) -> float:
    v = finite_number(x, name, where)
    if v < 0.0:
        raise ValueError(f"{where}: {name} must be a finite number >= 0, got {describe(x)}")
    return v


def _linspace(start: float, stop: float, n: int, endpoint: bool = True) -> list[float]:
    if n <= 1:
        return [start][:n]
    step = (stop - start) / (n - 1 if endpoint else n)
    return [start + i * step for i in range(n)]


def _finish(points: Points, labels: list[int], noise: float, rng: random.Random) -> Dataset:
    """Shuffle points and labels together, then add the noise."""
    order = list(range(len(points)))
    rng.shuffle(order)
    xs = [points[i] for i in order]
    ys = [labels[i] for i in order]
    if noise > 0.0:
        gauss = rng.gauss
        xs = [[c + gauss(0.0, noise) for c in p] for p in xs]
    return xs, ys


def make_moons(n_samples: int = 100, *, noise: float = 0.0, seed: Seed = None) -> Dataset:
    """Two interleaving half circles: the upper one labelled 0, the lower one 1.

    Not linearly separable, so a classifier needs a non-linear boundary.
    ``n_samples // 2`` points are on the upper moon, the rest on the lower.
    """
    n, sd = _check(n_samples, noise, "make_moons")
    rng = make_rng(seed, "make_moons")
    n_out = n // 2
    n_in = n - n_out
    points = [[math.cos(t), math.sin(t)] for t in _linspace(0.0, math.pi, n_out)]
    points += [[1.0 - math.cos(t), 0.5 - math.sin(t)] for t in _linspace(0.0, math.pi, n_in)]
    return _finish(points, [0] * n_out + [1] * n_in, sd, rng)


def make_circles(
    n_samples: int = 100, *, noise: float = 0.0, seed: Seed = None, factor: float = 0.8
) -> Dataset:
    """A large circle (label 0) around a smaller one of radius ``factor`` (label 1)."""
    n, sd = _check(n_samples, noise, "make_circles")
    factor = finite_number(factor, "factor", "make_circles")
    if not 0.0 < factor < 1.0:
        raise ValueError(f"make_circles: factor must be in (0, 1), got {factor!r}")
    rng = make_rng(seed, "make_circles")
    n_out = n // 2
    n_in = n - n_out
    tau = 2.0 * math.pi
    points = [[math.cos(t), math.sin(t)] for t in _linspace(0.0, tau, n_out, endpoint=False)]
    points += [
        [factor * math.cos(t), factor * math.sin(t)]
        for t in _linspace(0.0, tau, n_in, endpoint=False)
    ]
    return _finish(points, [0] * n_out + [1] * n_in, sd, rng)


def make_xor(n_samples: int = 100, *, noise: float = 0.0, seed: Seed = None) -> Dataset:
    """Points uniform in the square [-1, 1]²; label 1 where the signs of x and y differ.

    The exclusive-or of "x > 0" and "y > 0": no straight line separates the
    classes. Labels come from the clean points; ``noise`` then blurs them.
    """
    n, sd = _check(n_samples, noise, "make_xor")
    rng = make_rng(seed, "make_xor")
    uniform = rng.uniform
    points = [[uniform(-1.0, 1.0), uniform(-1.0, 1.0)] for _ in range(n)]
    labels = [int((x > 0.0) != (y > 0.0)) for x, y in points]
    if sd > 0.0:
        gauss = rng.gauss
        points = [[x + gauss(0.0, sd), y + gauss(0.0, sd)] for x, y in points]
    return points, labels


def make_blobs(
    n_samples: int = 100,
    *,
    noise: float = 0.0,
    seed: Seed = None,
    centers: int | Sequence[Sequence[float]] = 3,
    cluster_std: float = 1.0,
) -> Dataset:
    """Gaussian blobs around ``centers``; the label is the index of a point's center.

    ``centers`` is a number of centers (placed uniformly at random in the
    box [-10, 10]²) or a list of center points of any one dimension. Each
    coordinate is its center's plus Gaussian noise of standard deviation
    ``cluster_std``, plus ``noise``. Points are spread over the centers as
    evenly as possible (the first centers get one more when it does not
    divide), then shuffled.
    """
    n, sd = _check(n_samples, noise, "make_blobs")
    rng = make_rng(seed, "make_blobs")
    cluster_std = _nonnegative(cluster_std, "cluster_std", "make_blobs")
    if isinstance(centers, bool):
        raise TypeError("make_blobs: centers must be an int or a list of points, got a bool")
    if is_int(centers):
        count = operator.index(centers)  # type: ignore[arg-type]
        if count < 1:
            raise ValueError(f"make_blobs: centers must be at least 1, got {count}")
        cs = [[rng.uniform(-10.0, 10.0), rng.uniform(-10.0, 10.0)] for _ in range(count)]
    else:
        cs = _centers(centers)
    k = len(cs)
    points: Points = []
    labels: list[int] = []
    gauss = rng.gauss
    for j, c in enumerate(cs):
        count = n // k + (1 if j < n % k else 0)
        for _ in range(count):
            points.append([x + gauss(0.0, cluster_std) for x in c])
            labels.append(j)
    return _finish(points, labels, sd, rng)


def _centers(centers: object) -> Points:
    where = "make_blobs"
    if isinstance(centers, (str, bytes)) or not isinstance(centers, Sequence) or not centers:
        raise ValueError(f"{where}: centers must be an int or a non-empty list of points")
    out: Points = []
    for i, c in enumerate(centers):
        if isinstance(c, (str, bytes)) or not isinstance(c, Sequence) or not c:
            raise ValueError(
                f"{where}: centers[{i}] must be a point (a list of numbers), got {c!r}"
            )
        row = []
        for x in c:
            try:
                row.append(finite_number(x, f"centers[{i}]", where))
            except (TypeError, ValueError):
                raise ValueError(
                    f"{where}: centers[{i}] has a non-number or non-finite entry {describe(x)}"
                ) from None
        if out and len(row) != len(out[0]):
            raise ValueError(
                f"{where}: centers[{i}] has {len(row)} coordinates but centers[0] has {len(out[0])}"
            )
        out.append(row)
    return out
