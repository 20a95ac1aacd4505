"""nn.save / nn.load: exact round trips, atomic writes, and every kind of bad file."""

from __future__ import annotations

import json
import math
import os
import pathlib
import struct

import pytest

import nn
import nn.io
from autograd import Value

pytestmark = pytest.mark.core


def bits(model: nn.Module) -> list[bytes]:
    return [struct.pack("<d", p.data) for p in model.parameters()]


def files(folder: pathlib.Path) -> list[str]:
    return sorted(os.listdir(folder))


MODELS = [
    lambda: nn.Neuron(3, "sigmoid", seed=1),
    lambda: nn.Layer(2, 4, "linear", seed=2),
    lambda: nn.MLP(2, [16, 16, 1], seed=3),
    lambda: nn.MLP(3, [5, 2], "tanh", seed=4),
]


@pytest.mark.parametrize("make", MODELS, ids=["Neuron", "Layer", "MLP", "MLP-tanh"])
def test_round_trip_is_exact(make, tmp_path: pathlib.Path) -> None:  # type: ignore[no-untyped-def]
    model = make()
    awkward = [0.1 + 0.2, -0.0, 5e-324, 1.7976931348623157e308, -1e-300, 1 / 3, 2.0**-1074 * 3]
    for p, v in zip(model.parameters(), awkward):
        p.data = v
    path = tmp_path / "model.json"
    nn.save(model, path)
    loaded = nn.load(path)
    assert type(loaded) is type(model)
    assert loaded.config() == model.config()
    assert bits(loaded) == bits(model)  # bit for bit, -0.0 and subnormals included
    x = [0.5, -0.25, 0.75][: model.nin]  # type: ignore[attr-defined]
    out_a, out_b = model(x), loaded(x)
    outs_a = out_a if isinstance(out_a, list) else [out_a]
    outs_b = out_b if isinstance(out_b, list) else [out_b]
    assert [v.data for v in outs_a] == [v.data for v in outs_b]
    assert files(tmp_path) == ["model.json"]


def test_str_paths_and_overwrite(tmp_path: pathlib.Path) -> None:
    path = str(tmp_path / "m.json")
    nn.save(nn.Neuron(2, seed=0), path)
    second = nn.MLP(2, [3, 1], seed=1)
    nn.save(second, path)
    assert bits(nn.load(path)) == bits(second)


def test_file_is_readable_json_without_pickle(tmp_path: pathlib.Path) -> None:
    model = nn.MLP(2, [3, 1], "tanh", seed=0)
    path = tmp_path / "m.json"
    nn.save(model, path)
    raw = path.read_bytes()
    doc = json.loads(raw)
    assert doc["format"] == "chainrule.nn"
    assert doc["version"] == 1
    assert doc["class"] == "MLP"
    assert doc["config"] == {"nin": 2, "nouts": [3, 1], "activation": "tanh"}
    assert doc["state"] == model.state_dict()
    assert raw.endswith(b"\n")
    assert b"\x80" not in raw  # no pickle protocol header anywhere


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_saved_file_gets_normal_permissions(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "m.json"
    nn.save(nn.Neuron(2), path)
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask  # not a temp file's 0600


def test_missing_file_is_oserror(tmp_path: pathlib.Path) -> None:
    with pytest.raises(FileNotFoundError):
        nn.load(tmp_path / "nope.json")
    with pytest.raises(OSError):
        nn.load(tmp_path)  # a directory


def test_save_into_missing_folder_is_oserror(tmp_path: pathlib.Path) -> None:
    with pytest.raises(FileNotFoundError):
        nn.save(nn.Neuron(2), tmp_path / "no" / "m.json")
    assert files(tmp_path) == []


def test_bad_path_types() -> None:
    with pytest.raises(TypeError, match="path"):
        nn.save(nn.Neuron(2), 3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="path"):
        nn.load(None)  # type: ignore[arg-type]


def test_save_refuses_non_modules_and_non_finite(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "m.json"
    with pytest.raises(TypeError, match=r"expected an nn\.Module"):
        nn.save([1.0], path)  # type: ignore[arg-type]
    model = nn.MLP(2, [2, 1], seed=0)
    nn.save(model, path)
    before = path.read_bytes()
    for bad in (math.nan, math.inf, -math.inf):
        model.layers[1].neurons[0].b.data = bad
        with pytest.raises(
            ValueError,
            match=r"parameter 'layers.1.neurons.0.b' \(label 'L1.N0.b'\) of the MLP is .*NaN",
        ):
            nn.save(model, path)
        assert path.read_bytes() == before
    assert files(tmp_path) == ["m.json"]


# --- atomicity --------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["write", "fsync", "replace", "interrupt"])
def test_failed_save_keeps_old_file_and_leaves_no_temp(
    where: str, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "m.json"
    old = nn.MLP(2, [4, 1], seed=0)
    nn.save(old, path)
    before = path.read_bytes()
    new = nn.MLP(2, [4, 1], seed=1)
    seen: list[str] = []

    def fail(*args: object, **kwargs: object) -> None:
        # the new contents are already (partly) on disk in the temp file
        temps = [f for f in files(tmp_path) if f != "m.json"]
        assert len(temps) == 1 and temps[0].startswith(".m.json.")
        seen.append(temps[0])
        if where == "interrupt":
            raise KeyboardInterrupt
        raise OSError(28, "No space left on device")

    if where == "write":
        real_fdopen = os.fdopen

        class Half:
            def __init__(self, f):  # type: ignore[no-untyped-def]
                self.f = f

            def __enter__(self):  # type: ignore[no-untyped-def]
                return self

            def __exit__(self, *exc):  # type: ignore[no-untyped-def]
                self.f.close()

            def write(self, data: bytes) -> None:
                self.f.write(data[: len(data) // 2])
                self.f.flush()
                fail()

        monkeypatch.setattr(nn.io.os, "fdopen", lambda fd, mode: Half(real_fdopen(fd, mode)))
    elif where == "fsync":
        monkeypatch.setattr(nn.io.os, "fsync", fail)
    else:
        monkeypatch.setattr(nn.io.os, "replace", fail)
    exc = KeyboardInterrupt if where == "interrupt" else OSError
    with pytest.raises(exc):
        nn.save(new, path)
    monkeypatch.undo()
    assert seen  # the failure really happened mid-save
    assert path.read_bytes() == before
    assert bits(nn.load(path)) == bits(old)
    assert files(tmp_path) == ["m.json"]


# --- corrupt files ----------------------------------------------------------------------


def _good_doc() -> dict:  # type: ignore[type-arg]
    return json.loads(nn.io.encode(nn.MLP(2, [3, 1], seed=0)))


def _edit(fn):  # type: ignore[no-untyped-def]
    doc = _good_doc()
    fn(doc)
    return json.dumps(doc).encode()


CORRUPT: list[tuple[str, bytes, str]] = [
    ("empty file", b"", "not valid JSON"),
    ("whitespace", b"  \n", "not valid JSON"),
    ("not JSON", b"hello", "not valid JSON"),
    ("pickle bytes", b"\x80\x04\x95\x00", "not UTF-8"),
    ("latin-1 text", '{"format": "caf\u00e9"}'.encode("latin-1"), "not UTF-8"),
    ("top-level list", b"[1, 2]", "JSON object at the top"),
    ("other format", _edit(lambda d: d.update(format="keras")), "not a chainrule model"),
    ("no format", _edit(lambda d: d.pop("format")), "not a chainrule model"),
    ("version 2", _edit(lambda d: d.update(version=2)), "unsupported format version 2"),
    ("version '1'", _edit(lambda d: d.update(version="1")), "unsupported format version '1'"),
    ("version true", _edit(lambda d: d.update(version=True)), "unsupported format version True"),
    ("no version", _edit(lambda d: d.pop("version")), "unsupported format version None"),
    ("extra key", _edit(lambda d: d.update(note="x")), "unexpected"),
    ("no state", _edit(lambda d: d.pop("state")), "missing"),
    (
        "unknown class",
        _edit(lambda d: d.update({"class": "Transformer"})),
        r"'Transformer', which is not one of nn's classes .* nn.load\(path, cls=Transformer\)",
    ),
    ("config not object", _edit(lambda d: d.update(config=[2, [3, 1]])), "config must be"),
    ("config wider", _edit(lambda d: d["config"].update(nin=3)), "has 16 parameters"),
    ("config deeper", _edit(lambda d: d["config"].update(nouts=[3, 3, 1])), "parameters"),
    (
        "bad activation",
        _edit(lambda d: d["config"].update(activation="gelu")),
        "unknown activation",
    ),
    ("config extra arg", _edit(lambda d: d["config"].update(depth=2)), "bad config"),
    ("config seed", _edit(lambda d: d["config"].update(seed=1)), "bad config"),
    ("nin as text", _edit(lambda d: d["config"].update(nin="2")), "bad config"),
    (
        "string weight",
        _edit(lambda d: d["state"]["layers"][1]["biases"].__setitem__(0, "1")),
        "must be a number",
    ),
    (
        "bool weight",
        _edit(lambda d: d["state"]["layers"][1]["biases"].__setitem__(0, False)),
        "must be a number",
    ),
    (
        "null weight",
        _edit(lambda d: d["state"]["layers"][0]["weights"][2].__setitem__(1, None)),
        "must be a number",
    ),
    (
        "moved number",
        _edit(
            lambda d: d["state"]["layers"][1]["weights"][0].append(
                d["state"]["layers"][0]["biases"].pop()
            )
        ),
        r"\['biases'\] has 2 numbers, expected 3",
    ),
    ("state of a Layer", _edit(lambda d: d.update(state=d["state"]["layers"][0])), "parameters"),
    (
        "NaN token",
        nn.io.encode(nn.Neuron(2, seed=0)).replace('"bias": 0.0', '"bias": NaN').encode(),
        "NaN is not a JSON number",
    ),
    (
        "Infinity token",
        nn.io.encode(nn.Neuron(2, seed=0)).replace('"bias": 0.0', '"bias": -Infinity').encode(),
        "Infinity",
    ),
    ("duplicate key", b'{"format": "chainrule.nn", "format": "chainrule.nn"}', "appears twice"),
    (
        "huge int",
        nn.io.encode(nn.Neuron(1, seed=0)).replace('"bias": 0.0', '"bias": ' + "9" * 5000).encode(),
        "not a valid model file",
    ),
    (
        "1e999",
        nn.io.encode(nn.Neuron(1, seed=0)).replace('"bias": 0.0', '"bias": 1e999').encode(),
        "must be finite",
    ),
    ("deep nesting", b"[" * 100_000, "not"),
]


@pytest.mark.parametrize(("name", "data", "match"), CORRUPT, ids=[c[0] for c in CORRUPT])
def test_corrupt_files_raise_valueerror(
    name: str, data: bytes, match: str, tmp_path: pathlib.Path
) -> None:
    path = tmp_path / "m.json"
    path.write_bytes(data)
    with pytest.raises(ValueError, match=match) as info:
        nn.load(path)
    assert str(path) in str(info.value)  # the message names the file
    assert path.read_bytes() == data  # loading never writes


def test_every_truncation_is_rejected(tmp_path: pathlib.Path) -> None:
    data = nn.io.encode(nn.Layer(2, 2, seed=0)).encode()
    nn.io.decode(data)  # the whole file is fine
    for cut in range(len(data.rstrip())):
        with pytest.raises(ValueError, match=r"nn\.load"):
            nn.io.decode(data[:cut])


def test_huge_config_with_small_state_is_refused_before_building() -> None:
    doc = _good_doc()
    doc["config"]["nouts"] = [10**7, 1]
    with pytest.raises(ValueError, match="parameters, but the file holds 13 numbers"):
        nn.io.decode(json.dumps(doc))


# --- parameters set by hand, huge numbers ---------------------------------------------


def test_save_names_a_parameter_that_is_not_a_number(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "m.json"
    model = nn.MLP(2, [2, 1], seed=0)
    model.layers[0].neurons[1].w[0].data = "0.5"  # type: ignore[assignment]
    with pytest.raises(
        TypeError,
        match=r"nn.save: parameter 'layers.0.neurons.1.w.0' \(label 'L0.N1.w0'\) holds "
        r"'0.5' \(str\), not a number",
    ):
        nn.save(model, path)
    assert files(tmp_path) == []
    with pytest.raises(TypeError, match=r"MLP.state_dict: parameter 'layers.0.neurons.1.w.0'"):
        model.state_dict()


def test_save_stores_numpy_floats_as_floats(tmp_path: pathlib.Path) -> None:
    np = pytest.importorskip("numpy", reason="numpy scalars need numpy")
    path = tmp_path / "m.json"
    model = nn.Neuron(2, seed=0)
    model.w[0].data = np.float32(0.5)  # type: ignore[assignment]
    model.b.data = np.float64(-0.25)  # type: ignore[assignment]
    state = model.state_dict()
    assert state == {"weights": [0.5, model.w[1].data], "bias": -0.25}
    assert type(state["weights"][0]) is float and type(state["bias"]) is float
    nn.save(model, path)
    loaded = nn.load(path)
    assert loaded.state_dict() == state


@pytest.mark.parametrize("digits", [401, 5000])
def test_huge_ints_in_a_state_are_short_errors(tmp_path: pathlib.Path, digits: int) -> None:
    model = nn.Neuron(2, seed=0)
    before = model.state_dict()
    state = {"weights": [0.5, 10 ** (digits - 1)], "bias": 0.0}
    with pytest.raises(
        ValueError, match=rf"state\['weights'\]\[1\] is an int of about {digits} digits, too large"
    ) as info:
        model.load_state_dict(state)
    assert len(str(info.value)) < 200
    assert model.state_dict() == before  # all or nothing
    path = tmp_path / "m.json"
    nn.save(model, path)
    text = path.read_text().replace(repr(before["bias"]), "1" + "0" * (digits - 1))
    path.write_text(text)
    with pytest.raises(ValueError, match="digits") as info:
        nn.load(path)
    assert len(str(info.value)) < 300


class Net(nn.Module):
    """A PyTorch-style module of one's own, with constructor arguments."""

    def __init__(self, hidden: int = 3) -> None:
        self.hidden = hidden
        self.body = nn.MLP(2, [hidden, 1], "tanh", seed=1)
        self.gain = Value(2.0)

    def forward(self, x: list[float]) -> Value:
        return self.gain * self.body(x)

    def config(self) -> dict[str, int]:
        return {"hidden": self.hidden}


class Bare(nn.Module):
    def __init__(self) -> None:
        self.w = [Value(1.0), Value(2.0)]


def test_save_and_load_a_module_of_ones_own(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "net.json"
    net = Net(hidden=4)
    net.gain.data = -0.75
    nn.save(net, path)
    doc = json.loads(path.read_text())
    assert doc["class"] == "Net" and doc["config"] == {"hidden": 4}
    assert list(doc["state"]) == [n for n, _ in net.named_parameters()]
    with pytest.raises(ValueError, match=r"pass the class: nn.load\(path, cls=Net\)"):
        nn.load(path)
    loaded = nn.load(path, cls=Net)
    assert isinstance(loaded, Net) and loaded.hidden == 4
    assert loaded.state_dict() == net.state_dict()
    assert loaded([0.3, -0.2]).data == net([0.3, -0.2]).data
    with pytest.raises(ValueError, match="holds a 'Net' model, not a 'Bare'"):
        nn.load(path, cls=Bare)
    with pytest.raises(TypeError, match=r"cls must be an nn\.Module subclass"):
        nn.load(path, cls=dict)  # type: ignore[arg-type]
    bare = Bare()
    nn.save(bare, tmp_path / "bare.json")
    assert nn.load(tmp_path / "bare.json", cls=Bare).state_dict() == {"w.0": 1.0, "w.1": 2.0}
    # nn's own classes may be named too
    nn.save(nn.MLP(2, [1], seed=0), tmp_path / "mlp.json")
    assert isinstance(nn.load(tmp_path / "mlp.json", cls=nn.MLP), nn.MLP)


def test_load_of_ones_own_module_is_strict(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "net.json"
    nn.save(Net(hidden=2), path)
    doc = json.loads(path.read_text())
    doc["config"] = {"hidden": 3}  # a bigger net than the state
    path.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match="missing"):
        nn.load(path, cls=Net)
    doc["config"] = {"width": 3}
    path.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match=r"cannot build Net\(\*\*\{'width': 3\}\).*config\(\)"):
        nn.load(path, cls=Net)


def test_subclass_of_mlp_saves_under_its_own_name(tmp_path: pathlib.Path) -> None:
    class Wide(nn.MLP):
        pass

    path = tmp_path / "w.json"
    model = Wide(2, [3, 1], seed=0)
    nn.save(model, path)
    loaded = nn.load(path, cls=Wide)
    assert type(loaded) is Wide and loaded.state_dict() == model.state_dict()
