"""``chainrule train`` / ``demo``: the training run rebuilt every step against replayed from a Tape.

    .venv/bin/python benchmarks/training.py [--reps 5] [--epochs 100] [--dataset moons]

Each repetition trains in a fresh Python process (as the command does, so
the cost of recording and compiling the tape is counted cold), rebuilt and
taped interleaved so both see the same machine load. Prints the median
seconds of ``chainrule.training.train`` for each, their ratio, and checks
that both runs give the same losses and accuracies bit for bit.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CHILD = """
import json, sys, time
from chainrule.training import Settings, train
settings = Settings(dataset=sys.argv[2], epochs=int(sys.argv[3]))
start = time.perf_counter()
run = train(settings, progress=False, every=10**9, tape=sys.argv[1] == "tape")
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "losses": [x.hex() for x in run.losses],
                  "accuracies": run.accuracies, "final": run.final_loss.hex()}))
"""


def once(kind: str, dataset: str, epochs: int) -> dict[str, object]:
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run(
        [sys.executable, "-c", CHILD, kind, dataset, str(epochs)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--dataset", default="moons")
    args = parser.parse_args()
    times: dict[str, list[float]] = {"rebuilt": [], "tape": []}
    results: dict[str, dict[str, object]] = {}
    for _ in range(args.reps):
        for kind in times:
            r = once(kind, args.dataset, args.epochs)
            times[kind].append(float(r.pop("seconds")))  # type: ignore[arg-type]
            results[kind] = r
    rebuilt, taped = (statistics.median(times[k]) for k in ("rebuilt", "tape"))
    same = results["rebuilt"] == results["tape"]
    print(f"train {args.dataset}, {args.epochs} steps, {args.reps} fresh processes each")
    for label, kind, median in (
        ("rebuilt every step", "rebuilt", rebuilt),
        ("replayed from Tape", "tape", taped),
    ):
        every = ", ".join(f"{t:.3f}" for t in times[kind])
        print(f"  {label}: {median:.3f} s  (all: {every})")
    print(f"  speed-up {rebuilt / taped:.2f}x; losses and accuracies bit-identical: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
