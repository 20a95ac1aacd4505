"""The ``chainrule`` command: ``demo``, ``train``, ``question`` and ``graph``.

``main(argv)`` parses the arguments, runs one command and returns the exit
status, so tests call it directly; the installed ``chainrule`` script and
``python -m chainrule`` / ``python -m nn`` call it with the process's arguments.

Exit status: 0 on success; 2 for bad arguments or bad input (a one-line
``chainrule ...: error: ...`` on stderr, never a traceback), including
errors the engine raises for that input (``log(-1)``); 1 when the
environment is missing something (an optional extra, Graphviz), a file
cannot be written, or a check of ``chainrule question`` fails.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import importlib
import io
import math
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from typing import Any, NoReturn

from . import __version__, engine_problem

# Everything below needs the engine. When another package named 'autograd'
# hides it, these imports would fail with a traceback; main() reports the
# problem in one line instead.
_ENGINE_PROBLEM = engine_problem()
if _ENGINE_PROBLEM is None:
    from autograd import Value
    from autograd.viz import render, to_html
    from autograd.viz.dot import INSTALL_HINT, GraphvizNotFoundError

    from .expression import describe, evaluate, parse, parse_assignments
    from .interactive import page_data
    from .interactive_page import render as render_interactive
    from .question import run_all
    from .report import text_table, write_question, write_training
    from .training import DATASETS, DEFAULT_LR, OPTIMIZERS, Diverged, Settings, train

__all__ = ["main"]

PROG = "chainrule"


class UsageError(ValueError):
    """A bad argument found after parsing; reported in one line with exit status 2."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr (exit status 2).

    It remembers its flags (``flags``) and its subcommands (``commands``), so
    an unknown flag can be answered with the closest one.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.flags: list[str] = []
        self.commands: dict[str, _Parser] = {}
        super().__init__(*args, **kwargs)

    def add_argument(self, *names: Any, **kwargs: Any) -> argparse.Action:
        self.flags += [n for n in names if isinstance(n, str) and n.startswith("-")]
        return super().add_argument(*names, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")

    def unrecognized(self, extras: list[str]) -> str:
        """One line for arguments this (sub)command does not take, with the closest flags.

        Only the flag-like ones are named when there are any (a value after
        an unknown flag is not news).
        """
        flags = [a for a in extras if a.startswith("-") and a != "-"]
        parts = []
        hint = ""
        for arg in flags or extras:
            flag = arg.split("=", 1)[0]
            close = difflib.get_close_matches(flag, self.flags, n=1, cutoff=0.6)
            if flag in self.flags:
                parts.append(f"{arg} (options go before '--')")
            elif close:
                parts.append(f"{arg} (did you mean {close[0]}?)")
            else:
                parts.append(repr(arg))
                if flag.startswith("-") and self.prog.endswith(" graph"):
                    hint = "; an EXPR that starts with '-' goes after '--'"
        what = "argument" if len(parts) == 1 else "arguments"
        return (
            f"{self.prog}: error: unrecognized {what} {', '.join(parts)}{hint} "
            f"(see '{self.prog} --help')"
        )


# --- argument types: each raises ArgumentTypeError, which argparse reports in one line --


def _hidden(text: str) -> tuple[int, ...]:
    parts = [p.strip() for p in text.split(",")]
    sizes = []
    for p in parts:
        if not p.isdigit() or int(p) < 1:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a list of layer sizes: each size must be a whole number "
                "of at least 1, separated by commas (e.g. 16,16)"
            )
        sizes.append(int(p))
    if len(sizes) > 16 or max(sizes) > 4096:
        raise argparse.ArgumentTypeError(f"{text!r}: at most 16 layers of at most 4096 units")
    return tuple(sizes)


def _number(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(x):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return x


def _positive_number(text: str) -> float:
    x = _number(text)
    if x <= 0.0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
    return x


def _non_negative_number(text: str) -> float:
    x = _number(text)
    if x < 0.0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return x


def _count(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


def _path(text: str) -> str:
    if not text:
        raise argparse.ArgumentTypeError("is empty; give a file or folder name")
    if "\0" in text:
        raise argparse.ArgumentTypeError(f"{text!r} contains a NUL character")
    return text


MAX_SAMPLES = 10_000
"""Most data points ``--samples`` accepts (the toy datasets are for looking at)."""


def _samples(text: str) -> int:
    n = _count(text)
    if n > MAX_SAMPLES:
        raise argparse.ArgumentTypeError(f"at most {MAX_SAMPLES} points, got {n}")
    return n


def _seed(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


# --- the parser ---------------------------------------------------------------------

_EXIT = (
    "exit status: 0 success; 2 bad arguments or input (one-line message); "
    "1 missing extra, missing Graphviz, unwritable output or a failed check"
)


def build_parser() -> _Parser:
    """The ``chainrule`` argument parser, with one subcommand per command."""
    parser = _Parser(
        prog=PROG,
        description="chainrule: scalar reverse-mode autodiff, and neural networks built on it.",
        epilog=_EXIT,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    parser.commands = sub.choices  # every subparser is a _Parser (argparse makes its own kind)

    demo = sub.add_parser(
        "demo",
        help="train a small MLP on two moons and write plots, a graph and the model",
        description=(
            "Train an MLP 2-16-16-1 (relu) on 100 two-moons points with the hinge loss, a "
            "small L2 penalty and SGD whose learning rate decays from 1.0 to 0.1 over 100 "
            "steps; print loss and accuracy; write loss.svg, boundary.svg, graph.svg (one "
            "neuron after backward), model.json, run.json and index.html. Needs the plot and "
            "viz extras."
        ),
        epilog=_EXIT,
    )
    demo.add_argument(
        "--out",
        type=_path,
        default="chainrule-demo",
        metavar="DIR",
        help="output folder (%(default)s)",
    )
    demo.set_defaults(func=_demo)

    train = sub.add_parser(
        "train",
        help="train an MLP on a toy dataset with your settings; same outputs as demo",
        description=(
            "Train an MLP on a toy dataset, full batch. Two-class datasets (moons, circles, "
            "xor) use one output score and the hinge loss mean(max(0, 1 - y*s)) with labels "
            "-1/1, as in micrograd's demo; blobs (three classes) uses one score per class and "
            "the cross-entropy. An L2 penalty l2 * sum(p^2) is added. The learning rate "
            "decays linearly from LR to LR/10. Writes the same files as 'chainrule demo'."
        ),
        epilog=_EXIT,
    )
    train.add_argument(
        "--dataset",
        choices=DATASETS,
        default="moons",
        help="toy dataset: moons, circles and xor have two classes, blobs three (%(default)s)",
    )
    train.add_argument(
        "--hidden",
        type=_hidden,
        default=(16, 16),
        metavar="SIZES",
        help="hidden layer sizes, comma-separated (16,16)",
    )
    train.add_argument(
        "--activation",
        choices=("relu", "tanh", "sigmoid", "linear"),
        default="relu",
        help="activation of the hidden layers (%(default)s); the output layer is linear",
    )
    train.add_argument(
        "--optimizer", choices=OPTIMIZERS, default="sgd", help="update rule (%(default)s)"
    )
    train.add_argument(
        "--lr",
        type=_positive_number,
        default=None,
        help=f"starting learning rate (sgd: {DEFAULT_LR['sgd']:g}, adam: {DEFAULT_LR['adam']:g})",
    )
    train.add_argument(
        "--epochs", type=_count, default=100, metavar="N", help="training steps (%(default)s)"
    )
    train.add_argument(
        "--seed", type=_seed, default=0, metavar="S", help="data and weights (%(default)s)"
    )
    train.add_argument(
        "--samples", type=_samples, default=100, metavar="N", help="data points (%(default)s)"
    )
    train.add_argument(
        "--l2", type=_non_negative_number, default=1e-4, help="L2 penalty (%(default)s)"
    )
    train.add_argument(
        "--out",
        type=_path,
        default="chainrule-train",
        metavar="DIR",
        help="output folder (%(default)s)",
    )
    train.set_defaults(func=_train)

    question = sub.add_parser(
        "question",
        help="why the activation's derivative matters: three experiments and a report",
        description=(
            "Run the derivative question as experiments on fixed seeds: (1) the delta rule "
            "w <- w + lr*(y - y_hat)*x against the engine's gradient step for a linear neuron "
            "(equal); (2) a sigmoid neuron trained with and without the activation's "
            "derivative f(1 - f); (3) linear against tanh layers on XOR at depths 1-4, and "
            "the proof that a linear stack is one affine map. Prints the three findings and "
            "writes index.html (an interactive page: switch the activation and its "
            "derivative, scrub through training; self-contained, works offline), "
            "report.html (the static report), report.json and the figures. Needs the plot "
            "and viz extras."
        ),
        epilog=_EXIT,
    )
    question.add_argument(
        "--out",
        type=_path,
        default="chainrule-question",
        metavar="DIR",
        help="output folder (%(default)s)",
    )
    question.set_defaults(func=_question)

    graph = sub.add_parser(
        "graph",
        help="differentiate an expression and draw its graph with every gradient",
        description=(
            "Parse EXPR (never evaluated as Python): numbers, variables, + - * / **, unary "
            "minus and the functions "
            + describe()
            + ". Each variable gets its value from --at; the "
            "command runs backward, prints each variable's gradient and draws the graph: "
            "SVG (or another Graphviz format, from the file's suffix), or with --out *.html "
            "a page that steps through the backward pass. An EXPR that starts with '-' "
            "goes after '--', e.g. chainrule graph --at x=2 -- '-x**2'. Needs the viz extra "
            "to draw."
        ),
        epilog="example: chainrule graph 'tanh(x * w + b)' --at x=1.0,w=0.5,b=0.1 --out g.html",
    )
    graph.add_argument("expr", metavar="EXPR", help="e.g. 'tanh(x * w + b)'")
    graph.add_argument(
        "--at",
        default="",
        metavar="NAME=NUMBER,...",
        help="the value of every variable, e.g. x=1.0,w=0.5",
    )
    graph.add_argument(
        "--out",
        type=_path,
        default="graph.svg",
        metavar="FILE",
        help="picture to write (%(default)s)",
    )
    graph.set_defaults(func=_graph)
    return parser


# --- the commands ---------------------------------------------------------------------


class WriteError(OSError):
    """A file or folder the user named cannot be written; the message names it."""


def _cannot(path: str, error: OSError) -> WriteError:
    # The errno's own words: the library's messages add the writer's name
    # ("render: Not a directory"), which the user did not call by that name.
    reason = os.strerror(error.errno) if error.errno else error.strerror or _one_line(error)
    return WriteError(f"cannot write {path!r}: {reason}")


@contextlib.contextmanager
def _drawing() -> Iterator[None]:
    """Hold what drawing writes on stderr, and pass it on only when drawing succeeds.

    The graphviz package echoes ``dot``'s messages to stderr before raising;
    when ``dot`` fails, the one-line error (which quotes them) is enough.
    """
    held = io.StringIO()
    with contextlib.redirect_stderr(held):
        yield
    sys.stderr.write(held.getvalue())


def _out_dir(path: str) -> str:
    if os.path.exists(path) and not os.path.isdir(path):
        raise UsageError(f"--out {path!r} exists and is not a folder")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as e:
        raise _cannot(path, e) from None
    return path


EXTRAS = {"plot": "matplotlib", "viz": "graphviz"}
"""The extras the commands need, and the module each one brings."""


def _importable(module: str) -> bool:
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


def _require(*extras: str) -> None:
    """Stop before any work, naming every missing extra (and Graphviz's ``dot``) at once."""
    missing = [e for e in extras if not _importable(EXTRAS[e])]
    problems = []
    if missing:
        modules = " and ".join(EXTRAS[e] for e in missing)
        problems.append(
            f"needs {modules}, which {'is' if len(missing) == 1 else 'are'} not installed; "
            f"install with: pip install 'chainrule[{','.join(missing)}]'"
        )
    if "viz" in extras and shutil.which("dot") is None:
        hint = " ".join(line.strip() for line in INSTALL_HINT.splitlines())
        problems.append(f"needs Graphviz's 'dot' program, which is not on PATH. {hint}")
    if missing:
        raise ImportError("; it also ".join(problems))
    if problems:
        raise GraphvizNotFoundError(problems[0])


def _check_extras() -> None:
    _require("plot", "viz")


def _demo(args: argparse.Namespace) -> int:
    return _run_training(Settings(), args.out, "chainrule demo: two moons")


def _train(args: argparse.Namespace) -> int:
    settings = Settings(
        dataset=args.dataset,
        hidden=args.hidden,
        activation=args.activation,
        optimizer=args.optimizer,
        lr=args.lr if args.lr is not None else DEFAULT_LR[args.optimizer],
        epochs=args.epochs,
        seed=args.seed,
        samples=args.samples,
        l2=args.l2,
    )
    return _run_training(settings, args.out, f"chainrule train: {args.dataset}")


def _run_training(settings: Settings, out: str, title: str) -> int:
    _check_extras()
    out = _out_dir(out)
    start = time.perf_counter()
    run = train(settings)
    trained = time.perf_counter()
    try:
        with _drawing():
            files = write_training(run, out, title)
    except OSError as e:
        raise _cannot(out, e) from None
    done = time.perf_counter()
    print(
        f"final accuracy {100 * run.final_accuracy:.1f}% (loss {run.final_loss:.4f}) "
        f"after {settings.epochs} steps: trained in {trained - start:.2f} s, "
        f"pages written in {done - trained:.2f} s"
    )
    print(f"wrote {', '.join(os.path.basename(f) for f in files)} to {out}")
    print(f"open {os.path.join(out, 'index.html')} in a browser")
    return 0


def _question(args: argparse.Namespace) -> int:
    _check_extras()
    out = _out_dir(args.out)
    findings = run_all()
    main_page = render_interactive(page_data())
    try:
        with _drawing():
            files = write_question(findings, out, main_page=main_page)
    except OSError as e:
        raise _cannot(out, e) from None
    for i, f in enumerate(findings, start=1):
        print(f"{i}. {f.title}")
        text = textwrap.fill(
            f.statement,
            width=88,
            initial_indent="   ",
            subsequent_indent="   ",
            break_long_words=False,
            break_on_hyphens=False,
        )
        print(text)
        console = f.console_table()
        if console is not None:
            print()
            print(textwrap.indent(text_table(*console), "   "))
        print()
    print(f"wrote {', '.join(os.path.basename(f) for f in files)} to {out}")
    print(f"open {os.path.join(out, 'index.html')} in a browser")
    failed = [str(i) for i, f in enumerate(findings, start=1) if not f.holds]
    if failed:
        print(
            f"{PROG} question: error: the check of finding {', '.join(failed)} failed; "
            f"see {os.path.join(out, 'report.json')}",
            file=sys.stderr,
        )
        return 1
    return 0


def _graph(args: argparse.Namespace) -> int:
    expr = parse(args.expr)
    values = parse_assignments(args.at)
    if not expr.variables:
        raise UsageError("EXPR uses no variable, so there is nothing to differentiate")
    variables = {name: Value(x, label=name) for name, x in values.items()}
    root = evaluate(expr, variables)
    assert isinstance(root, Value)
    root.backward()
    print(f"f = {expr.text} = {root.data!r}")
    for name in values:  # in the order --at gives them
        if name in expr.variables:
            print(f"df/d{name} = {variables[name].grad!r}")
    unused = [n for n in values if n not in expr.variables]
    if unused:
        print(f"({', '.join(unused)} not in EXPR: gradient 0)")
    if not root.label:
        root.label = "f"
    out = args.out
    suffix = os.path.splitext(out)[1].lower().lstrip(".")
    if not suffix:
        raise UsageError(f"--out {out!r} needs a suffix such as .svg, .png or .html")
    _require("viz")
    try:
        with _drawing():
            if suffix == "html":
                to_html(root, out)
            else:
                render(root, out, format=suffix, show_local=True)
    except OSError as e:
        raise _cannot(out, e) from None
    print(f"wrote {out}")
    return 0


# --- entry point ----------------------------------------------------------------------


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def _dot_failed(error: subprocess.CalledProcessError) -> str:
    """What happened to Graphviz's ``dot``, in one line."""
    code = error.returncode
    if code < 0:
        try:
            how = f"was killed ({signal.Signals(-code).name})"
        except ValueError:
            how = f"was killed by signal {-code}"
    else:
        how = f"failed (exit status {code})"
    stderr = error.stderr
    if isinstance(stderr, bytes):
        stderr = stderr.decode("utf-8", "replace")
    detail = " ".join(str(stderr or "").split())
    if len(detail) > 200:
        detail = detail[:197] + "..."
    return f"Graphviz's 'dot' program {how} while drawing the graph" + (
        f": {detail}" if detail else ""
    )


def main(argv: list[str] | None = None) -> int:
    """Run ``chainrule`` with ``argv`` (default: the process's arguments); return the status."""
    if _ENGINE_PROBLEM is not None:
        print(f"{PROG}: error: {_ENGINE_PROBLEM}", file=sys.stderr)
        return 1
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    if command is not None and command not in parser.commands:
        close = difflib.get_close_matches(command, list(parser.commands), n=1)
        print(
            f"{PROG}: error: unknown command {command!r}"
            + (f" (did you mean {close[0]!r}?)" if close else "")
            + f"; the commands are {', '.join(parser.commands)} (see '{PROG} --help')",
            file=sys.stderr,
        )
        return 2
    try:
        args, extras = parser.parse_known_args(argv)
    except SystemExit as e:  # --help, --version, or a bad argument (status 2)
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
    if extras:
        print(parser.commands[args.command].unrecognized(extras), file=sys.stderr)
        return 2
    prog = f"{PROG} {args.command}"
    try:
        status: int = args.func(args)
    except subprocess.CalledProcessError as e:  # Graphviz's dot failed or was killed
        print(f"{prog}: error: {_dot_failed(e)}", file=sys.stderr)
        return 1
    except Diverged as e:  # the run itself failed: a setting, not the input, is wrong
        print(f"{prog}: error: {_one_line(e)}", file=sys.stderr)
        return 1
    except (ValueError, ArithmeticError) as e:  # bad input, or what the engine said of it
        print(f"{prog}: error: {_one_line(e)}", file=sys.stderr)
        return 2
    except (ImportError, OSError, GraphvizNotFoundError) as e:  # missing extra or Graphviz, I/O
        print(f"{prog}: error: {_one_line(e)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
