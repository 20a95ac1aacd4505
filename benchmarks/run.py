"""Benchmarks: chainrule against micrograd 0.1.0, PyTorch and HIPS autograd.

    .venv/bin/python benchmarks/run.py [--quick] [--json out.json]
        [--engines chainrule,tape,micrograd,torch,hips] [--only wide,moons,...]
        [--all-loops] [--strict]

Every comparison runs in this one process, interleaved (engine A rep 1,
engine B rep 1, A rep 2, ...), and reports medians and ratios against
micrograd from the same run. Workloads:

* check   gradients of every engine against torch float64 (1e-9 relative)
* wide    random DAG of N ops over + - * / tanh exp relu (N = 10k, 100k)
* moons   micrograd's demo step (MLP 2-16-16-1, hinge loss + L2, SGD), GC off
* loop    a 20-step moons training loop with the garbage collector on
* deep    x = x * 1.0001 + 0.0001, D times (D up to 10^6), exact gradient
* memory  bytes per op of a 100k-op graph (tracemalloc)

``tape`` is chainrule replaying the moons graph with ``autograd.Tape``
(moons, loop and check only).

``--quick`` is the smoke run for CI: chainrule, tape and micrograd only (unless
``--engines`` says otherwise), wide@10k, a 1-step loop, deep@1e5, memory of
a 10k-op graph, and a time budget: no new work starts after 8.5 seconds and
the running workload is abandoned at 9.5. The exit status is 1 when
chainrule computes a wrong gradient, or with ``--strict`` when a target is
missed; else 0.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import math
import os
import platform
import signal
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

_START = time.perf_counter()
HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import engines as eng  # noqa: E402
import graphs  # noqa: E402

REFERENCE = "micrograd"
ORACLE = "torch"
REL_TOL = 1e-9
ALL_ENGINES = ("chainrule", "tape", "micrograd", "torch", "hips")
QUICK_ENGINES = ("chainrule", "tape", "micrograd")
WORKLOADS = ("check", "wide", "moons", "loop", "deep", "memory")
QUICK_BUDGET = 8.5  # seconds from start: --quick starts no new work after this
QUICK_HARD_LIMIT = 9.5  # seconds from start: --quick abandons the running workload


# =============================================================================
# plan


@dataclass
class Plan:
    """Sizes and repetitions for one run."""

    quick: bool
    wide_sizes: tuple[int, ...] = (10_000, 100_000)
    wide_reps: dict[int, int] = field(default_factory=lambda: {10_000: 9, 100_000: 5})
    moons_step_reps: int = 9
    loop_steps: int = 20
    loop_reps: int = 5
    deep_sizes: dict[str, tuple[int, ...]] = field(
        default_factory=lambda: {
            "chainrule": (10_000, 100_000, 1_000_000),
            "micrograd": (10_000, 100_000),
            "torch": (10_000, 100_000),
            "hips": (10_000, 100_000),
        }
    )
    deep_reps: int = 5
    memory_size: int = 100_000
    memory_engines: tuple[str, ...] = ALL_ENGINES
    loop_engines: tuple[str, ...] = ("chainrule", "tape", "micrograd")  # --all-loops: all
    seconds_per_engine: float = 30.0  # per workload: slow engines stop after this (min 1 rep)

    @classmethod
    def make(cls, quick: bool) -> Plan:
        if not quick:
            return cls(quick=False)
        return cls(
            quick=True,
            wide_sizes=(10_000,),
            wide_reps={10_000: 3},
            moons_step_reps=3,
            loop_steps=1,
            loop_reps=1,
            deep_sizes={
                "chainrule": (100_000,),
                "micrograd": (10_000,),
                "torch": (10_000,),
                "hips": (10_000,),
            },
            deep_reps=2,
            memory_size=10_000,
            memory_engines=("chainrule",),
            loop_engines=("chainrule", "micrograd"),
            seconds_per_engine=2.0,
        )


class Budget:
    """Wall-clock budget of a quick run; unlimited for a full run."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.skipped: list[str] = []

    def elapsed(self) -> float:
        return time.perf_counter() - _START

    def left(self) -> float:
        return math.inf if self.seconds is None else self.seconds - self.elapsed()

    def allows(self, what: str, needs: float = 0.0) -> bool:
        """False (and remember ``what``) when less than ``needs`` seconds remain."""
        if self.left() > needs:
            return True
        self.skipped.append(what)
        return False


# =============================================================================
# interleaved timing


Task = Callable[[], dict[str, float]]


def interleave(
    tasks: Sequence[tuple[str, Task]],
    reps: int,
    budget: Budget,
    seconds_per_engine: float,
    gc_on: bool = False,
) -> dict[str, list[dict[str, float]]]:
    """Run ``reps`` rounds of every task in turn; each round visits the engines in order.

    The collector runs (untimed) before every call and stays off during it,
    unless ``gc_on``. An engine whose calls have taken ``seconds_per_engine``
    in total stops after its current round (every engine gets one round), and
    a quick run stops starting rounds when its budget is spent.
    """
    out: dict[str, list[dict[str, float]]] = {name: [] for name, _ in tasks}
    spent = dict.fromkeys(out, 0.0)
    for r in range(reps):
        if r and not budget.allows(f"rounds {r + 1}..{reps}", 0.0):
            break
        for name, task in tasks:
            if r and spent[name] >= seconds_per_engine:
                continue
            gc.collect()
            if gc_on:
                gc.enable()
            t0 = time.perf_counter()
            try:
                out[name].append(task())
            finally:
                spent[name] += time.perf_counter() - t0
                gc.disable()
    return out


def medians(samples: list[dict[str, float]]) -> dict[str, float]:
    if not samples:
        return {}
    return {k: statistics.median(s[k] for s in samples) for k in samples[0]}


# =============================================================================
# workloads


@dataclass
class Results:
    wide: dict[int, dict[str, dict[str, Any]]] = field(default_factory=dict)
    moons_step: dict[str, dict[str, Any]] = field(default_factory=dict)
    moons_loop: dict[str, dict[str, Any]] = field(default_factory=dict)
    deep: dict[int, dict[str, dict[str, Any]]] = field(default_factory=dict)
    memory: dict[str, dict[str, Any]] = field(default_factory=dict)
    check: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # wall time per workload


def run_wide(
    engines: dict[str, eng.Engine],
    plan: Plan,
    budget: Budget,
    res: Results,
    graphs_by_n: dict[int, graphs.WideGraph],
    cache: dict[tuple[int, str], eng.WideFn],
) -> None:
    for n in plan.wide_sizes:
        if not budget.allows(f"wide@{n}", 1.0):
            continue
        g = graphs_by_n[n]
        tasks: list[tuple[str, Task]] = []
        for name, e in engines.items():
            f = eng.compile_for(e, g, cache)

            def task(
                e: eng.Engine = e, f: eng.WideFn = f, g: graphs.WideGraph = g
            ) -> dict[str, float]:
                fwd, bwd = e.wide(g, f)
                return {"fwd": fwd, "bwd": bwd}

            tasks.append((name, task))
        runs = interleave(tasks, plan.wide_reps[n], budget, plan.seconds_per_engine)
        res.wide[n] = {}
        for name, samples in runs.items():
            m = medians(samples)
            res.wide[n][name] = {
                "reps": len(samples),
                "fwd_ns_per_op": m["fwd"] * 1e9 / n,
                "bwd_ns_per_op": m["bwd"] * 1e9 / n,
                "total_ns_per_op": (m["fwd"] + m["bwd"]) * 1e9 / n,
                "samples_s": samples,
            }


def run_moons(
    engines: dict[str, eng.Engine],
    plan: Plan,
    budget: Budget,
    res: Results,
    xs: list[list[float]],
    ys: list[float],
    init: graphs.MLPInit,
) -> None:
    # One step, GC off: each engine keeps training its own model between reps.
    if budget.allows("moons step", 1.0):
        models = {name: e.moons_model(init) for name, e in engines.items()}
        counter = dict.fromkeys(engines, 0)
        tasks: list[tuple[str, Task]] = []
        for name, e in engines.items():

            def step(name: str = name, e: eng.Engine = e) -> dict[str, float]:
                k = counter[name]
                counter[name] += 1
                lr = 1.0 - 0.9 * k / 100
                t0 = time.perf_counter()
                e.moons_step(models[name], xs, ys, lr)
                return {"step": time.perf_counter() - t0}

            tasks.append((name, step))
        runs = interleave(tasks, plan.moons_step_reps, budget, plan.seconds_per_engine)
        del models
        for name, samples in runs.items():
            res.moons_step[name] = {
                "reps": len(samples),
                "step_ms": medians(samples)["step"] * 1e3,
                "samples_s": samples,
            }


def run_moons_loop(
    engines: dict[str, eng.Engine],
    plan: Plan,
    budget: Budget,
    res: Results,
    xs: list[list[float]],
    ys: list[float],
    init: graphs.MLPInit,
) -> None:
    """The training loop as users run it: a fresh model, the collector on."""
    # With the collector on, micrograd's cyclic graphs make a step several
    # times slower than with it off: budget ten steps' worth per step.
    need = sum(
        10 * plan.loop_steps * res.moons_step[n]["step_ms"] / 1e3
        for n in plan.loop_engines
        if n in res.moons_step
    )
    left_out = [n for n in engines if n not in plan.loop_engines]
    slow = [n for n in left_out if n in ("torch", "hips")]
    if slow:
        res.notes.append(
            f"the GC-on loop leaves out {', '.join(slow)} (minutes per loop on scalar "
            "graphs); --all-loops runs them too"
        )
    if [n for n in left_out if n not in slow]:
        res.notes.append("quick runs leave tape out of the GC-on loop (its recording takes ~0.6 s)")
    if budget.allows("moons loop", need):
        loop_tasks: list[tuple[str, Task]] = []
        for name, e in engines.items():
            if name not in plan.loop_engines:
                continue

            def loop(e: eng.Engine = e) -> dict[str, float]:
                model = e.moons_model(init)
                losses = []
                t0 = time.perf_counter()
                for k in range(plan.loop_steps):
                    losses.append(e.moons_step(model, xs, ys, 1.0 - 0.9 * k / 100))
                t = time.perf_counter() - t0
                return {"loop": t, "first_loss": losses[0], "last_loss": losses[-1]}

            loop_tasks.append((name, loop))
        reps = plan.loop_reps
        loop_runs = interleave(loop_tasks, reps, budget, plan.seconds_per_engine, gc_on=True)
        for name, samples in loop_runs.items():
            m = medians(samples)
            res.moons_loop[name] = {
                "reps": len(samples),
                "steps": plan.loop_steps,
                "loop_ms": m["loop"] * 1e3,
                "first_loss": samples[0]["first_loss"],
                "last_loss": samples[0]["last_loss"],
                "samples_s": [s["loop"] for s in samples],
            }


def run_deep(engines: dict[str, eng.Engine], plan: Plan, budget: Budget, res: Results) -> None:
    sizes = sorted({d for name in engines for d in plan.deep_sizes.get(name, ())})
    for d in sizes:
        names = [n for n in engines if d in plan.deep_sizes.get(n, ())]
        if not budget.allows(f"deep@{d}", 0.5 if d <= 100_000 else 3.0):
            continue
        tasks: list[tuple[str, Task]] = []
        for name in names:

            def task(e: eng.Engine = engines[name], d: int = d) -> dict[str, float]:
                fwd, bwd, grad = e.deep(d)
                return {"fwd": fwd, "bwd": bwd, "grad": grad}

            tasks.append((name, task))
        runs = interleave(tasks, plan.deep_reps, budget, plan.seconds_per_engine)
        exact = 1.0001**d
        res.deep[d] = {}
        for name, samples in runs.items():
            m = medians(samples)
            errs = [abs(s["grad"] - exact) / exact for s in samples]
            res.deep[d][name] = {
                "reps": len(samples),
                "fwd_s": m["fwd"],
                "bwd_s": m["bwd"],
                "total_s": m["fwd"] + m["bwd"],
                "ns_per_op": (m["fwd"] + m["bwd"]) * 1e9 / (2 * d),
                "grad": samples[0]["grad"],
                "exact": exact,
                "max_rel_err": max(errs),
                "ok": max(errs) <= REL_TOL,
            }
    skipped = [n for n in engines if 1_000_000 in sizes and 1_000_000 not in plan.deep_sizes[n]]
    if skipped and 1_000_000 in sizes:
        res.notes.append(
            f"deep@1e6 runs chainrule only: {', '.join(skipped)} would need minutes or "
            "gigabytes for a million-step graph; they run up to 1e5"
        )


def run_memory(
    engines: dict[str, eng.Engine],
    plan: Plan,
    budget: Budget,
    res: Results,
    g: graphs.WideGraph,
) -> None:
    for name, e in engines.items():
        if name not in plan.memory_engines:
            continue
        if e.memory_note:
            res.memory[name] = {"note": e.memory_note}
            continue
        if not budget.allows(f"memory {name}", 1.0):
            continue
        gc.collect()
        e.memory_backward(e.memory_forward(g, e.memory_setup(g)))  # warm-up
        state = e.memory_setup(g)  # made before counting starts: leaves are not counted
        gc.collect()
        tracemalloc.start()
        try:
            base = tracemalloc.get_traced_memory()[0]
            handle = e.memory_forward(g, state)
            after_fwd = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            e.memory_backward(handle)
            after_bwd, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        n = g.n_ops
        res.memory[name] = {
            "ops": n,
            "graph_bytes_per_op": (after_fwd - base) / n,
            "after_backward_bytes_per_op": (after_bwd - base) / n,
            "backward_peak_bytes_per_op": (peak - base) / n,
        }
        del handle, state
        gc.collect()


def run_check(
    engines: dict[str, eng.Engine],
    budget: Budget,
    res: Results,
    g: graphs.WideGraph,
    xs: list[list[float]],
    ys: list[float],
    init: graphs.MLPInit,
    quick: bool = False,
) -> None:
    """Gradients of every engine against torch float64 (or plain floats when torch is absent)."""
    if ORACLE in engines:
        oracle = engines[ORACLE]
        ref_root, ref_leaf, ref_all = oracle.wide_grads(g)
        ref_loss, ref_params = oracle.moons_grads(oracle.moons_model(init), xs, ys)
        wide_ref = f"{ORACLE} float64"
        moons_ref = f"{ORACLE} float64"
    else:
        ref_all = graphs.reference_gradients(g)
        ref_root, ref_leaf = g.values[-1], ref_all[: len(g.leaves)]
        wide_ref = "plain-float chain rule (torch not loaded)"
        moons_ref = ""
        if REFERENCE in engines:
            m = engines[REFERENCE]
            ref_loss, ref_params = m.moons_grads(m.moons_model(init), xs, ys)
            moons_ref = f"{REFERENCE} (torch not loaded)"
    for name, e in engines.items():
        if not budget.allows(f"check {name}", 0.5):
            continue
        entry: dict[str, Any] = {"wide_reference": wide_ref, "moons_reference": moons_ref}
        # Quick runs skip the wide check of moons-only engines: a tape of the
        # wide graph takes ~2 s to compile.
        if not (quick and "wide" not in e.workloads):
            root, leaf, every = e.wide_grads(g)
            compared = list(zip(leaf, ref_leaf))
            what = "leaf gradients"
            if every is not None and ref_all is not None:
                compared = list(zip(every, ref_all))
                what = "gradients of every node"
            compared.append((root, ref_root))
            entry["wide"] = _agreement(compared) | {"compared": f"root value and {what}"}
        if moons_ref:
            loss, params = e.moons_grads(e.moons_model(init), xs, ys)
            pairs = [*zip(params, ref_params), (loss, ref_loss)]
            entry["moons"] = _agreement(pairs) | {"compared": "loss and parameter gradients"}
        res.check[name] = entry


def _agreement(pairs: Sequence[tuple[float, float]]) -> dict[str, Any]:
    bad = 0
    worst = 0.0
    for a, b in pairs:
        a, b = float(a), float(b)
        if not math.isclose(a, b, rel_tol=REL_TOL, abs_tol=0.0):
            bad += 1
        scale = max(abs(a), abs(b))
        if scale:
            worst = max(worst, abs(a - b) / scale)
    return {"n": len(pairs), "mismatches": bad, "max_rel_err": worst, "ok": bad == 0}


# =============================================================================
# report


def _get(row: dict[str, Any] | None, key: str) -> Any:
    """``row[key]``, or None when the row is missing."""
    return None if row is None else row[key]


def _ratio(value: float | None, ref: float | None) -> float | None:
    if value is None or ref is None or ref == 0:
        return None
    return value / ref


def _fmt(x: float | None, spec: str = ".0f") -> str:
    return "-" if x is None else format(x, spec)


def _fmt_ratio(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}x"


@dataclass
class Target:
    metric: str
    value: float | None
    limit: float
    unit: str
    passed: bool | None
    detail: str = ""


def targets(res: Results, plan: Plan) -> list[Target]:
    out: list[Target] = []
    w = res.wide.get(10_000, {})
    cr, mg = w.get("chainrule"), w.get(REFERENCE)

    def ratio_target(metric: str, key: str, limit: float, a: Any, b: Any) -> None:
        r = _ratio(a and a[key], b and b[key])
        out.append(Target(metric, r, limit, "x", None if r is None else r <= limit))

    ratio_target("wide@10k forward", "fwd_ns_per_op", 0.35, cr, mg)
    ratio_target("wide@10k backward", "bwd_ns_per_op", 0.40, cr, mg)
    ratio_target(
        "moons step, GC off",
        "step_ms",
        0.20,
        res.moons_step.get("chainrule"),
        res.moons_step.get(REFERENCE),
    )
    steps = plan.loop_steps
    ratio_target(
        f"moons {steps}-step loop, GC on",
        "loop_ms",
        0.05,
        res.moons_loop.get("chainrule"),
        res.moons_loop.get(REFERENCE),
    )
    d_max = max((d for d in res.deep if "chainrule" in res.deep[d]), default=None)
    deep = res.deep.get(d_max, {}).get("chainrule") if d_max else None
    if deep and cr:
        r = deep["ns_per_op"] / cr["total_ns_per_op"]
        ok = r <= 2.5 and deep["ok"] and (plan.quick or d_max == 1_000_000)
        detail = (
            f"D={d_max:.0e}: {deep['total_s']:.2f} s, {deep['ns_per_op']:.0f} ns/op "
            f"vs wide@10k {cr['total_ns_per_op']:.0f} ns/op; gradient "
            f"{'exact to 1e-9' if deep['ok'] else 'WRONG'}"
        )
        out.append(Target("deep: per-op cost / wide@10k", r, 2.5, "x", ok, detail))
    else:
        out.append(Target("deep: per-op cost / wide@10k", None, 2.5, "x", None))
    mem = res.memory.get("chainrule", {}).get("graph_bytes_per_op")
    out.append(
        Target(
            f"memory (graph of {plan.memory_size // 1000}k ops)",
            mem,
            220,
            "B/op",
            None if mem is None else mem <= 220,
        )
    )
    return out


def report(
    res: Results,
    plan: Plan,
    engines: dict[str, eng.Engine],
    skipped: dict[str, str],
    budget: Budget,
    meta: dict[str, Any],
) -> list[Target]:
    p = print
    p(f"chainrule benchmarks ({'quick smoke run' if plan.quick else 'full run'})")
    p(
        f"Python {meta['python']} ({meta['implementation']}) on {meta['platform']}, "
        f"{meta['cpus']} CPUs, {meta['date']}"
    )
    for name, e in engines.items():
        p(f"  {name:<10} {e.version}" + (f"  [{e.note}]" if e.note else ""))
    for name, why in skipped.items():
        p(f"  {name:<10} SKIPPED: {why}")
    names = list(engines)

    for n, rows in res.wide.items():
        g = meta["wide"][str(n)]
        p("")
        p(
            f"wide@{n}: random DAG, {g['leaves']} leaves, depth {g['depth']}; "
            f"median of reps; ratio = engine / {REFERENCE}"
        )
        p(
            f"  {'engine':<10} {'reps':>4} {'fwd ns/op':>10} {'ratio':>8} {'bwd ns/op':>10} "
            f"{'ratio':>8} {'total':>8} {'ratio':>8}"
        )
        ref = rows.get(REFERENCE)
        for name in names:
            r = rows.get(name)
            if not r:
                continue
            p(
                f"  {name:<10} {r['reps']:>4} {r['fwd_ns_per_op']:>10.0f} "
                f"{_fmt_ratio(_ratio(r['fwd_ns_per_op'], _get(ref, 'fwd_ns_per_op'))):>8} "
                f"{r['bwd_ns_per_op']:>10.0f} "
                f"{_fmt_ratio(_ratio(r['bwd_ns_per_op'], _get(ref, 'bwd_ns_per_op'))):>8} "
                f"{r['total_ns_per_op']:>8.0f} "
                f"{_fmt_ratio(_ratio(r['total_ns_per_op'], _get(ref, 'total_ns_per_op'))):>8}"
            )

    if res.moons_step or res.moons_loop:
        p("")
        p(
            "moons: micrograd's demo step (MLP 2-16-16-1 ReLU, 100 points, hinge + 1e-4 L2, "
            "zero_grad, backward, SGD)"
        )
        p(
            f"  {'engine':<10} {'reps':>4} {'step ms':>9} {'ratio':>8}   "
            f"{'reps':>4} {f'{plan.loop_steps}-step loop ms':>17} {'ratio':>8}"
        )
        p(f"  {'':<10} {'':>4} {'(GC off)':>9} {'':>8}   {'':>4} {'(GC on)':>17}")
        sref = res.moons_step.get(REFERENCE)
        lref = res.moons_loop.get(REFERENCE)
        for name in names:
            s = res.moons_step.get(name)
            lp = res.moons_loop.get(name)
            if not s and not lp:
                continue
            p(
                f"  {name:<10} {_fmt(_get(s, 'reps'), 'd'):>4} "
                f"{_fmt(_get(s, 'step_ms'), '.1f'):>9} "
                f"{_fmt_ratio(_ratio(_get(s, 'step_ms'), _get(sref, 'step_ms'))):>8}   "
                f"{_fmt(_get(lp, 'reps'), 'd'):>4} {_fmt(_get(lp, 'loop_ms'), '.0f'):>17} "
                f"{_fmt_ratio(_ratio(_get(lp, 'loop_ms'), _get(lref, 'loop_ms'))):>8}"
            )

    if res.deep:
        p("")
        p("deep: x = x * 1.0001 + 0.0001, D times (2 ops per step); gradient vs 1.0001**D")
        p(
            f"  {'engine':<10} {'D':>9} {'reps':>4} {'fwd s':>8} {'bwd s':>8} {'ns/op':>7} "
            f"{'ratio':>8} {'rel err':>9}"
        )
        for d, rows in res.deep.items():
            ref = rows.get(REFERENCE)
            for name in names:
                r = rows.get(name)
                if not r:
                    continue
                p(
                    f"  {name:<10} {d:>9} {r['reps']:>4} {r['fwd_s']:>8.3f} {r['bwd_s']:>8.3f} "
                    f"{r['ns_per_op']:>7.0f} "
                    f"{_fmt_ratio(_ratio(r['ns_per_op'], _get(ref, 'ns_per_op'))):>8} "
                    f"{r['max_rel_err']:>9.1e}" + ("" if r["ok"] else "  WRONG")
                )

    if res.memory:
        p("")
        p(f"memory: wide graph of {plan.memory_size} ops, tracemalloc, bytes per op")
        p(f"  {'engine':<10} {'graph':>7} {'ratio':>8} {'+grads':>8} {'bwd peak':>9}")
        ref = res.memory.get(REFERENCE, {})
        for name in names:
            m = res.memory.get(name)
            if not m:
                continue
            if "note" in m:
                p(f"  {name:<10} {'-':>7}  ({m['note']})")
                continue
            p(
                f"  {name:<10} {m['graph_bytes_per_op']:>7.0f} "
                f"{_fmt_ratio(_ratio(m['graph_bytes_per_op'], ref.get('graph_bytes_per_op'))):>8} "
                f"{m['after_backward_bytes_per_op']:>8.0f} {m['backward_peak_bytes_per_op']:>9.0f}"
            )

    if res.check:
        p("")
        p(f"check: gradients agree to {REL_TOL:g} relative (math.isclose, no absolute slack)")
        for name, c in res.check.items():
            parts = []
            for wl in ("wide", "moons"):
                if wl in c:
                    x = c[wl]
                    parts.append(
                        f"{wl}: {'ok' if x['ok'] else 'FAIL'} ({x['n']} values, "
                        f"{x['mismatches']} off, max rel err {x['max_rel_err']:.1e})"
                    )
            p(f"  {name:<10} " + "; ".join(parts))
        first = next(iter(res.check.values()))
        p(f"  reference: wide {first['wide_reference']}; moons {first['moons_reference'] or '-'}")

    ts = targets(res, plan)
    p("")
    p("targets (chainrule / micrograd from this run)")
    p(f"  {'metric':<36} {'value':>10} {'target':>10}  result")
    for t in ts:
        unit = "x" if t.unit == "x" else f" {t.unit}"
        if t.value is None:
            val = "-"
        else:
            val = f"{t.value:.3f}x" if t.unit == "x" else f"{t.value:.0f}{unit}"
        lim = f"<= {t.limit:g}{unit}"
        verdict = "n/a" if t.passed is None else ("PASS" if t.passed else "FAIL")
        extra = f"  ({t.detail})" if t.detail else ""
        p(f"  {t.metric:<36} {val:>10} {lim:>10}  {verdict}{extra}")
    for note in res.notes:
        p(f"note: {note}")
    if budget.skipped:
        p(f"skipped for the {QUICK_BUDGET:g}-second budget: {', '.join(budget.skipped)}")
    spent = ", ".join(f"{k} {v:.1f}" for k, v in res.seconds.items())
    p(f"elapsed {budget.elapsed():.1f} s ({spent})")
    return ts


# =============================================================================
# main


class _OutOfTime(Exception):
    """Raised by the quick run's alarm in whatever workload is running."""


@contextlib.contextmanager
def _hard_limit(seconds: float | None) -> Iterator[None]:
    """Raise ``_OutOfTime`` once ``seconds`` have passed since start (POSIX only)."""
    if seconds is None or not hasattr(signal, "setitimer"):
        yield
        return

    def alarm(signum: int, frame: object) -> None:
        raise _OutOfTime

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, max(0.01, seconds - (time.perf_counter() - _START)))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--quick", action="store_true", help="smoke run in about 10 seconds (CI)")
    ap.add_argument("--json", metavar="PATH", help="also write every figure to this JSON file")
    ap.add_argument(
        "--engines",
        metavar="LIST",
        help=f"comma-separated subset of {','.join(ALL_ENGINES)} "
        f"(default: all; with --quick: {','.join(QUICK_ENGINES)})",
    )
    ap.add_argument(
        "--all-loops",
        action="store_true",
        help="run torch and HIPS through the 20-step GC-on loop too (several minutes more)",
    )
    ap.add_argument(
        "--only",
        metavar="LIST",
        help=f"comma-separated subset of workloads: {','.join(WORKLOADS)} (default: all)",
    )
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args(argv)

    only: set[str] = set()
    if args.only:
        only = {w.strip() for w in args.only.split(",") if w.strip()}
        if only - set(WORKLOADS):
            ap.error(
                f"unknown workload(s) {', '.join(sorted(only - set(WORKLOADS)))}; "
                f"choose from {', '.join(WORKLOADS)}"
            )
    plan = Plan.make(args.quick)
    if args.all_loops:
        plan.loop_engines = ALL_ENGINES
    budget = Budget(QUICK_BUDGET if args.quick else None)
    wanted = (
        [s.strip() for s in args.engines.split(",") if s.strip()]
        if args.engines
        else list(QUICK_ENGINES if args.quick else ALL_ENGINES)
    )
    unknown = [n for n in wanted if n not in eng.ENGINES]
    if unknown:
        ap.error(f"unknown engine(s) {', '.join(unknown)}; choose from {', '.join(ALL_ENGINES)}")
    if "chainrule" not in wanted:
        wanted.insert(0, "chainrule")
    engines, skipped = eng.load(wanted)
    if args.quick and not args.engines:
        for name in ALL_ENGINES:
            if name not in wanted:
                skipped[name] = "not in --quick runs (pass --engines to add it)"

    gc.disable()
    wide_graphs = {n: graphs.make_wide(n) for n in sorted({*plan.wide_sizes, plan.memory_size})}
    check_graph = wide_graphs[10_000] if 10_000 in wide_graphs else graphs.make_wide(10_000)
    xs, ys = graphs.make_moons(100, noise=0.1, seed=1)
    init = graphs.make_mlp_init()
    cache: dict[tuple[int, str], eng.WideFn] = {}
    meta: dict[str, Any] = {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": f"{platform.system()} {platform.machine()}",
        "cpus": os.cpu_count(),
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "mode": "quick" if args.quick else "full",
        "wide": {
            str(n): {
                "ops": g.n_ops,
                "leaves": len(g.leaves),
                "depth": g.depth,
                "op_counts": {op: sum(1 for o in g.ops if o[0] == op) for op in graphs.OPS},
            }
            for n, g in wide_graphs.items()
        },
    }

    res = Results()

    def running(workload: str) -> dict[str, eng.Engine]:
        return {n: e for n, e in engines.items() if workload in e.workloads}

    workloads: list[tuple[str, Callable[[], None]]] = [
        (
            "check",
            lambda: run_check(running("check"), budget, res, check_graph, xs, ys, init, plan.quick),
        ),
        ("wide", lambda: run_wide(running("wide"), plan, budget, res, wide_graphs, cache)),
        ("moons step", lambda: run_moons(running("moons"), plan, budget, res, xs, ys, init)),
        (
            "moons loop",
            lambda: run_moons_loop(running("loop"), plan, budget, res, xs, ys, init),
        ),
        ("deep", lambda: run_deep(running("deep"), plan, budget, res)),
        (
            "memory",
            lambda: run_memory(running("memory"), plan, budget, res, wide_graphs[plan.memory_size]),
        ),
    ]
    if only:
        alias = {"moons step": "moons", "moons loop": "loop"}
        workloads = [(label, w) for label, w in workloads if alias.get(label, label) in only]
    with _hard_limit(QUICK_HARD_LIMIT if args.quick else None):
        for i, (label, work) in enumerate(workloads):
            t0 = time.perf_counter()
            if not args.quick:
                print(f"[{budget.elapsed():6.0f} s] {label}", file=sys.stderr, flush=True)
            try:
                work()
                res.seconds[label] = time.perf_counter() - t0
            except _OutOfTime:
                budget.skipped.append(f"{label} (cut off at {QUICK_HARD_LIMIT:g} s)")
                budget.skipped.extend(w for w, _ in workloads[i + 1 :])
                break
    gc.enable()

    ts = report(res, plan, engines, skipped, budget, meta)

    if args.json:
        doc = {
            "meta": meta,
            "engines": {n: {"version": e.version, "note": e.note} for n, e in engines.items()},
            "skipped": skipped,
            "plan": {k: v for k, v in vars(plan).items()},
            "wide": res.wide,
            "moons_step": res.moons_step,
            "moons_loop": res.moons_loop,
            "deep": res.deep,
            "memory": res.memory,
            "check": res.check,
            "targets": [vars(t) for t in ts],
            "notes": res.notes,
            "budget_skipped": budget.skipped,
            "elapsed_s": budget.elapsed(),
            "workload_s": res.seconds,
        }
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, indent=1, default=str)
            fh.write("\n")

    ours = res.check.get("chainrule", {})
    wrong = [f"check {wl}" for wl in ("wide", "moons") if not ours.get(wl, {"ok": True})["ok"]]
    wrong += [
        f"deep@{d}" for d, rows in res.deep.items() if not rows.get("chainrule", {"ok": True})["ok"]
    ]
    if wrong:
        print(f"chainrule computed wrong gradients: {', '.join(wrong)}", file=sys.stderr)
        return 1
    if args.strict and any(t.passed is False for t in ts):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
