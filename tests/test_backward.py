"""backward: chain rule order, accumulation semantics, depth, inf and zero gradients, no_grad."""

from __future__ import annotations

import math

import pytest

from autograd import Value, no_grad

pytestmark = pytest.mark.core


def test_micrograd_example_by_hand() -> None:
    a, b = Value(-4.0), Value(2.0)
    c = a + b
    d = a * b + b**3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + (b + a).relu()
    d = d + 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g = g + 10.0 / f
    g.backward()
    assert g.data == pytest.approx(24.70408163265306, rel=1e-15)
    assert a.grad == pytest.approx(138.83381924198252, rel=1e-14)
    assert b.grad == pytest.approx(645.5772594752186, rel=1e-14)


def test_shared_subexpressions_sum_their_paths() -> None:
    a = Value(3.0)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad == 4.0 and b.grad == 2.0
    x = Value(2.0)
    y = x * x * x  # reuse across levels
    y.backward()
    assert x.grad == 12.0


def test_leaves_accumulate_and_interior_nodes_hold_the_latest_pass() -> None:
    x, w = Value(0.7), Value(-1.3)
    h = (x * w).tanh()
    out = h * h + x
    out.backward()
    first = (x.grad, w.grad, h.grad)
    out.backward()
    assert x.grad == 2 * first[0] and w.grad == 2 * first[1]  # exactly doubled
    assert h.grad == first[2]  # interior: d(out)/dh of this pass
    assert out.grad == 1.0


def test_each_pass_sums_a_leafs_terms_before_adding_them() -> None:
    """1.0 + 1.5e-16 rounds to 1.0000000000000002; (that + 1.0) + 1.5e-16 would be 2.0."""
    x = Value(3.0)
    r = x * 1.0 + x * 1.5e-16
    r.backward()
    once = x.grad
    assert once == 1.0 + 1.5e-16 == 1.0000000000000002
    r.backward()
    assert x.grad == 2 * once == 2.0000000000000004


def test_a_pass_adds_its_sum_to_what_the_leaf_already_holds() -> None:
    x, w = Value(0.5), Value(2.0)
    x.grad, w.grad = 1e16, -3.0
    r = x * 1.0 + x * 1.0 + x * w  # x gets 1 + 1 + 2 = 4 this pass
    r.backward()
    assert x.grad == 1e16 + 4.0  # not ((1e16 + 1) + 1) + 2 = 1e16 + 2
    assert w.grad == -3.0 + 0.5
    assert {n._consumers for n in (x, w, r)} == {0}  # the leaves' marks are cleared


def test_doubling_holds_for_many_terms_through_affine() -> None:
    from autograd.value import affine

    x = Value(1.0)
    ws = [Value(1.0 + k * 1e-9) for k in range(50)]
    r = affine(ws, [x] * 50, x) + x * 1e-17 + x * 3.3e-17
    r.backward()
    once = (x.grad, [w.grad for w in ws])
    r.backward()
    assert x.grad == 2 * once[0] and [w.grad for w in ws] == [2 * g for g in once[1]]


def test_a_leaf_used_many_times_in_one_affine_node_sums_the_same_everywhere() -> None:
    """backward, backward under detect_anomaly and a Tape add the same terms in the same order."""
    from autograd import Tape, detect_anomaly
    from autograd.value import affine

    x, w = Value(-0.48), Value(-0.53)  # values for which the order of the terms shows
    r = affine([x, w, x, w], [x, 1e-16, w, 3.0], x).tanh()
    r.backward()
    fast = (x.grad, w.grad)
    x.grad = w.grad = 0.0
    with detect_anomaly():
        r.backward()
    assert (x.grad, w.grad) == fast
    x.grad = w.grad = 0.0
    Tape(r)()
    assert (x.grad, w.grad) == fast
    r.backward()
    assert (x.grad, w.grad) == (2 * fast[0], 2 * fast[1])


def test_an_infinite_upstream_reaches_leaves_of_an_affine_node_once() -> None:
    from autograd.value import affine

    w0, w1, b = Value(1.0), Value(-1.0), Value(-1.0)
    w0.grad, w1.grad, b.grad = 5.0, 5.0, 5.0
    s = affine([w0, w1], [0.0, 1.0], b) * 1.0 + 2.0  # s = 0: its sqrt has an infinite slope
    s.sqrt().backward()
    assert (w0.grad, w1.grad, b.grad) == (5.0, math.inf, math.inf)  # 0 * inf is 0 for w0
    assert {n._consumers for n in (w0, w1, b)} == {0}


def test_an_interrupted_pass_gives_the_leaves_their_grads_back() -> None:
    class Fragile(Value):
        """A leaf whose grad refuses its first nonzero write."""

        armed = True

        @property  # type: ignore[override]
        def grad(self) -> float:
            return self.__dict__.get("g", 0.0)  # type: ignore[no-any-return]

        @grad.setter
        def grad(self, value: float) -> None:
            if value and Fragile.armed:
                Fragile.armed = False
                raise KeyboardInterrupt
            self.__dict__["g"] = value

    x, f = Value(2.0), Fragile(3.0)
    x.grad = 0.25
    root = x * 2.0 + f * 1.0  # x gets its term first, then f's write is interrupted
    with pytest.raises(KeyboardInterrupt):
        root.backward()
    assert (x.grad, f.grad) == (0.25, 0.0)
    assert {n._consumers for n in (x, f, root)} == {0}
    root.backward()  # and the next pass is right
    assert (x.grad, f.grad) == (2.25, 1.0)


def test_root_that_is_a_leaf_accumulates() -> None:
    x = Value(5.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0


def test_unreached_nodes_keep_their_grad() -> None:
    x, y = Value(1.0), Value(2.0)
    y.grad = 7.0
    (x * 3.0).backward()
    assert (x.grad, y.grad) == (3.0, 7.0)


def test_a_chain_of_a_million_operations() -> None:
    x = Value(1.0)
    y = x
    for _ in range(1_000_000):
        y = y * 1.0000001
    y.backward()
    assert x.grad == pytest.approx(1.0000001**1_000_000, rel=1e-9)


def test_a_million_way_fan_in() -> None:
    x = Value(1.0)
    total = x * 0.0
    for _ in range(200_000):
        total = total + x
    total.backward()
    assert x.grad == 200_000.0


@pytest.mark.parametrize("make", [lambda x: x.sqrt(), lambda x: x**0.5, lambda x: x**0.25])
def test_infinite_local_derivative_gives_signed_inf(make: object) -> None:
    x = Value(0.0)
    y = make(x)  # type: ignore[operator]
    y.backward()
    assert x.grad == math.inf
    x2 = Value(0.0)
    (-make(x2)).backward()  # type: ignore[operator]
    assert x2.grad == -math.inf


def test_zero_upstream_through_infinite_local_is_zero_not_nan() -> None:
    x = Value(0.0)
    y = x.sqrt() * 0.0 + x
    y.backward()
    assert x.grad == 1.0
    z = Value(0.0)
    out = (z.sqrt() * Value(0.0)) + z
    out.backward()
    assert z.grad == 1.0


def test_zero_local_derivative_through_infinite_upstream_is_zero() -> None:
    x = Value(-1.0)
    y = x.relu().sqrt()  # relu'(-1) = 0, sqrt'(0) = inf
    y.backward()
    assert x.grad == 0.0


def test_kink_conventions() -> None:
    for op, want in [("relu", 0.0), ("abs", 0.0)]:
        x = Value(0.0)
        getattr(x, op)().backward()
        assert x.grad == want, op
    x = Value(0.0)
    x.leaky_relu(0.2).backward()
    assert x.grad == 0.2
    base, expo = Value(0.0), Value(2.5)
    (base**expo).backward()
    assert (base.grad, expo.grad) == (0.0, 0.0)  # d(0**y)/dy = 0 for y > 0


def test_no_grad_results_are_constants() -> None:
    x = Value(2.0)
    with no_grad():
        y = x * 3.0
    assert y.data == 6.0
    z = y * x
    z.backward()
    assert x.grad == 6.0 and y.grad == 2.0


def test_no_grad_nests_restores_and_survives_errors() -> None:
    from autograd.modes import is_grad_enabled

    with no_grad():
        with no_grad():
            assert not is_grad_enabled()
        assert not is_grad_enabled()
    assert is_grad_enabled()
    with pytest.raises(ZeroDivisionError), no_grad():
        Value(1.0) / 0.0
    assert is_grad_enabled()
    x = Value(1.0)
    (x * 2.0).backward()
    assert x.grad == 2.0


def test_no_grad_as_decorator() -> None:
    from autograd.modes import is_grad_enabled

    @no_grad()
    def step(v: Value) -> bool:
        v.data -= 0.1 * v.grad
        return is_grad_enabled()

    assert step(Value(1.0)) is False
    assert is_grad_enabled()


# --- the order: consumer counts, Kahn's algorithm -------------------------------


def _shared_graph() -> tuple[list[Value], Value]:
    xs = [Value(0.1 * (i + 1)) for i in range(4)]
    nodes = list(xs)
    for i in range(40):
        a, b = nodes[-1 - i % 5], nodes[(7 * i) % len(nodes)]
        nodes.append((a * b).tanh() + a if i % 3 else a - b.sigmoid())
    return xs, nodes[-1] + nodes[-7] * nodes[-12]


def test_reverse_order_puts_every_node_before_its_parents() -> None:
    from autograd.backward import parents, reverse_order, topological_order

    _, root = _shared_graph()
    order = reverse_order(root)
    interior = [n for n in topological_order(root) if n._left is not None]
    assert sorted(map(id, order)) == sorted(map(id, interior))  # each interior node once
    place = {n: i for i, n in enumerate(order)}
    assert order[0] is root
    for n in order:
        assert all(place[n] < place[p] for p in parents(n) if p._left is not None)


def test_counts_are_back_to_zero_after_every_walk() -> None:
    from autograd.backward import reverse_order, topological_order

    _, root = _shared_graph()
    every = topological_order(root)
    root.backward()
    assert {n._consumers for n in every} == {0}
    reverse_order(root)
    assert {n._consumers for n in every} == {0}


def test_an_interrupted_walk_leaves_no_counts_behind() -> None:
    from autograd.backward import reverse_order, topological_order

    xs, root = _shared_graph()

    class Boom:
        seen = 0

        def __contains__(self, node: object) -> bool:
            Boom.seen += 1
            if Boom.seen == 30:
                raise KeyboardInterrupt
            return False

    with pytest.raises(KeyboardInterrupt):
        reverse_order(root, stop=Boom())  # type: ignore[arg-type]
    assert {n._consumers for n in topological_order(root)} == {0}
    root.backward()  # and the next pass is right
    first = [x.grad for x in xs]
    for x in xs:
        x.grad = 0.0
    root.backward()
    assert [x.grad for x in xs] == first


def test_reverse_order_stops_at_the_stop_nodes() -> None:
    from autograd.backward import reverse_order

    a = Value(2.0)
    b = a * a
    c = b.exp()
    d = c + b
    assert reverse_order(d, stop={c}) == [d, c, b]
    assert reverse_order(d, stop={c, b}) == [d, c, b]
    assert reverse_order(d, stop={d}) == [d]
    assert reverse_order(a) == []
