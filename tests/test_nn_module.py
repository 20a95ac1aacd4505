"""Neuron, Layer, MLP and Module: forward values, shapes, initialisation, gradients, state."""

from __future__ import annotations

import copy
import json
import math
import random

import pytest
from nn_helpers import (
    act,
    assert_grads_match,
    central_differences,
    layer_forward,
    mlp_forward,
    pre_activations,
)

import nn
from autograd import Value
from autograd.backward import topological_order

pytestmark = pytest.mark.core

ACTS = ["linear", "relu", "tanh", "sigmoid"]


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


# --- forward ----------------------------------------------------------------


@pytest.mark.parametrize("activation", ACTS)
def test_neuron_computes_activation_of_affine(activation: str) -> None:
    n = nn.Neuron(3, activation, seed=1)
    n.b.data = 0.25
    x = [0.5, -1.5, 2.0]
    expected = act(activation, math.fsum([0.25, *(w.data * xi for w, xi in zip(n.w, x))]))
    out = n(x)
    assert isinstance(out, Value)
    assert close(out.data, expected)


def test_neuron_is_one_affine_node_then_the_activation() -> None:
    n = nn.Neuron(4, "tanh", seed=0)
    out = n([1.0, 2.0, 3.0, 4.0])
    nodes = topological_order(out)
    ops = [v._rule for v in nodes if v._rule]
    assert ops == ["affine", "tanh"]
    assert len(nodes) == 4 + 1 + 2  # weights, bias, affine, tanh (numbers are folded in)


def test_linear_neuron_has_no_activation_node() -> None:
    out = nn.Neuron(2, "linear", seed=0)([1.0, 2.0])
    assert out._rule == "affine"


@pytest.mark.parametrize("activation", ACTS)
def test_layer_matches_float_oracle(activation: str) -> None:
    layer = nn.Layer(3, 4, activation, seed=2)
    state = layer.state_dict()
    state["biases"] = [0.1, -0.2, 0.3, -0.4]
    layer.load_state_dict(state)
    x = [0.3, -0.7, 1.1]
    out = layer(x)
    assert isinstance(out, list) and len(out) == 4
    for o, e in zip(out, layer_forward(state["weights"], state["biases"], activation, x)):
        assert close(o.data, e)


@pytest.mark.parametrize("activation", ACTS)
def test_mlp_matches_float_oracle(activation: str) -> None:
    model = nn.MLP(3, [5, 4, 2], activation, seed=3)
    rng = random.Random(0)
    for _ in range(5):
        x = [rng.uniform(-2, 2) for _ in range(3)]
        out = model(x)
        assert isinstance(out, list) and len(out) == 2
        for o, e in zip(out, mlp_forward(model.state_dict(), activation, x)):
            assert close(o.data, e)


def test_mlp_last_layer_is_linear_and_hidden_use_activation() -> None:
    model = nn.MLP(2, [3, 3, 1], "tanh", seed=0)
    assert [layer.activation for layer in model.layers] == ["tanh", "tanh", "linear"]
    out = model([10.0, -10.0])
    assert out._rule == "affine"  # no squashing at the end: unbounded scores


def test_defaults() -> None:
    assert nn.Neuron(2).activation == "tanh"
    assert nn.Layer(2, 3).activation == "tanh"
    assert nn.MLP(2, [3, 1]).activation == "relu"
    assert nn.MLP(2, [3, 1]).layers[0].activation == "relu"


def test_output_types() -> None:
    assert isinstance(nn.Layer(2, 1, seed=0)([1.0, 2.0]), Value)
    assert isinstance(nn.MLP(2, [3, 1], seed=0)([1.0, 2.0]), Value)
    out = nn.MLP(2, [3, 2], seed=0)([1.0, 2.0])
    assert isinstance(out, list) and all(isinstance(v, Value) for v in out)


def test_inputs_may_be_values_tuples_or_mixed_and_get_gradients() -> None:
    model = nn.MLP(2, [4, 1], "tanh", seed=5)
    x = [Value(0.3), 0.8]
    out = model(x)
    assert close(out.data, model((0.3, 0.8)).data)
    out.backward()
    assert x[0].grad != 0.0
    h = 1e-6
    num = (model([0.3 + h, 0.8]).data - model([0.3 - h, 0.8]).data) / (2 * h)
    assert math.isclose(x[0].grad, num, rel_tol=1e-6, abs_tol=1e-8)


def test_layer_outputs_chain_into_a_one_input_layer() -> None:
    first = nn.Layer(2, 1, seed=0)
    second = nn.Layer(1, 3, seed=1)
    y = first([0.5, 0.5])
    assert isinstance(y, Value)
    assert len(second(y)) == 3  # a lone Value is accepted when nin == 1
    assert len(second([y])) == 3


@pytest.mark.parametrize(
    "model", [nn.Neuron(3), nn.Layer(3, 2), nn.MLP(3, [4, 1])], ids=["Neuron", "Layer", "MLP"]
)
@pytest.mark.parametrize("x", [[1.0, 2.0], [1.0, 2.0, 3.0, 4.0], []])
def test_wrong_input_length_names_both_sizes(model: nn.Module, x: list[float]) -> None:
    with pytest.raises(ValueError, match=rf"expected 3 inputs, got {len(x)}"):
        model(x)


@pytest.mark.parametrize("bad", [1.0, None, "abc"])
def test_non_list_input_is_a_type_error(bad: object) -> None:
    with pytest.raises(TypeError, match="expected a list of 3"):
        nn.MLP(3, [2, 1])(bad)


def test_bad_input_element_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="'a'"):
        nn.Neuron(2)([1.0, "a"])


# --- construction -------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: nn.Neuron(2, "softmax"),
        lambda: nn.Layer(2, 2, "ReLU"),
        lambda: nn.MLP(2, [2, 1], activation="gelu"),
        lambda: nn.MLP(2, [2, 1], activation=None),  # type: ignore[arg-type]
    ],
)
def test_unknown_activation(make: object) -> None:
    with pytest.raises(ValueError, match=r"unknown activation.*'linear', 'relu', 'tanh'"):
        make()  # type: ignore[operator]


@pytest.mark.parametrize(
    ("make", "exc"),
    [
        (lambda: nn.Neuron(0), ValueError),
        (lambda: nn.Neuron(-1), ValueError),
        (lambda: nn.Neuron(2.0), TypeError),
        (lambda: nn.Neuron(True), TypeError),
        (lambda: nn.Layer(2, 0), ValueError),
        (lambda: nn.MLP(2, []), ValueError),
        (lambda: nn.MLP(2, 3), ValueError),
        (lambda: nn.MLP(2, [3, 0]), ValueError),
        (lambda: nn.MLP(2, [3, "1"]), TypeError),
        (lambda: nn.MLP(2, [3, 1], seed="x"), TypeError),
        (lambda: nn.MLP(2, [3, 1], seed=1.5), TypeError),
    ],
)
def test_bad_sizes_and_seeds(make: object, exc: type[Exception]) -> None:
    with pytest.raises(exc):
        make()  # type: ignore[operator]


def test_seed_is_reproducible_and_leaves_global_random_alone() -> None:
    state = random.getstate()
    a = nn.MLP(2, [8, 8, 1], seed=42).state_dict()
    b = nn.MLP(2, [8, 8, 1], seed=42).state_dict()
    c = nn.MLP(2, [8, 8, 1], seed=43).state_dict()
    assert random.getstate() == state
    assert a == b
    assert a != c
    assert nn.Layer(3, 2, seed=7).state_dict() == nn.Layer(3, 2, seed=7).state_dict()
    assert nn.Neuron(3, seed=7).state_dict() == nn.Neuron(3, seed=7).state_dict()


def test_seed_accepts_a_random_instance() -> None:
    a = nn.MLP(2, [4, 1], seed=random.Random(9)).state_dict()
    assert a == nn.MLP(2, [4, 1], seed=9).state_dict()


def test_without_seed_models_differ() -> None:
    assert nn.MLP(2, [8, 1]).state_dict() != nn.MLP(2, [8, 1]).state_dict()


@pytest.mark.parametrize(
    ("activation", "nin", "nout", "bound"),
    [
        ("relu", 50, 30, math.sqrt(6 / 50)),
        ("tanh", 50, 30, math.sqrt(6 / 80)),
        ("sigmoid", 50, 30, math.sqrt(6 / 80)),
        ("linear", 50, 30, math.sqrt(6 / 80)),
    ],
)
def test_initialisation_is_he_or_glorot_uniform(
    activation: str, nin: int, nout: int, bound: float
) -> None:
    layer = nn.Layer(nin, nout, activation, seed=0)
    ws = [w for row in layer.state_dict()["weights"] for w in row]
    assert all(-bound <= w <= bound for w in ws)
    assert max(ws) > 0.95 * bound and min(ws) < -0.95 * bound  # spans the whole range
    mean = sum(ws) / len(ws)
    var = sum((w - mean) ** 2 for w in ws) / len(ws)
    assert abs(mean) < 0.05 * bound
    assert abs(var - bound**2 / 3) < 0.1 * bound**2 / 3  # variance of U(-a, a) is a²/3
    assert layer.state_dict()["biases"] == [0.0] * nout


def test_lone_neuron_glorot_uses_fan_out_one() -> None:
    ws = nn.Neuron(400, "tanh", seed=0).state_dict()["weights"]
    bound = math.sqrt(6 / 401)
    assert max(abs(w) for w in ws) <= bound
    assert max(abs(w) for w in ws) > 0.95 * bound


# --- parameters and gradients -------------------------------------------------


def test_parameters_are_distinct_and_counted() -> None:
    assert len(nn.Neuron(3).parameters()) == 4
    assert len(nn.Layer(3, 2).parameters()) == 8
    model = nn.MLP(2, [16, 16, 1])
    ps = model.parameters()
    assert len(ps) == 3 * 16 + 17 * 16 + 17 == 337
    assert len({id(p) for p in ps}) == len(ps)
    assert ps == model.parameters()  # a fixed order


def test_zero_grad() -> None:
    model = nn.MLP(2, [3, 1], "tanh", seed=0)
    model([1.0, -1.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 and type(p.grad) is float for p in model.parameters())


def _loss_fn(model: nn.Module, xs: list[list[float]]):  # type: ignore[no-untyped-def]
    """A scalar that depends on every output: Σ cᵢ·outputᵢ with fixed distinct cᵢ."""

    def forward() -> Value:
        total = Value(0.0)
        for k, x in enumerate(xs):
            out = model(x)
            outs = out if isinstance(out, list) else [out]
            for j, o in enumerate(outs):
                total = total + (1.0 + 0.5 * j - 0.25 * k) * o
        return total

    return forward


@pytest.mark.parametrize("activation", ACTS)
@pytest.mark.parametrize(
    "make",
    [
        lambda a: nn.Neuron(3, a, seed=11),
        lambda a: nn.Layer(3, 2, a, seed=12),
        lambda a: nn.MLP(3, [4, 3, 2], a, seed=13),
    ],
    ids=["Neuron", "Layer", "MLP"],
)
def test_parameter_gradients_match_central_differences(activation: str, make: object) -> None:
    model = make(activation)  # type: ignore[operator]
    for p in model.parameters():  # nonzero biases, so every parameter matters
        p.data += 0.1
    xs = [[0.5, -1.2, 0.9], [-0.3, 0.8, 1.7]]
    if isinstance(model, nn.MLP) and activation == "relu":
        # finite differences are no oracle at a kink: make sure none is near
        zs = [z for x in xs for z in pre_activations(model.state_dict(), x)]
        assert min(abs(z) for z in zs) > 1e-3
    forward = _loss_fn(model, xs)
    model.zero_grad()
    forward().backward()
    analytic = [p.grad for p in model.parameters()]
    numeric = central_differences(lambda: forward().data, model.parameters())
    assert_grads_match(analytic, numeric)


def test_gradients_accumulate_until_zero_grad() -> None:
    model = nn.MLP(2, [3, 1], "tanh", seed=0)
    model([0.5, 0.5]).backward()
    once = [p.grad for p in model.parameters()]
    model([0.5, 0.5]).backward()
    assert [p.grad for p in model.parameters()] == [2 * g for g in once]


# --- state_dict ---------------------------------------------------------------


@pytest.mark.parametrize(
    "model", [nn.Neuron(3), nn.Layer(3, 2), nn.MLP(3, [4, 2])], ids=["Neuron", "Layer", "MLP"]
)
def test_state_dict_is_plain_json_and_round_trips(model: nn.Module) -> None:
    state = model.state_dict()
    assert json.loads(json.dumps(state)) == state
    other = type(model)(**model.config(), seed=999)
    assert other.state_dict() != state
    other.load_state_dict(json.loads(json.dumps(state)))
    assert [p.data for p in other.parameters()] == [p.data for p in model.parameters()]


def test_state_dict_shapes() -> None:
    assert set(nn.Neuron(3).state_dict()) == {"weights", "bias"}
    s = nn.Layer(3, 2).state_dict()
    assert len(s["weights"]) == 2 and all(len(r) == 3 for r in s["weights"])
    assert len(s["biases"]) == 2
    m = nn.MLP(3, [4, 2]).state_dict()
    assert [len(layer["weights"][0]) for layer in m["layers"]] == [3, 4]


def test_state_dict_is_a_copy() -> None:
    model = nn.Neuron(2, seed=0)
    state = model.state_dict()
    state["weights"][0] = 123.0
    assert model.w[0].data != 123.0


def test_load_state_dict_accepts_ints() -> None:
    model = nn.Neuron(2, seed=0)
    model.load_state_dict({"weights": [1, 2], "bias": -3})
    assert [p.data for p in model.parameters()] == [1.0, 2.0, -3.0]
    assert all(type(p.data) is float for p in model.parameters())


def _corrupt_mlp_states() -> list[tuple[str, object]]:
    good = nn.MLP(2, [3, 2], seed=0).state_dict()
    cases: list[tuple[str, object]] = []

    def case(name: str, edit):  # type: ignore[no-untyped-def]
        s = copy.deepcopy(good)
        edit(s)
        cases.append((name, s))

    cases.append(("not a dict", [1, 2, 3]))
    cases.append(("missing layers", {}))
    case("extra key", lambda s: s.update(extra=1))
    case("one layer short", lambda s: s["layers"].pop())
    case("layers not a list", lambda s: s.update(layers={"0": 1}))
    case("missing biases in last layer", lambda s: s["layers"][-1].pop("biases"))
    case("short row in last layer", lambda s: s["layers"][-1]["weights"][1].pop())
    case("long row in last layer", lambda s: s["layers"][-1]["weights"][1].append(0.5))
    case("missing row", lambda s: s["layers"][-1]["weights"].pop())
    case("string in last place", lambda s: s["layers"][-1]["biases"].__setitem__(-1, "0.5"))
    case("None in last place", lambda s: s["layers"][-1]["biases"].__setitem__(-1, None))
    case("bool weight", lambda s: s["layers"][-1]["weights"][0].__setitem__(0, True))
    case("huge int", lambda s: s["layers"][-1]["weights"][0].__setitem__(0, 10**400))
    case("nested list as number", lambda s: s["layers"][-1]["biases"].__setitem__(0, [1.0]))
    return cases


@pytest.mark.parametrize(("name", "state"), _corrupt_mlp_states(), ids=lambda v: str(v)[:30])
def test_load_state_dict_is_strict_and_all_or_nothing(name: str, state: object) -> None:
    model = nn.MLP(2, [3, 2], seed=1)
    before = [p.data for p in model.parameters()]
    with pytest.raises(ValueError, match=r"MLP\.load_state_dict"):
        model.load_state_dict(state)  # type: ignore[arg-type]
    assert [p.data for p in model.parameters()] == before


@pytest.mark.parametrize(
    ("model", "state", "match"),
    [
        (nn.Neuron(2), {"weights": [1.0], "bias": 0.0}, r"state\['weights'\] has 1 numbers"),
        (nn.Neuron(2), {"weights": [1.0, 2.0]}, "missing"),
        (nn.Layer(2, 2), {"weights": [[1.0, 2.0]], "biases": [0, 0]}, "2 rows of 2"),
        (nn.Layer(2, 2), {"weights": [[1, 2], [3, 4]], "biases": [0]}, "biases"),
    ],
)
def test_load_state_dict_errors_name_the_entry(model: nn.Module, state: object, match: str) -> None:
    before = [p.data for p in model.parameters()]
    with pytest.raises(ValueError, match=match):
        model.load_state_dict(state)  # type: ignore[arg-type]
    assert [p.data for p in model.parameters()] == before


class Affine2(nn.Module):
    """A user-defined module: y = a * x + b, with the generic state_dict."""

    def __init__(self) -> None:
        self.a = Value(2.0)
        self.b = Value(-1.0)

    def parameters(self) -> list[Value]:
        return [self.a, self.b]

    def forward(self, x: float) -> Value:
        return self.a * x + self.b


def test_user_module_forward_and_generic_state() -> None:
    m = Affine2()
    assert m(3.0).data == 5.0
    assert m.state_dict() == {"a": 2.0, "b": -1.0}
    m.load_state_dict({"a": 0.5, "b": 0.25})
    assert m(2.0).data == 1.25
    with pytest.raises(ValueError, match=r"missing \['b'\]"):
        m.load_state_dict({"a": 1.0})
    assert m.state_dict() == {"a": 0.5, "b": 0.25}
    m.zero_grad()


def test_module_without_forward() -> None:
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()([1.0])
    assert nn.Module().parameters() == []


def test_repr() -> None:
    assert repr(nn.MLP(2, [16, 16, 1])) == "MLP(2, [16, 16, 1], activation='relu')"
    assert repr(nn.Layer(2, 3, "sigmoid")) == "Layer(2, 3, activation='sigmoid')"
    assert repr(nn.Neuron(4)) == "Neuron(4, activation='tanh')"


def test_subclass_forward_is_what_calling_runs() -> None:
    class Squashed(nn.MLP):
        def forward(self, x):  # type: ignore[no-untyped-def, override]
            return super().forward(x).tanh()

    model = Squashed(2, [3, 1], seed=0)
    assert model([5.0, 5.0]).data == math.tanh(nn.MLP(2, [3, 1], seed=0)([5.0, 5.0]).data)


# --- inputs: numpy scalars, Value subclasses, dicts and sets ----------------------------


def test_numpy_scalars_are_inputs_and_sizes() -> None:
    np = pytest.importorskip("numpy", reason="numpy scalars need numpy")
    n = nn.Neuron(1, seed=0)
    assert n(np.float32(2.0)).data == n(2.0).data
    assert n([np.float64(2.0)]).data == n(2.0).data
    m = nn.MLP(np.int64(2), [np.int64(3), np.int32(1)], seed=np.int64(4))
    assert m.nin == 2 and m.nouts == [3, 1] and type(m.nin) is int
    assert m([np.float32(0.5), np.int64(1)]).data == nn.MLP(2, [3, 1], seed=4)([0.5, 1.0]).data
    assert len(nn.Layer(np.int64(2), np.int64(3), seed=0)(np.array([0.5, 1.0]))) == 3


class SubValue(Value):
    """A user's Value subclass."""


def test_value_subclass_inputs() -> None:
    from autograd.value import affine

    try:
        affine([Value(1.0)], [SubValue(1.0)], Value(0.0))
    except TypeError:
        pytest.skip("the engine's affine does not take Value subclasses yet")
    n = nn.Neuron(2, "linear", seed=0)
    xs = [SubValue(0.5), SubValue(-2.0)]
    out = n(xs)
    out.backward()
    assert out.data == n.w[0].data * 0.5 + n.w[1].data * -2.0
    assert [x.grad for x in xs] == [n.w[0].data, n.w[1].data]
    lone = SubValue(3.0)
    nn.Layer(1, 2, seed=0)(lone)[0].backward()
    assert lone.grad != 0.0


@pytest.mark.parametrize("bad", [{0: 1.0, 1: 2.0}, {1.0, 2.0}, frozenset({1.0, 2.0})])
@pytest.mark.parametrize("model", [nn.Neuron(2), nn.Layer(2, 2), nn.MLP(2, [2, 1])])
def test_dicts_and_sets_are_refused(bad: object, model: nn.Module) -> None:
    with pytest.raises(TypeError, match="no input order, pass a list or tuple"):
        model(bad)


# --- labels and names -------------------------------------------------------------------


def test_parameters_are_labelled_where_they_sit() -> None:
    assert [p.label for p in nn.Neuron(2).parameters()] == ["w0", "w1", "b"]
    assert [p.label for p in nn.Layer(2, 2).parameters()] == [
        "N0.w0",
        "N0.w1",
        "N0.b",
        "N1.w0",
        "N1.w1",
        "N1.b",
    ]
    labels = [p.label for p in nn.MLP(2, [2, 1]).parameters()]
    assert labels == [
        "L0.N0.w0",
        "L0.N0.w1",
        "L0.N0.b",
        "L0.N1.w0",
        "L0.N1.w1",
        "L0.N1.b",
        "L1.N0.w0",
        "L1.N0.w1",
        "L1.N0.b",
    ]


@pytest.mark.parametrize("model", [nn.Neuron(3), nn.Layer(3, 2), nn.MLP(3, [4, 2])])
def test_named_parameters_follow_parameters(model: nn.Module) -> None:
    named = model.named_parameters()
    assert [p for _, p in named] == model.parameters()
    assert len({name for name, _ in named}) == len(named)


def test_named_parameters_names() -> None:
    assert [n for n, _ in nn.Neuron(2).named_parameters()] == ["w.0", "w.1", "b"]
    names = [n for n, _ in nn.MLP(2, [2, 1]).named_parameters()]
    assert names[:3] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.b"]
    assert names[-1] == "layers.1.neurons.0.b"


# --- PyTorch-style modules register what they hold -------------------------------------


class Net(nn.Module):
    """Held the PyTorch way: a Layer, a list of Layers, a lone Value, a tuple."""

    def __init__(self, seed: int = 0) -> None:
        self.l1 = nn.Layer(2, 3, seed=seed)
        self.blocks = [nn.Layer(3, 3, seed=seed + 1), nn.Layer(3, 2, seed=seed + 2)]
        self.scale = Value(1.5)
        self.width = 3  # not a parameter
        self.pair = (Value(0.25), nn.Neuron(2, "linear", seed=seed + 3))

    def forward(self, x: list[float]) -> Value:
        h = self.l1.outputs(x)
        for block in self.blocks:
            h = block.outputs(h)
        return self.scale * self.pair[1](h) + self.pair[0]


def test_registered_parameters_in_assignment_order() -> None:
    net = Net()
    expected = [
        *net.l1.parameters(),
        *net.blocks[0].parameters(),
        *net.blocks[1].parameters(),
        net.scale,
        net.pair[0],
        *net.pair[1].parameters(),
    ]
    assert net.parameters() == expected
    names = [n for n, _ in net.named_parameters()]
    assert names[0] == "l1.neurons.0.w.0"
    assert "blocks.1.neurons.0.w.1" in names
    assert names[names.index("scale") + 1 :][:2] == ["pair.0", "pair.1.w.0"]
    assert names[-1] == "pair.1.b"


def test_registered_module_trains_and_zero_grad_reaches_every_parameter() -> None:
    net = Net()
    out = net([0.5, -1.0])
    out.backward()
    assert net.scale.grad != 0.0 and net.pair[0].grad == 1.0
    net.zero_grad()
    assert all(p.grad == 0.0 for p in net.parameters())


def test_shared_values_and_cycles_count_once() -> None:
    class Tied(nn.Module):
        def __init__(self) -> None:
            self.w = Value(1.0)
            self.again = [self.w]
            self.child = nn.Neuron(1)
            self.child_again = self.child
            self.me = self  # a cycle

    t = Tied()
    assert [n for n, _ in t.named_parameters()] == ["w", "child.w.0", "child.b"]


def test_registered_state_dict_round_trip_and_strict() -> None:
    net, other = Net(seed=0), Net(seed=10)
    state = net.state_dict()
    assert list(state) == [n for n, _ in net.named_parameters()]
    assert json.loads(json.dumps(state)) == state
    other.load_state_dict(state)
    assert other([0.3, 0.1]).data == net([0.3, 0.1]).data
    before = other.state_dict()
    bad = dict(state)
    del bad["scale"]
    bad["extra"] = 1.0
    with pytest.raises(ValueError, match=r"missing \['scale'\].*unexpected \['extra'\]"):
        other.load_state_dict(bad)
    bad = dict(state, scale="x")
    with pytest.raises(ValueError, match=r"state\['scale'\] must be a number"):
        other.load_state_dict(bad)
    assert other.state_dict() == before  # all or nothing


def test_micrograd_style_override_still_wins() -> None:
    class Partial(nn.Module):
        def __init__(self) -> None:
            self.a = Value(1.0)
            self.frozen = Value(2.0)  # held, but not a parameter per the override
            self.extra = [Value(3.0)]

        def parameters(self) -> list[Value]:
            return [self.extra[0], self.a, Value(9.0)]

    m = Partial()
    assert [p.data for p in m.parameters()] == [3.0, 1.0, 9.0]
    assert [n for n, _ in m.named_parameters()] == ["extra.0", "a", "2"]
    assert list(m.state_dict()) == ["extra.0", "a", "2"]
