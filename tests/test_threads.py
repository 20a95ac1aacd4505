"""Every mode is per thread: one thread's ``no_grad``, ``detect_anomaly``,
``grad`` call or overflow leniency never changes what another thread computes.

Threads meet at ``threading.Event``s, so each test forces the interleaving it
is about instead of hoping for it; every wait has a timeout, so a broken
engine fails the test instead of hanging it.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import Any

import pytest

from autograd import Value, detect_anomaly, grad, no_grad
from autograd import modes as _modes
from autograd import value as _value
from autograd.backward import parents

pytestmark = pytest.mark.core

WAIT = 10.0  # seconds: only reached when the engine is broken


def _wait(event: threading.Event) -> None:
    assert event.wait(WAIT), "the other thread never got there"


def _run(*bodies: Callable[[], Any]) -> list[Any]:
    """Run each body in its own thread; return their results, re-raising the first error."""
    results: list[Any] = [None] * len(bodies)
    errors: list[BaseException] = []

    def runner(i: int, body: Callable[[], Any]) -> None:
        try:
            results[i] = body()
        except BaseException as e:  # reported in the main thread
            errors.append(e)

    threads = [threading.Thread(target=runner, args=(i, b)) for i, b in enumerate(bodies)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(WAIT * 3)
        assert not t.is_alive(), "a thread is stuck"
    if errors:
        raise errors[0]
    return results


def _grads_work() -> float:
    x = Value(3.0)
    (x * x).backward()
    return x.grad


def _off() -> None:
    assert _modes.is_grad_enabled() and not _modes.anomaly_enabled()
    assert _value._special is False  # no mode on anywhere: operations skip the hook


@pytest.mark.parametrize("shared", [False, True], ids=["own objects", "one shared object"])
def test_two_threads_entering_and_leaving_no_grad_leave_grads_on(shared: bool) -> None:
    """A enters, B enters, A leaves, B leaves: each thread restores its own mode."""
    one = no_grad()
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()

    def a() -> tuple[bool, bool, float]:
        with one if shared else no_grad():
            a_in.set()
            _wait(b_in)
            inside = _modes.is_grad_enabled()
        a_out.set()
        return inside, _modes.is_grad_enabled(), _grads_work()

    def b() -> tuple[bool, bool, float]:
        _wait(a_in)
        with one if shared else no_grad():
            b_in.set()
            _wait(a_out)
            inside = _modes.is_grad_enabled()
        return inside, _modes.is_grad_enabled(), _grads_work()

    assert _run(a, b) == [(False, True, 6.0), (False, True, 6.0)]
    _off()
    assert _grads_work() == 6.0


def test_backward_in_one_thread_while_another_is_inside_no_grad() -> None:
    entered, done = threading.Event(), threading.Event()

    def a() -> tuple[int, bool]:
        w = Value(2.0)
        with no_grad():
            entered.set()
            _wait(done)
            v = w * 2.0  # still a constant here: the other thread changed nothing
        return len(parents(v)), _modes.is_grad_enabled()

    def b() -> tuple[float, float, bool]:
        _wait(entered)
        try:
            x, y = Value(3.0), Value(-2.0)
            z = (x * y).tanh() + x
            z.backward()
            return x.grad, y.grad, _modes.is_grad_enabled()
        finally:
            done.set()

    (n_parents, a_after), (gx, gy, b_mode) = _run(a, b)
    sech2 = 1.0 - math.tanh(-6.0) ** 2
    assert gx == pytest.approx(sech2 * -2.0 + 1.0, rel=1e-12) and gx != 0.0
    assert gy == pytest.approx(sech2 * 3.0, rel=1e-12) and gy != 0.0
    assert b_mode is True and n_parents == 0 and a_after is True
    _off()


class _Blocking(Value):
    """A constant whose first product during differentiation waits for the test.

    ``f(x) = x * x * c`` differentiates ``x * x`` with upstream ``c``, so the
    derivative sweep computes ``c * x``: thread A then sits inside ``grad``'s
    derivative building, where overflow is lenient for that thread.
    """

    def __mul__(self, o: Any) -> Value:
        hook = self.__dict__.pop("hook", None)
        if hook is not None:
            hook()
        return super().__mul__(o)


def test_overflow_raises_in_one_thread_while_another_is_inside_grad_of_grad() -> None:
    entered, done = threading.Event(), threading.Event()
    c = _Blocking(0.5)

    def hook() -> None:
        entered.set()
        _wait(done)

    c.__dict__["hook"] = hook

    def a() -> Any:
        return grad(grad(lambda x: x * x * c))(3.0)  # d²/dx² of c x² = 2c

    def b() -> str:
        _wait(entered)
        try:
            with pytest.raises(OverflowError, match="mul") as info:
                Value(1e308) * 10.0
            with pytest.raises(OverflowError):
                Value(1e308) ** 2.0  # pow reads the leniency on its own path
            return str(info.value)
        finally:
            done.set()

    second, message = _run(a, b)
    assert second == 1.0 and isinstance(second, float)
    assert "1e+308" in message
    _off()


def test_detect_anomaly_in_one_thread_does_not_affect_another() -> None:
    entered, done = threading.Event(), threading.Event()

    def a() -> str:
        with detect_anomaly():
            entered.set()
            _wait(done)
            with pytest.raises(FloatingPointError, match="'mulc' produced nan") as info:
                Value(math.nan) * 2.0  # still on here
        return str(info.value)

    def b() -> tuple[float, bool, float]:
        _wait(entered)
        try:
            assert not _modes.anomaly_enabled()
            y = Value(math.nan) * 2.0  # no report: this thread has no mode on
            x = Value(0.0)
            s = x.sqrt()
            s.backward()  # an infinite gradient, silently, as without the mode
            return y.data, _modes.WHERE in s.__dict__, x.grad
        finally:
            done.set()

    message, (y, recorded, gx) = _run(a, b)
    assert "test_threads.py" in message
    assert math.isnan(y) and recorded is False and gx == math.inf
    _off()


def test_a_grad_call_in_one_thread_does_not_make_another_threads_grad_return_values() -> None:
    entered, done = threading.Event(), threading.Event()

    def f(x: Value) -> Value:
        entered.set()
        _wait(done)
        return x * x * x

    def a() -> Any:
        return grad(f)(2.0)

    def b() -> Any:
        _wait(entered)
        try:
            return grad(lambda x: x * x)(3.0), grad(grad(lambda x: x * x * x))(1.0)
        finally:
            done.set()

    first, (g, second) = _run(a, b)
    assert first == 12.0 and isinstance(first, float)
    assert g == 6.0 and isinstance(g, float)
    assert second == 6.0 and isinstance(second, float)
    _off()


def test_a_new_thread_starts_with_every_mode_off() -> None:
    with no_grad(), detect_anomaly():
        assert _value._special is True
        states = _run(lambda: (_modes.is_grad_enabled(), _modes.anomaly_enabled(), _grads_work()))
    assert states == [(True, False, 6.0)]
    _off()
