"""The interactive page of ``chainrule question`` in headless Chromium, at 1400 and 800 px.

What a learner sees: every control (radio buttons, range sliders, the
select; driven from the keyboard where a keyboard works them) changes what
its section shows; the numbers shown for a chosen step are the engine's
(replayed here with the engine) to the digits shown, and exactly in each
cell's ``data-v``; with a linear activation the two update cards show the
same rows; no console errors; screenshots are not blank; nothing scrolls
sideways and chart text stays readable. Needs selenium and Chromium with
its driver; skipped naming what is missing, unless CHAINRULE_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import importlib.util
import math
import pathlib
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest
from test_viz_browser import missing, png_rgb, start_chromium

from autograd import Value
from chainrule import interactive, question
from chainrule.interactive_page import render
from nn.losses import binary_cross_entropy_with_logits, mse_loss
from nn.module import MLP
from nn.optim import SGD, Adam

WIDTHS = [1400, 800]
HEIGHT = 1000

# Everything the page shows, section by section: each number cell as [exact, shown],
# the texts, and the drawings' markup (a change in a picture changes its markup).
READ = """
function cells(sel) {
  return Array.from(document.querySelectorAll(sel + ' .num')).map(function (c) {
    return [c.dataset.v, c.textContent];
  });
}
function html(id) { return document.getElementById(id).innerHTML; }
function text(id) { return document.getElementById(id).textContent; }
return {
  rule: {rule: cells('#rule-table'), engine: cells('#engine-table'),
         keys: Array.from(document.querySelectorAll('#rule-table tr')).map(function (r) {
           return r.dataset.key; }),
         differs: Array.from(document.querySelectorAll('#rule-table tr.differs')).map(
           function (r) { return r.dataset.key; }),
         diff: text('rule-diff'), diffW: document.getElementById('rule-diff').dataset.w,
         out: text('rule-step-out'), charts: html('rule-w-chart') + html('rule-loss-chart')},
  slope: {table: cells('#slope-table'), readout: cells('#slope-readout'),
          out: text('slope-step-out'),
          bars: Array.from(document.querySelectorAll('#slope-bars rect.bar')).map(function (r) {
            return r.dataset.v; }),
          charts: html('slope-loss-chart') + html('slope-bars')},
  depth: {run: document.getElementById('depth-regions').dataset.run,
          step: document.getElementById('depth-regions').dataset.step,
          regions: html('depth-regions'), readout: cells('#depth-readout'),
          collapse: text('depth-collapse'), collapseNums: cells('#depth-collapse'),
          table: cells('#depth-table'), chart: html('depth-chart'), out: text('depth-step-out')}
};
"""

LAYOUT = """
const charts = Array.from(document.querySelectorAll('svg.chart')).map(function (s) {
  const r = s.getBoundingClientRect();
  return {id: s.id, width: r.width, right: r.right, viewBox: s.viewBox.baseVal.width};
});
const inputs = Array.from(document.querySelectorAll('input, select')).map(function (i) {
  return {id: i.id || i.name + '=' + i.value, labels: i.labels ? i.labels.length : 0};
});
return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
        bodyScroll: document.body.scrollWidth, charts: charts, inputs: inputs,
        fontSize: parseFloat(getComputedStyle(document.querySelector('svg.chart text')).fontSize),
        bodyFont: parseFloat(getComputedStyle(document.body).fontSize),
        readyMs: Number(document.body.dataset.readyMs)};
"""


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[pathlib.Path, dict[str, Any]]:
    data = interactive.page_data(progress=False)
    out = tmp_path_factory.mktemp("interactive")
    page = out / "index.html"
    page.write_text(render(data), encoding="utf-8")
    return page, data


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if importlib.util.find_spec("selenium") is None:
        missing("selenium is not installed (pip install 'chainrule[browser]')")
    with tempfile.TemporaryDirectory(prefix="chainrule-interactive-") as profile:
        drv = start_chromium(profile)
        drv.set_page_load_timeout(60)
        try:
            yield drv
        finally:
            drv.quit()


@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}px")
def browser(
    request: pytest.FixtureRequest, chromium: Any, written: tuple[pathlib.Path, dict[str, Any]]
) -> Iterator[tuple[Any, dict[str, Any]]]:
    """The page freshly opened at one width; on leaving, the console must hold no error."""
    from selenium.webdriver.support.ui import WebDriverWait

    page, data = written
    chromium.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": request.param, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
    )
    chromium.get(page.as_uri())
    WebDriverWait(chromium, 20).until(
        lambda d: d.execute_script("return document.body.dataset.ready") == "1"
    )
    assert chromium.execute_script("return window.innerWidth") == request.param
    yield chromium, data
    assert chromium.page_errors() == []


def read(drv: Any) -> dict[str, Any]:
    state: dict[str, Any] = drv.execute_script(READ)
    return state


def set_range(drv: Any, element_id: str, value: int) -> None:
    """Move a slider to ``value`` as a drag would: set it and send the input event."""
    drv.execute_script(
        "const e = document.getElementById(arguments[0]); e.value = arguments[1];"
        "e.dispatchEvent(new Event('input', {bubbles: true}));",
        element_id,
        str(value),
    )


def radio(drv: Any, name: str, value: str) -> Any:
    from selenium.webdriver.common.by import By

    return drv.find_element(By.CSS_SELECTOR, f'input[name="{name}"][value="{value}"]')


def shown(text: str) -> float:
    """A number as the page writes it (with U+2212 for minus) as a float."""
    return float(text.replace("\u2212", "-"))


def check_cell(cell: list[str], value: float, digits: int = 6) -> None:
    """The cell holds ``value`` exactly and shows it to ``digits`` significant digits."""
    exact, text = cell
    assert float(exact) == value, (cell, value)
    assert shown(text) == float(f"{value:.{digits}g}"), (cell, value)


# --- every control --------------------------------------------------------------------


def test_every_control_changes_what_its_section_shows(
    browser: tuple[Any, dict[str, Any]],
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    drv, _ = browser

    def key(element_id: str, k: str) -> Any:
        return lambda: drv.find_element(By.ID, element_id).send_keys(k)

    def pick(name: str, value: str) -> Any:
        return lambda: radio(drv, name, value).click()

    def arrow(name: str, value: str, k: str) -> Any:  # a radio group takes arrow keys
        return lambda: radio(drv, name, value).send_keys(k)

    actions: list[tuple[str, str, Any]] = [
        ("rule", "activation: arrow key from linear to sigmoid",
         arrow("rule-act", "linear", Keys.ARROW_RIGHT)),
        ("rule", "activation: tanh", pick("rule-act", "tanh")),
        ("rule", "step slider: arrow right", key("rule-step", Keys.ARROW_RIGHT)),
        ("rule", "step slider: end", key("rule-step", Keys.END)),
        ("slope", "start: linear region", pick("slope-start", "linear region")),
        ("slope", "step slider: arrow right", key("slope-step", Keys.ARROW_RIGHT)),
        ("slope", "loss drawn: cross-entropy", pick("slope-loss", "cross_entropy")),
        ("slope", "loss drawn: arrow key back to squared error",
         arrow("slope-loss", "cross_entropy", Keys.ARROW_LEFT)),
        ("slope", "start: back to saturated",
         arrow("slope-start", "linear region", Keys.ARROW_LEFT)),
        ("depth", "data: moons", pick("depth-data", "moons")),
        ("depth", "activation: tanh", pick("depth-act", "tanh")),
        ("depth", "activation: arrow key to relu", arrow("depth-act", "tanh", Keys.ARROW_RIGHT)),
        ("depth", "layers: arrow down to 2", key("depth-layers", Keys.ARROW_DOWN)),
        ("depth", "step slider: home", key("depth-step", Keys.HOME)),
        ("depth", "step slider: arrow right", key("depth-step", Keys.ARROW_RIGHT)),
        ("depth", "activation: linear shows the collapsed map", pick("depth-act", "linear")),
        ("depth", "data: back to XOR", pick("depth-data", "xor")),
    ]  # fmt: skip
    before = read(drv)
    for section, what, act in actions:
        act()
        after = read(drv)
        assert after[section] != before[section], what
        for other in {"rule", "slope", "depth"} - {section}:
            assert after[other] == before[other], (what, other)
        before = after
    assert before["depth"]["run"] == "xor/linear/2" and before["depth"]["step"] == "1"
    assert "multiply out to one affine map" in before["depth"]["collapse"]
    assert drv.find_element(By.ID, "depth-layers").get_attribute("value") == "2"


# --- the numbers shown are the engine's ----------------------------------------------


def test_update_cards_show_the_engines_numbers_for_a_chosen_step(
    browser: tuple[Any, dict[str, Any]],
) -> None:
    drv, data = browser
    k = 17
    radio(drv, "rule-act", "sigmoid").click()
    set_range(drv, "rule-step", k)
    state = read(drv)["rule"]
    assert state["out"].startswith(f"step {k} of 40: point {(k - 1) % 5 + 1} of 5")
    # the engine's copy, replayed here with the engine: k steps of SGD on ½(σ(wx + b) − y)²
    section = data["update_rule"]
    points, lr = section["data"], section["learning_rate"]
    w, b = Value(0.5), Value(0.0)
    opt = SGD([w, b], lr=lr)
    for i in range(k):
        x, y = points[i % len(points)]
        before = (w.data, b.data)
        z = w * x + b
        f = z.sigmoid()
        opt.zero_grad()
        (0.5 * (f - y) ** 2).backward()
        slope = f.data * (1.0 - f.data)  # σ′ = σ (1 − σ), by hand
        grads = (w.grad, b.grad)
        opt.step()
    expected = {
        "w0": before[0], "b0": before[1], "z": z.data, "y_hat": f.data, "dl_dyhat": f.grad,
        "x": x, "grad_w": grads[0], "grad_b": grads[1], "w": w.data, "b": b.data,
    }  # fmt: skip
    cells = dict(zip(state["keys"], state["engine"]))
    for key, value in expected.items():
        check_cell(cells[key], value)
    assert math.isclose(float(cells["slope"][0]), slope, rel_tol=1e-12)
    assert float(cells["grad_w"][0]) == f.grad * float(cells["slope"][0]) * x  # the chain rule
    # the rule's copy: the rule by hand from the same start
    wr, br = 0.5, 0.0
    for i in range(k):
        x, y = points[i % len(points)]
        with_start = (wr, br)
        y_hat = (Value(wr) * x + Value(br)).sigmoid().data
        wr, br = wr + lr * ((y - y_hat) * x), br + lr * (y - y_hat)
    rule = dict(zip(state["keys"], state["rule"]))
    check_cell(rule["w0"], with_start[0])
    check_cell(rule["y_hat"], y_hat)
    check_cell(rule["slope"], 1.0)
    check_cell(rule["w"], wr)
    check_cell(rule["b"], br)
    assert state["differs"] and "slope" in state["differs"]
    assert float(state["diffW"]) == abs(wr - w.data) > 0.0


def test_slope_panel_shows_the_engines_numbers_for_a_chosen_step(
    browser: tuple[Any, dict[str, Any]],
) -> None:
    drv, data = browser
    run = data["saturation"]["runs"]["saturated"]
    i = 25
    k = run["steps"][i]
    set_range(drv, "slope-step", i)
    state = read(drv)["slope"]
    assert state["out"].startswith(f"step {k} of 2000")
    # replayed with the engine: k full-batch steps of the true gradient
    points = data["saturation"]["data"]
    w, b = Value(-4.0), Value(0.0)
    opt = SGD([w, b], lr=run["learning_rate"])
    ys = [y for _, y in points]
    for _ in range(k):
        opt.zero_grad()
        (0.5 * mse_loss([(w * x + b).sigmoid() for x, _ in points], ys)).backward()
        opt.step()
    fs = [(w * x + b).sigmoid().data for x, _ in points]
    true, delta = run["true_gradient"][i], run["delta_rule"][i]
    assert (true["w"], true["b"]) == (w.data, b.data)
    rows = [state["table"][7 * j : 7 * j + 7] for j in range(len(points))]
    n = len(points)
    for row, (x, y), f, t, d in zip(rows, points, fs, true["points"], delta["points"]):
        check_cell(row[0], x)
        check_cell(row[1], y)
        check_cell(row[2], f)
        check_cell(row[3], t[2])
        assert math.isclose(t[2], f * (1.0 - f), rel_tol=1e-9)  # σ′ = σ (1 − σ)
        check_cell(row[4], t[3])
        assert math.isclose(t[3], (f - y) * t[2] * x / n, rel_tol=1e-12)
        check_cell(row[5], d[1])
        check_cell(row[6], d[3])
        assert d[3] == (d[1] - y) * x / n
    # the bars: per point, the true gradient's f′ then the other run's
    expected = [v for t, d in zip(true["points"], delta["points"]) for v in (t[2], d[2])]
    assert [float(v) for v in state["bars"]] == expected
    check_cell(state["readout"][0], true["loss"])
    check_cell(state["readout"][1], delta["loss"])
    check_cell(state["readout"][2], true["cross_entropy"])
    check_cell(state["readout"][3], delta["cross_entropy"])
    check_cell(state["readout"][4], true["update"][0])
    check_cell(state["readout"][5], delta["update"][0])


def test_depth_panel_shows_the_engines_numbers_and_the_collapsed_map(
    browser: tuple[Any, dict[str, Any]],
) -> None:
    from selenium.webdriver.support.ui import Select

    drv, data = browser
    section = data["depth"]
    i = 12
    k = section["steps"][i]
    radio(drv, "depth-act", "linear").click()
    Select(drv.find_element("id", "depth-layers")).select_by_value("2")
    set_range(drv, "depth-step", i)
    state = read(drv)["depth"]
    assert (state["run"], state["step"]) == ("xor/linear/2", str(k))
    # train the same model here for k steps; the page shows its accuracy, loss and map
    points = section["datasets"]["xor"]["points"]
    labels = section["datasets"]["xor"]["labels"]
    model = MLP(2, [4, 4, 1], activation="linear", seed=2)
    opt = Adam(model.parameters(), lr=0.08)
    for step in range(k + 1):
        outputs = [model(p) for p in points]
        loss = binary_cross_entropy_with_logits(outputs, labels)
        if step < k:
            opt.zero_grad()
            loss.backward()
            opt.step()
    correct = sum((o.data > 0) == (t == 1) for o, t in zip(outputs, labels))  # type: ignore[union-attr]
    acc, (exact, text) = correct / len(labels), state["readout"][0]
    assert float(exact) == acc and text.endswith("%")
    assert abs(float(text[:-1]) - 100 * acc) <= 0.05 + 1e-9  # shown to one decimal
    check_cell(state["readout"][1], loss.data, digits=4)
    W, c = question.collapse(model)
    for cell, value in zip(state["collapseNums"], [*W, c]):
        check_cell(cell, value, digits=4)
    # the table: every depth's accuracy at this step and at the end
    for n, (now, end) in zip(section["depths"], zip(state["table"][::2], state["table"][1::2])):
        run = section["runs"][f"xor/linear/{n}"]
        assert float(now[0]) == run["accuracies"][k] and float(end[0]) == run["accuracies"][-1]


# --- linear: the same rows ------------------------------------------------------------


def test_with_a_linear_activation_the_two_cards_show_the_same_rows_at_every_step(
    browser: tuple[Any, dict[str, Any]],
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    drv, data = browser
    radio(drv, "rule-act", "linear").click()
    slider = drv.find_element(By.ID, "rule-step")
    slider.send_keys(Keys.HOME)
    steps = data["update_rule"]["runs"]["linear"]["steps"]
    for k in range(1, len(steps) + 1):
        state = read(drv)["rule"]
        assert state["out"].startswith(f"step {k} of {len(steps)}")
        assert [t for _, t in state["rule"]] == [t for _, t in state["engine"]], k
        assert state["rule"] == state["engine"] and state["differs"] == []
        assert state["diffW"] == "0" and state["diff"].startswith("Every row is the same")
        slider.send_keys(Keys.ARROW_RIGHT)
    radio(drv, "rule-act", "sigmoid").click()
    for k in (len(steps), 1):
        set_range(drv, "rule-step", k)
        state = read(drv)["rule"]
        assert "slope" in state["differs"] and "x" not in state["differs"]
        assert state["rule"] != state["engine"]


# --- how it looks ---------------------------------------------------------------------


def colours(png: bytes) -> tuple[int, set[tuple[int, ...]], float]:
    width, height, pixels = png_rgb(png)
    inked = sum(1 for p in pixels if p != (255, 255, 255)) / len(pixels)
    return width * height, set(pixels), inked


def test_screenshots_are_not_blank(browser: tuple[Any, dict[str, Any]]) -> None:
    from selenium.webdriver.common.by import By

    drv, _ = browser
    area, seen, inked = colours(drv.get_screenshot_as_png())
    assert len(seen) > 50 and 0.02 < inked < 0.9
    regions = drv.find_element(By.ID, "depth-regions")
    drv.execute_script("arguments[0].scrollIntoView()", regions)
    area, seen, inked = colours(regions.screenshot_as_png)
    assert area > 200 * 200 and len(seen) > 30 and inked > 0.5
    # both region colours (#c6dbef, #fcbba1) and both point colours are drawn
    for rgb in ((198, 219, 239), (252, 187, 161), (31, 119, 180), (214, 39, 40)):
        assert rgb in seen, rgb
    bars = drv.find_element(By.ID, "slope-bars")
    drv.execute_script("arguments[0].scrollIntoView()", bars)
    _, seen, _ = colours(bars.screenshot_as_png)
    assert (27, 95, 168) in seen and (217, 95, 2) in seen  # the two runs' colours


def test_nothing_scrolls_sideways_and_every_control_has_a_label(
    browser: tuple[Any, dict[str, Any]],
) -> None:
    drv, _ = browser
    for act in ("linear", "sigmoid", "tanh"):  # the widest numbers too
        radio(drv, "rule-act", act).click()
        set_range(drv, "rule-step", 40)
        layout = drv.execute_script(LAYOUT)
        assert layout["scrollWidth"] <= layout["innerWidth"], layout
        assert layout["bodyScroll"] <= layout["innerWidth"], layout
    for chart in layout["charts"]:
        assert chart["right"] <= layout["innerWidth"], chart
        # chart text is drawn at 13 units: at least 10 CSS px on the screen
        assert layout["fontSize"] * chart["width"] / chart["viewBox"] >= 10.0, chart
    assert layout["bodyFont"] >= 15
    assert all(i["labels"] >= 1 for i in layout["inputs"]), layout["inputs"]
    assert len(layout["inputs"]) == 3 + 1 + 2 + 2 + 1 + 2 + 3 + 1 + 1
    print(f"\npage ready after {layout['readyMs']} ms at {layout['innerWidth']} px")
    assert layout["readyMs"] < 2000  # opens at once (about 0.1-0.2 s here)
