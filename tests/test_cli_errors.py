"""The command's errors: one line each, naming what to fix; every hint leads to input that works."""

from __future__ import annotations

import importlib.util
import os
import pathlib
import re
import shutil
import stat

import pytest

import nn
from chainrule.cli import main

pytestmark = pytest.mark.core

HAVE_VIZ = importlib.util.find_spec("graphviz") is not None and shutil.which("dot") is not None
needs_viz = pytest.mark.skipif(not HAVE_VIZ, reason="drawing needs the viz extra and Graphviz")


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> pathlib.Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(args)
    out, err = capsys.readouterr()
    return status, out, err


def one_line(err: str) -> str:
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err.rstrip("\n")


# --- unknown flags and commands ---------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["train", "--lrr", "3"],
            "chainrule train: error: unrecognized argument --lrr "
            "(did you mean --lr?) (see 'chainrule train --help')",
        ),
        (
            ["train", "--hiden=4"],
            "chainrule train: error: unrecognized argument --hiden=4 "
            "(did you mean --hidden?) (see 'chainrule train --help')",
        ),
        (
            ["demo", "--output", "d"],
            "chainrule demo: error: unrecognized argument --output "
            "(did you mean --out?) (see 'chainrule demo --help')",
        ),
        (
            ["graph", "x", "--att", "x=1"],
            "chainrule graph: error: unrecognized argument --att "
            "(did you mean --at?) (see 'chainrule graph --help')",
        ),
        (
            ["question", "extra"],
            "chainrule question: error: unrecognized argument 'extra' "
            "(see 'chainrule question --help')",
        ),
        (
            ["train", "--dataset", "xor", "--optimiser", "adam", "--seeds", "1"],
            "chainrule train: error: unrecognized arguments "
            "--optimiser (did you mean --optimizer?), --seeds (did you mean --seed?) "
            "(see 'chainrule train --help')",
        ),
        (
            ["graph", "--", "x", "--at", "x=1"],
            "chainrule graph: error: unrecognized argument "
            "--at (options go before '--') (see 'chainrule graph --help')",
        ),
        (
            ["grph", "x"],
            "chainrule: error: unknown command 'grph' (did you mean 'graph'?); "
            "the commands are demo, train, question, graph (see 'chainrule --help')",
        ),
        (
            ["nonsense"],
            "chainrule: error: unknown command 'nonsense'; "
            "the commands are demo, train, question, graph (see 'chainrule --help')",
        ),
    ],
)
def test_unknown_flags_name_the_subcommand_and_the_closest_flag(
    args: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(args, capsys)
    assert status == 2 and out == ""
    assert one_line(err) == expected


def test_the_suggested_flag_is_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    _, _, err = run(["graph", "x * 2", "--att", "x=1"], capsys)
    flag = re.search(r"did you mean (--\w+)\?", err)
    assert flag is not None
    status, out, _ = run(["graph", "x * 2", flag.group(1), "x=1", "--out", "g.svg"], capsys)
    assert "df/dx = 2.0" in out and status == (0 if HAVE_VIZ else 1)


# --- --out --------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["demo"], ["train"], ["question"], ["graph", "x"]])
def test_an_empty_out_is_a_bad_argument(
    command: list[str], capsys: pytest.CaptureFixture[str], in_tmp: pathlib.Path
) -> None:
    status, out, err = run(
        [*command, *(["--at", "x=1"] if command[0] == "graph" else []), "--out", ""],
        capsys,
    )
    assert status == 2 and out == ""
    assert one_line(err).endswith(
        "error: argument --out: is empty; give a file or folder name "
        f"(see 'chainrule {command[0]} --help')"
    )
    assert os.listdir(in_tmp) == []


@needs_viz
@pytest.mark.parametrize("suffix", ["svg", "html"])
def test_a_write_error_names_the_path_the_user_gave(
    suffix: str, capsys: pytest.CaptureFixture[str], in_tmp: pathlib.Path
) -> None:
    (in_tmp / "afile").write_text("not a folder")
    target = f"afile/g.{suffix}"
    status, _, err = run(["graph", "x * 2", "--at", "x=1", "--out", target], capsys)
    assert status == 1
    assert one_line(err) == f"chainrule graph: error: cannot write {target!r}: Not a directory"
    assert ".tmp" not in err


@pytest.mark.parametrize("command", ["demo", "train", "question"])
def test_an_out_folder_that_cannot_be_made_is_named(
    command: str,
    capsys: pytest.CaptureFixture[str],
    in_tmp: pathlib.Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import chainrule.cli

    monkeypatch.setattr(chainrule.cli, "_check_extras", lambda: None)
    (in_tmp / "afile").write_text("not a folder")
    status, _, err = run([command, "--out", "afile/out"], capsys)
    assert status == 1
    assert one_line(err) == f"chainrule {command}: error: cannot write 'afile/out': Not a directory"


def test_a_failure_while_writing_pages_names_the_out_folder(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import chainrule.cli

    def fails(*args: object) -> list[str]:
        raise PermissionError(13, "Permission denied", "out/.loss.svg.1f2e3d.tmp")

    monkeypatch.setattr(chainrule.cli, "_check_extras", lambda: None)
    monkeypatch.setattr(chainrule.cli, "write_training", fails)
    status, _, err = run(["train", "--epochs", "2", "--samples", "8", "--out", "out"], capsys)
    assert status == 1
    assert one_line(err) == "chainrule train: error: cannot write 'out': Permission denied"


# --- graph ----------------------------------------------------------------------------------


def test_gradients_are_printed_in_the_order_of_at(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(["graph", "a * b + c * a", "--at", "c=3,a=2,b=5", "--out", "g.svg"], capsys)
    lines = [line for line in out.splitlines() if line.startswith("df/d")]
    assert lines == ["df/dc = 2.0", "df/da = 8.0", "df/db = 2.0"]


def test_a_function_used_as_a_variable_is_refused_with_a_hint_that_works(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, _, err = run(["graph", "exp * x", "--at", "x=1"], capsys)
    assert status == 2
    assert one_line(err) == (
        "chainrule graph: error: EXPR: 'exp' is a function, not a variable; call it as exp(x)"
    )
    assert "--at exp" not in err  # the old hint, which --at then refused
    fixed = re.search(r"call it as (\S+)", err)
    assert fixed is not None
    status, out, _ = run(["graph", fixed.group(1), "--at", "x=1", "--out", "g.svg"], capsys)
    assert status == (0 if HAVE_VIZ else 1) and "df/dx = 2.718281828459045" in out


@pytest.mark.parametrize(
    ("expr", "at"),
    [("x * y", "x=1"), ("x * y * z", "y=2"), ("w * x + b", ""), ("tanh(x) * q", "q=0.5")],
)
def test_the_at_hint_for_missing_values_runs_as_given(
    expr: str, at: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(["graph", expr, "--at", at], capsys)
    assert status == 2
    hint = re.search(r"e\.g\. --at (\S+)$", one_line(err))
    assert hint is not None, err
    status, out, err = run(["graph", expr, "--at", hint.group(1), "--out", "g.svg"], capsys)
    assert status == (0 if HAVE_VIZ else 1), err
    assert out.startswith(f"f = {expr} = ")


def test_full_width_names_in_at_are_the_names_in_expr(capsys: pytest.CaptureFixture[str]) -> None:
    # Python reads EXPR's identifiers NFKC-normalised; --at does the same
    for expr, at in [("ｘ * 3", "ｘ=2"), ("x * 3", "ｘ=2"), ("ｘ * 3", "x=2")]:
        _, out, err = run(["graph", expr, "--at", at, "--out", "g.svg"], capsys)
        assert "df/dx = 3.0" in out, err
        assert "not in EXPR" not in out
    status, _, err = run(["graph", "x", "--at", "x=1,ｘ=2"], capsys)
    assert status == 2 and "'x' is given twice" in one_line(err)
    status, _, err = run(["graph", "x", "--at", "ｅｘｐ=1"], capsys)
    assert status == 2 and "'exp' is a function name" in one_line(err)


def fake_dot(folder: pathlib.Path, body: str) -> pathlib.Path:
    folder.mkdir()
    dot = folder / "dot"
    dot.write_text("#!/bin/sh\n" + body)
    dot.chmod(dot.stat().st_mode | stat.S_IXUSR)
    return folder


@pytest.mark.skipif(os.name != "posix", reason="the stand-in dot is a shell script")
@pytest.mark.parametrize(
    ("body", "said"),
    [
        ("kill -9 $$\n", "Graphviz's 'dot' program was killed (SIGKILL) while drawing the graph"),
        (
            'echo "Error: layout failed" >&2\nexit 3\n',
            "Graphviz's 'dot' program failed (exit status 3) while drawing the graph: "
            "Error: layout failed",
        ),
    ],
    ids=["killed", "fails"],
)
@pytest.mark.parametrize("out", ["g.svg", "g.html"])
def test_a_graphviz_that_fails_or_is_killed_is_one_line(
    body: str,
    said: str,
    out: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    in_tmp: pathlib.Path,
) -> None:
    pytest.importorskip("graphviz", reason="the viz extra runs dot")
    folder = fake_dot(in_tmp / "bin", body)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    status, stdout, err = run(["graph", "x * 2", "--at", "x=1", "--out", out], capsys)
    assert status == 1
    assert stdout.splitlines()[1] == "df/dx = 2.0"  # the gradients come first
    assert one_line(err) == f"chainrule graph: error: {said}"
    assert not (in_tmp / out).exists()


# --- numbers the library refuses ------------------------------------------------------------


@pytest.mark.parametrize("digits", [400, 5000])
@pytest.mark.parametrize("sign", [1, -1])
def test_make_moons_with_an_int_noise_too_large_for_a_float(digits: int, sign: int) -> None:
    message = f"make_moons: noise must be a finite number, got an int of about {digits + 1} digits"
    with pytest.raises(ValueError) as info:
        nn.datasets.make_moons(3, noise=sign * 10**digits)
    assert str(info.value) == message


def test_make_moons_with_the_largest_float_noise_still_works() -> None:
    X, _ = nn.datasets.make_moons(3, noise=2**1023, seed=0)
    assert len(X) == 3


def test_samples_is_capped(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(["train", "--samples", "10001"], capsys)
    assert status == 2
    assert "at most 10000 points, got 10001" in one_line(err)
