"""atomic_write: all or nothing, any valid file name, and errors that name the file asked for.

The same promises are checked through the three writers built on it:
``nn.save``, ``autograd.viz.render`` and ``autograd.viz.to_html`` (the last
two only where Graphviz is installed).
"""

from __future__ import annotations

import errno
import importlib.util
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import nn
from autograd import Value
from autograd.files import atomic_write

pytestmark = pytest.mark.core

HAVE_DOT = importlib.util.find_spec("graphviz") is not None and shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(
    not HAVE_DOT,
    reason="needs the graphviz Python package and Graphviz's dot program "
    "(pip install 'chainrule[viz]'; apt-get install graphviz)",
)


def name_max(folder: Path) -> int:
    """The longest file name, in bytes, the file system under ``folder`` allows."""
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (AttributeError, OSError, ValueError):  # Windows: no pathconf; NTFS allows 255
        return 255


def longest_name(folder: Path, suffix: str, fill: str = "a") -> str:
    """A file name exactly at the file system's limit (in bytes), ending in ``suffix``."""
    room = name_max(folder) - len(os.fsencode(suffix))
    per = len(os.fsencode(fill))
    name = fill * (room // per) + "b" * (room % per) + suffix
    assert len(os.fsencode(name)) == name_max(folder)
    return name


def listing(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


# ------------------------------------------------------------ atomic_write


def test_writes_the_bytes_and_replaces_an_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    assert atomic_write(target, b"first", what="test") is None
    assert target.read_bytes() == b"first"
    atomic_write(str(target), bytearray(b"second"), what="test")
    assert target.read_bytes() == b"second"
    atomic_write(target, memoryview(b""), what="test")
    assert target.read_bytes() == b""
    assert listing(tmp_path) == ["out.bin"]


@pytest.mark.parametrize("fill", ["a", "é", "🙂"], ids=["ascii", "2-byte", "4-byte"])
def test_a_name_at_the_file_system_limit_works(fill: str, tmp_path: Path) -> None:
    name = longest_name(tmp_path, ".json", fill)
    atomic_write(tmp_path / name, b"data", what="test")
    assert (tmp_path / name).read_bytes() == b"data"
    assert listing(tmp_path) == [name]


def test_the_temporary_name_is_short_hidden_and_recognisable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    real = os.replace

    def spy(src: str, dst: str) -> None:
        seen.append(os.path.basename(src))
        assert os.path.dirname(src) == os.path.dirname(os.path.abspath(dst))  # same folder
        real(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    for name in ("m.json", longest_name(tmp_path, ".html"), longest_name(tmp_path, ".x", "é")):
        atomic_write(tmp_path / name, b"x", what="test")
    assert seen[0].startswith(".m.json.") and seen[0].endswith(".tmp")
    for tmp, name in zip(seen, ("m.json", "a" * 24, "é" * 12)):
        assert tmp.startswith("." + name[:24] + ".")
        assert len(os.fsencode(tmp)) <= 42  # whatever the target's length
    assert len(set(seen)) == 3


def check_names_target(exc: OSError, target: str, code: int, what: str) -> None:
    """The error is about ``target`` (as given), keeps its errno, and hides the temp file."""
    assert exc.errno == code, exc
    assert exc.filename == target
    assert exc.filename2 is None
    text = str(exc)
    assert repr(target) in text and text.startswith(f"[Errno {code}] {what}: ")
    assert ".tmp" not in text
    assert exc.__suppress_context__ and exc.__cause__ is None  # no traceback of the temp file


def test_a_directory_in_the_way_is_named_not_the_temp(tmp_path: Path) -> None:
    folder = tmp_path / "taken"
    folder.mkdir()
    (folder / "inside").write_text("kept")
    with pytest.raises(IsADirectoryError if sys.platform != "win32" else PermissionError) as info:
        atomic_write(folder, b"data", what="test")
    code = errno.EISDIR if sys.platform != "win32" else errno.EACCES
    check_names_target(info.value, str(folder), code, "test")
    assert listing(tmp_path) == ["taken"] and listing(folder) == ["inside"]


def test_a_missing_folder_is_named_not_the_temp(tmp_path: Path) -> None:
    target = str(tmp_path / "no" / "such" / "m.json")
    with pytest.raises(FileNotFoundError) as info:
        atomic_write(target, b"data", what="nn.save")
    check_names_target(info.value, target, errno.ENOENT, "nn.save")


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0,
    reason="needs POSIX permissions and a user they apply to (root writes anywhere)",
)
def test_an_unwritable_folder_is_named_not_the_temp(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "m.json").write_bytes(b"old")
    folder.chmod(0o555)
    try:
        with pytest.raises(PermissionError) as info:
            atomic_write(folder / "m.json", b"new", what="test")
    finally:
        folder.chmod(0o755)
    check_names_target(info.value, str(folder / "m.json"), errno.EACCES, "test")
    assert (folder / "m.json").read_bytes() == b"old"


def test_a_refused_temp_file_is_reported_as_the_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As an unwritable folder does, for every user (root included)."""
    real = os.open

    def refuse(path: str, flags: int, mode: int = 0o777) -> int:
        if os.path.dirname(path) == os.path.realpath(tmp_path):
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real(path, flags, mode)

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(PermissionError) as info:
        atomic_write(tmp_path / "m.json", b"new", what="render")
    check_names_target(info.value, str(tmp_path / "m.json"), errno.EACCES, "render")


@pytest.mark.parametrize("where", ["write", "fsync", "replace", "interrupt"])
def test_a_failure_keeps_the_old_file_and_leaves_no_temp(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "m.json"
    target.write_bytes(b"old contents")
    during: list[list[str]] = []

    def fail(*args: object, **kwargs: object) -> None:
        during.append(listing(tmp_path))  # the temp file exists, the old file is whole
        if where == "interrupt":
            raise KeyboardInterrupt
        raise OSError(errno.ENOSPC, "No space left on device")

    if where == "write":
        real_fdopen = os.fdopen

        class HalfWritten:
            def __init__(self, fd: int) -> None:
                self.f = real_fdopen(fd, "wb")

            def __enter__(self) -> HalfWritten:
                return self

            def __exit__(self, *exc: object) -> None:
                self.f.close()

            def write(self, data: bytes) -> None:
                self.f.write(data[: len(data) // 2])
                self.f.flush()
                fail()

        monkeypatch.setattr(os, "fdopen", lambda fd, mode: HalfWritten(fd))
    elif where == "fsync":
        monkeypatch.setattr(os, "fsync", fail)
    else:
        monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(KeyboardInterrupt if where == "interrupt" else OSError) as info:
        atomic_write(target, b"new contents, longer than the old", what="test")
    monkeypatch.undo()
    assert len(during) == 1 and len(during[0]) == 2  # target and one temp
    assert target.read_bytes() == b"old contents"
    assert listing(tmp_path) == ["m.json"]
    if where != "interrupt":
        assert isinstance(info.value, OSError)
        check_names_target(info.value, str(target), errno.ENOSPC, "test")


def test_an_oserror_subclass_with_its_own_constructor_stays_an_oserror(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Odd(OSError):
        def __init__(self) -> None:
            super().__init__(errno.EIO, "odd failure")

    def fail(*args: object) -> None:
        raise Odd

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError) as info:
        atomic_write(tmp_path / "m.json", b"x", what="test")
    monkeypatch.undo()
    check_names_target(info.value, str(tmp_path / "m.json"), errno.EIO, "test")
    assert listing(tmp_path) == []


def test_bad_arguments_are_refused_before_anything_is_written(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=r"test: data must be bytes, got str"):
        atomic_write(tmp_path / "m", "text", what="test")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"test: path must be text"):
        atomic_write(os.fsencode(tmp_path / "m"), b"x", what="test")  # type: ignore[arg-type]
    assert listing(tmp_path) == []


def test_the_new_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    if sys.platform == "win32":
        pytest.skip("POSIX permission bits")
    umask = os.umask(0o022)
    try:
        atomic_write(tmp_path / "m", b"x", what="test")
    finally:
        os.umask(umask)
    assert (tmp_path / "m").stat().st_mode & 0o777 == 0o644


# ------------------------------------------------------- the three writers


def _graph() -> Value:
    x = Value(2.0, label="x")
    return (x * x).tanh()


def _save(path: Path) -> object:
    return nn.save(nn.Neuron(2, seed=0), path)


def _render(path: Path) -> object:
    from autograd.viz import render

    return render(_graph(), path)


def _to_html(path: Path) -> object:
    from autograd.viz import to_html

    return to_html(_graph(), path)


WRITERS = [
    pytest.param(_save, "nn.save", ".json", id="nn.save"),
    pytest.param(_render, "render", ".svg", id="render", marks=needs_dot),
    pytest.param(_to_html, "to_html", ".html", id="to_html", marks=needs_dot),
]


@pytest.mark.parametrize(("write", "what", "suffix"), WRITERS)
def test_each_writer_takes_a_name_at_the_limit(
    write: Callable[[Path], object], what: str, suffix: str, tmp_path: Path
) -> None:
    name = longest_name(tmp_path, suffix)
    write(tmp_path / name)
    assert (tmp_path / name).stat().st_size > 0
    assert listing(tmp_path) == [name]


@pytest.mark.parametrize(("write", "what", "suffix"), WRITERS)
def test_each_writer_names_the_target_when_a_directory_is_in_the_way(
    write: Callable[[Path], object], what: str, suffix: str, tmp_path: Path
) -> None:
    folder = tmp_path / ("out" + suffix)
    folder.mkdir()
    with pytest.raises(OSError) as info:
        write(folder)
    code = errno.EISDIR if sys.platform != "win32" else errno.EACCES
    check_names_target(info.value, str(folder), code, what)
    assert listing(tmp_path) == [folder.name] and listing(folder) == []


@pytest.mark.parametrize(("write", "what", "suffix"), WRITERS)
def test_each_writer_keeps_the_old_file_when_the_write_fails(
    write: Callable[[Path], object],
    what: str,
    suffix: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / ("out" + suffix)
    target.write_bytes(b"old")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError) as info:
        write(target)
    monkeypatch.undo()
    check_names_target(info.value, str(target), errno.ENOSPC, what)
    assert target.read_bytes() == b"old"
    assert listing(tmp_path) == [target.name]


@pytest.mark.parametrize(("write", "what", "suffix"), WRITERS)
def test_each_writer_names_the_target_in_a_missing_folder(
    write: Callable[[Path], object], what: str, suffix: str, tmp_path: Path
) -> None:
    target = tmp_path / "missing" / ("out" + suffix)
    with pytest.raises(FileNotFoundError) as info:
        write(target)
    check_names_target(info.value, str(target), errno.ENOENT, what)
    assert listing(tmp_path) == []


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")
def test_a_symbolic_link_is_followed_like_open_does(tmp_path: Path) -> None:
    (tmp_path / "runs").mkdir()
    real = tmp_path / "runs" / "best.json"
    real.write_bytes(b"old")
    link = tmp_path / "model.json"
    link.symlink_to(Path("runs") / "best.json")
    atomic_write(link, b"new", what="test")
    assert link.is_symlink() and real.read_bytes() == b"new"
    assert listing(tmp_path) == ["model.json", "runs"] and listing(tmp_path / "runs") == [
        "best.json"
    ]
    dangling = tmp_path / "later.json"
    dangling.symlink_to(Path("runs") / "later.json")
    atomic_write(dangling, b"made", what="test")
    assert dangling.is_symlink() and (tmp_path / "runs" / "later.json").read_bytes() == b"made"
