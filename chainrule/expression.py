"""Safe arithmetic expressions for ``chainrule graph``: parsed with ``ast``, never evaluated.

``parse`` reads text such as ``"tanh(x * w + b) ** 2"`` with
``ast.parse(mode="eval")`` and accepts only a whitelist: variable names,
int and float literals, ``+ - * / **``, unary ``-`` and ``+``, and calls of
the engine's functions by their bare name (``FUNCTIONS``). Everything else
(attributes, subscripts, other calls, keyword arguments, comprehensions,
lambdas, strings, ...) raises ``ExpressionError`` naming the piece of text
that is not allowed. Sizes are capped (``MAX_CHARS``, ``MAX_NODES``) and a
constant exponent must satisfy ``|c| <= MAX_EXPONENT``, so no input can make
the parser or the arithmetic run for long.

``evaluate`` walks the checked tree and builds the ``Value`` graph: each
variable is one ``Value`` (labelled with its name) shared by all its uses;
sub-expressions without variables are folded to plain numbers by the engine
itself, so they follow its error rules (``log(-1)`` is a ``ValueError``, never
a complex number). Nothing is compiled or executed.
"""

from __future__ import annotations

import ast
import keyword
import math
import operator
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import autograd
from autograd import Value, no_grad
from autograd.rules import BINARY_KIND, CONST_RIGHT, RULES, UNARY_KIND

__all__ = [
    "FUNCTIONS",
    "MAX_CHARS",
    "MAX_EXPONENT",
    "MAX_NODES",
    "SIGNATURES",
    "Expression",
    "ExpressionError",
    "Function",
    "describe",
    "evaluate",
    "parse",
    "parse_assignments",
]

MAX_CHARS = 2000
"""Longest expression text accepted."""

MAX_NODES = 200
"""Most syntax-tree nodes (names, numbers, operations, calls) accepted."""

MAX_EXPONENT = 100.0
"""Largest ``|c|`` for an exponent ``c`` that is a constant (``x ** 3``, ``2 ** 10``)."""


@dataclass(frozen=True)
class Function:
    """A function EXPR can call, read off its row of the rule table (``autograd.rules.RULES``).

    ``params`` names the arguments in order (a method's ``self`` is ``x``);
    ``constant`` marks the ones that must be numbers, because the engine folds
    them into the node (leaky_relu's slope, clamp's bounds); the last
    ``optional`` of them may be left out, taking the engine's default. The
    other arguments take any sub-expression, a Value or a number.
    """

    name: str
    rule: str
    params: tuple[str, ...]
    constant: tuple[bool, ...]
    optional: int
    call: Callable[..., Value]

    @property
    def arity(self) -> tuple[int, int]:
        """The smallest and largest number of arguments."""
        return len(self.params) - self.optional, len(self.params)

    def __str__(self) -> str:
        """The call with its arguments: ``clamp(x, lo, hi)``, ``leaky_relu(x[, slope])``."""
        lo = self.arity[0]
        rest = self.params[lo:]
        inner = ", ".join(self.params[:lo]) + "".join(f"[, {p}" for p in rest) + "]" * len(rest)
        return f"{self.name}({inner})"


def _functions() -> dict[str, Function]:
    """Every method and function row of the rule table, as a ``Function``.

    Operator rows (``__add__`` ...) are the grammar's ``+ - * / **`` and unary
    ``-``. A method of ``Value`` (one input, or one input and constants) takes
    ``x`` then its constant parameters; a two-input function of ``autograd``
    takes its two parameters, each a Value or a number. ``affine`` takes lists
    of weights and inputs, which EXPR has no syntax for (``w0 * x0 + w1 * x1 + b``
    writes the same sum).
    """
    out: dict[str, Function] = {}
    for row in RULES.values():
        if not row.method or row.method.startswith("__") or row.method in out:
            continue
        names = tuple(p.partition("=")[0].partition(":")[0].strip() for p in row.params)
        optional = sum("=" in p for p in row.params)
        if row.kind in (UNARY_KIND, CONST_RIGHT):  # a method: self, then constants
            params, constant = ("x", *names), (False,) + (True,) * len(names)
            call: Callable[..., Value] = getattr(Value, row.method)
        elif row.kind == BINARY_KIND:  # a function of autograd: Values or numbers
            params, constant = names, (False,) * len(names)
            call = getattr(autograd, row.method)
        else:
            continue
        out[row.method] = Function(row.method, row.name, params, constant, optional, call)
    return out


SIGNATURES: dict[str, Function] = _functions()
"""The functions EXPR can call, by name, in the rule table's order (see ``Function``)."""

FUNCTIONS: dict[str, tuple[int, int]] = {name: f.arity for name, f in SIGNATURES.items()}
"""The functions by name, with their smallest and largest number of arguments.

Read off the rule table: ``exp``, ``log``, ... take one argument,
``leaky_relu(x[, slope])`` an optional constant slope (default 0.01),
``clamp(x, lo, hi)`` two constant bounds, and ``atan2(y, x)``, ``hypot(x, y)``,
``minimum(a, b)``, ``maximum(a, b)`` two Values or numbers.
"""


def describe() -> str:
    """The functions for a message: bare names for one argument, the others with theirs."""
    return ", ".join(name if f.arity == (1, 1) else str(f) for name, f in SIGNATURES.items())


_BINARY: dict[type[ast.operator], tuple[str, Callable[[Any, Any], Any]]] = {
    ast.Add: ("+", operator.add),
    ast.Sub: ("-", operator.sub),
    ast.Mult: ("*", operator.mul),
    ast.Div: ("/", operator.truediv),
    ast.Pow: ("**", operator.pow),
}

_ALLOWED = "numbers, variables, + - * / **, unary -, and the functions " + describe()

# What a refused node is called in the error message.
_KINDS: dict[type[ast.AST], str] = {
    ast.Attribute: "attribute access",
    ast.Subscript: "indexing",
    ast.Slice: "slicing",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a generator expression",
    ast.Lambda: "a lambda",
    ast.List: "a list",
    ast.Tuple: "a tuple",
    ast.Set: "a set",
    ast.Dict: "a dict",
    ast.Compare: "a comparison",
    ast.BoolOp: "'and'/'or'",
    ast.IfExp: "a conditional expression",
    ast.JoinedStr: "an f-string",
    ast.NamedExpr: "an assignment expression",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Starred: "a starred argument",
}

Result = Value | float


class ExpressionError(ValueError):
    """The text is not an expression ``chainrule graph`` accepts; the message says why."""


@dataclass(frozen=True)
class Expression:
    """A checked expression: its text, its syntax tree and the variable names it uses."""

    text: str
    tree: ast.expr
    variables: tuple[str, ...]


def _shorten(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _piece(source: str, node: ast.AST) -> str:
    """The source text of ``node``, shortened, for an error message."""
    segment = ast.get_source_segment(source, node)
    return _shorten(segment if segment is not None else type(node).__name__)


def _refuse(source: str, node: ast.AST, what: str) -> ExpressionError:
    return ExpressionError(
        f"EXPR: {what} is not allowed ({_piece(source, node)!r}); allowed: {_ALLOWED}"
    )


def parse(text: str) -> Expression:
    """Check ``text`` against the whitelist (see the module docstring) and return its tree."""
    if not isinstance(text, str):
        raise TypeError(f"parse: expected the expression as a str, got {type(text).__name__}")
    if len(text) > MAX_CHARS:
        raise ExpressionError(f"EXPR is {len(text)} characters long; the limit is {MAX_CHARS}")
    if not text.strip():
        raise ExpressionError("EXPR is empty; give an expression such as 'x * w + b'")
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as e:
        raise ExpressionError(f"EXPR is not a valid expression: {e.msg}") from None
    except (ValueError, RecursionError, MemoryError) as e:  # null bytes, deep nesting
        raise ExpressionError(f"EXPR cannot be parsed: {_shorten(str(e), 80)}") from None
    source = text.strip()
    count = 0
    for node in ast.walk(tree):
        if isinstance(node, (ast.expr_context, ast.operator, ast.unaryop)):
            continue
        count += 1
        if count > MAX_NODES:
            raise ExpressionError(
                f"EXPR has more than {MAX_NODES} parts (names, numbers, operations); "
                f"the limit is {MAX_NODES}"
            )
        _check_node(source, node)
    variables = _variables(tree)
    for name in variables:
        if name in FUNCTIONS:  # 'exp * x': a function used as a number
            arg = next((v for v in variables if v not in FUNCTIONS), "x")
            fn = SIGNATURES[name]
            call = f"{name}({arg})" if fn.arity[0] == 1 else str(fn)
            raise ExpressionError(
                f"EXPR: {name!r} is a function, not a variable; call it as {call}"
            )
    return Expression(source, tree, tuple(variables))


def _variables(tree: ast.expr) -> list[str]:
    """The names used as variables (not as the called function), in order of first use."""
    nodes = list(ast.walk(tree))
    callees = {id(n.func) for n in nodes if isinstance(n, ast.Call)}
    used = [n for n in nodes if isinstance(n, ast.Name) and id(n) not in callees]
    used.sort(key=lambda n: (n.lineno, n.col_offset))  # ast.walk is breadth-first
    names: list[str] = []
    for n in used:
        if n.id not in names:
            names.append(n.id)
    return names


def _check_node(source: str, node: ast.AST) -> None:
    """Refuse ``node`` unless it is on the whitelist."""
    if isinstance(node, ast.Constant):
        v = node.value
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            what = {str: "a string", bytes: "a bytes literal", bool: "a boolean"}.get(
                type(v), f"the constant {type(v).__name__}"
            )
            raise _refuse(source, node, what)
        return
    if isinstance(node, ast.Name):
        if node.id.startswith("__"):
            raise _refuse(source, node, f"the name {node.id!r}")
        return
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            raise _refuse(source, node, f"the operator {type(node.op).__name__}")
        return
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise _refuse(source, node, f"the operator {type(node.op).__name__}")
        return
    if isinstance(node, ast.Call):
        _check_call(source, node)
        return
    if isinstance(node, ast.keyword):
        raise _refuse(source, node, "a keyword argument")
    raise _refuse(source, node, _KINDS.get(type(node), type(node).__name__))


def _check_call(source: str, node: ast.Call) -> None:
    func = node.func
    if not isinstance(func, ast.Name):
        raise _refuse(source, node, "calling anything but a function by its bare name")
    if func.id not in SIGNATURES:
        raise ExpressionError(
            f"EXPR: unknown function {func.id!r} in {_piece(source, node)!r}; "
            f"the functions are {describe()}"
        )
    if node.keywords:
        raise _refuse(source, node, "a keyword argument")
    for a in node.args:
        if isinstance(a, ast.Starred):
            raise _refuse(source, a, "a starred argument")
    fn = SIGNATURES[func.id]
    lo, hi = fn.arity
    n = len(node.args)
    if not lo <= n <= hi:
        takes = f"{lo}" if lo == hi else f"{lo} to {hi}" if hi > lo + 1 else f"{lo} or {hi}"
        raise ExpressionError(
            f"EXPR: {func.id} takes {takes} argument{'s' if hi > 1 else ''} ({fn}), "
            f"got {n} in {_piece(source, node)!r}"
        )
    for param, constant, a in zip(fn.params, fn.constant, node.args):
        if constant and _variables(a):
            raise ExpressionError(
                f"EXPR: the {param} of {func.id} must be a number, got {_piece(source, a)!r}"
            )


def parse_assignments(text: str) -> dict[str, float]:
    """``"x=1.0,w=0.5"`` as ``{"x": 1.0, "w": 0.5}``; ``ExpressionError`` for anything else.

    Names are NFKC-normalised, as Python normalises the names in EXPR, so a
    full-width ``ｘ=1`` gives the value of the ``ｘ`` (that is, ``x``) in EXPR.
    The order of the names is kept.
    """
    values: dict[str, float] = {}
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        name, sep, number = part.partition("=")
        name, number = unicodedata.normalize("NFKC", name.strip()), number.strip()
        if not sep or not name:
            raise ExpressionError(f"--at: expected NAME=NUMBER, got {_shorten(part)!r}")
        if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("__"):
            raise ExpressionError(f"--at: {_shorten(name)!r} is not a valid variable name")
        if name in FUNCTIONS:
            raise ExpressionError(f"--at: {name!r} is a function name; pick another variable name")
        if name in values:
            raise ExpressionError(f"--at: {name!r} is given twice")
        try:
            x = float(number)
        except ValueError:
            raise ExpressionError(f"--at: {name} = {_shorten(number)!r} is not a number") from None
        if not math.isfinite(x):
            raise ExpressionError(f"--at: {name} = {number} is not a finite number")
        values[name] = x
    return values


def evaluate(expr: Expression, variables: Mapping[str, Value]) -> Result:
    """Build the graph of ``expr`` over ``variables`` (one Value per name).

    Returns a ``Value``, or a float when the expression uses no variable.
    Raises ``ExpressionError`` for a variable missing from ``variables`` or a
    constant exponent that is too large, and the engine's own
    ``ValueError``/``ArithmeticError`` for a domain error or an overflow.
    """
    missing = [n for n in expr.variables if n not in variables]
    if missing:
        given = [f"{n}={v.data!r}" for n, v in variables.items()]
        raise ExpressionError(
            f"EXPR uses {', '.join(missing)} but --at gives no value for "
            f"{'it' if len(missing) == 1 else 'them'}; e.g. --at "
            + ",".join(given + [f"{n}=1.0" for n in missing])
        )
    return _Evaluator(expr.text, variables).run(expr.tree)


def _fold(op: Callable[[Any, Any], Any], a: float, b: float) -> float:
    """Apply an engine operation to two plain numbers, with the engine's checks and errors."""
    with no_grad():
        out: Value = op(Value(a), Value(b))
        return out.data


class _Evaluator:
    """A tree walk over a checked expression (at most MAX_NODES deep)."""

    def __init__(self, source: str, variables: Mapping[str, Value]) -> None:
        self.source = source
        self.variables = variables

    def run(self, node: ast.expr) -> Result:
        if isinstance(node, ast.Constant):
            return self._number(node)
        if isinstance(node, ast.Name):
            return self.variables[node.id]
        if isinstance(node, ast.UnaryOp):
            x = self.run(node.operand)
            if isinstance(node.op, ast.UAdd):
                return x
            return -x
        if isinstance(node, ast.BinOp):
            return self._binary(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        raise _refuse(self.source, node, type(node).__name__)  # pragma: no cover - parse checks

    def _number(self, node: ast.Constant) -> float:
        value = node.value
        assert isinstance(value, (int, float))  # parse allows nothing else
        try:
            x = float(value)
        except OverflowError:
            raise ExpressionError(
                f"EXPR: the number {_piece(self.source, node)!r} is too large for a float"
            ) from None
        if not math.isfinite(x):
            raise ExpressionError(
                f"EXPR: the number {_piece(self.source, node)!r} is too large for a float"
            )
        return x

    def _binary(self, node: ast.BinOp) -> Result:
        symbol, op = _BINARY[type(node.op)]
        a = self.run(node.left)
        b = self.run(node.right)
        if symbol == "**" and not isinstance(b, Value) and abs(b) > MAX_EXPONENT:
            raise ExpressionError(
                f"EXPR: the exponent in {_piece(self.source, node)!r} is {b:g}; "
                f"constant exponents must be between -{MAX_EXPONENT:g} and {MAX_EXPONENT:g}"
            )
        if isinstance(a, Value) or isinstance(b, Value):
            return op(a, b)  # type: ignore[no-any-return]
        return _fold(op, a, b)

    def _call(self, node: ast.Call) -> Result:
        assert isinstance(node.func, ast.Name)
        fn = SIGNATURES[node.func.id]
        args = [self.run(a) for a in node.args]
        if any(isinstance(a, Value) for a in args):  # only in a non-constant place (parse checks)
            return fn.call(*args)
        with no_grad():  # numbers only: folded by the engine, with its checks and errors
            wrapped = [a if c else Value(a) for a, c in zip(args, fn.constant)]
            return fn.call(*wrapped).data
