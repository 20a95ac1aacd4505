"use strict";
(function () {
var DATA = JSON.parse(document.getElementById("chainrule-data").textContent);
var NS = "http://www.w3.org/2000/svg";
var RULE = "#d95f02", ENGINE = "#1b5fa8";

// --- small helpers: formatting and drawing only ---------------------------------------
function fmt(v, digits) {
  if (v === 0) return "0";
  return String(Number(v.toPrecision(digits || 6))).replace(/-/g, "\u2212");
}
function pct(v) { return (100 * v).toFixed(1) + "%"; }
function el(tag, attrs, parent, text) {
  var e = document.createElementNS(NS, tag);
  for (var k in attrs) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}
function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
function checked(name) {
  return document.querySelector('input[name="' + name + '"]:checked').value;
}
function numCell(tr, v, digits) {
  var td = document.createElement("td");
  td.className = "num";
  td.dataset.v = String(v);
  td.textContent = fmt(v, digits);
  tr.appendChild(td);
  return td;
}
function niceTicks(lo, hi, n) {
  var span = hi - lo, raw = span / n, mag = Math.pow(10, Math.floor(Math.log10(raw)));
  var step = [1, 2, 2.5, 5, 10].map(function (m) { return m * mag; })
    .find(function (s) { return span / s <= n; });
  var out = [];
  for (var t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
    out.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  }
  return out;
}
function tickText(t) { return fmt(Number(t.toPrecision(6)), 6); }

// A line chart: series of [x, y] points, a legend, labelled axes, a marker at x = mark.
function lineChart(svg, o) {
  clear(svg);
  var vb = svg.viewBox.baseVal, W = vb.width, H = vb.height;
  var L = 66, R = 26, T = o.legend ? 46 : 28, B = 44;
  var xs = [], ys = [];
  o.series.forEach(function (s) { s.points.forEach(function (p) { xs.push(p[0]); ys.push(p[1]); }); });
  var x0 = o.xmin !== undefined ? o.xmin : Math.min.apply(null, xs);
  var x1 = Math.max.apply(null, xs);
  var ylo = o.ymin !== undefined ? o.ymin : Math.min.apply(null, ys);
  var yhi = o.ymax !== undefined ? o.ymax : Math.max.apply(null, ys);
  var f = o.log ? Math.log10 : function (v) { return v; };
  var y0 = f(ylo), y1 = f(yhi);
  if (y1 - y0 < 1e-12) { y0 -= 0.5; y1 += 0.5; }
  var pad = o.log || o.ymax !== undefined ? 0 : 0.05 * (y1 - y0);
  y0 -= pad; y1 += pad;
  function X(v) { return L + (v - x0) / (x1 - x0 || 1) * (W - L - R); }
  function Y(v) { return T + (y1 - f(v)) / (y1 - y0) * (H - T - B); }
  el("text", {x: L, y: 16, "class": "title"}, svg, o.title);
  // y grid and ticks
  var yt;
  if (o.log) {
    yt = [];
    var mults = y1 - y0 < 2.5 ? [1, 2, 5] : [1];
    for (var e = Math.floor(y0); e <= Math.ceil(y1); e++) {
      mults.forEach(function (m) {
        var t = m * Math.pow(10, e);
        if (Math.log10(t) >= y0 - 1e-9 && Math.log10(t) <= y1 + 1e-9) yt.push(t);
      });
    }
  } else {
    yt = niceTicks(y0, y1, 5);
  }
  yt.forEach(function (t) {
    var y = Y(t);
    el("line", {x1: L, x2: W - R, y1: y, y2: y, "class": "grid"}, svg);
    el("text", {x: L - 6, y: y + 4, "text-anchor": "end"}, svg,
       o.percent ? Math.round(100 * t) + "%" : tickText(t));
  });
  niceTicks(x0, x1, 6).forEach(function (t) {
    var x = X(t);
    el("line", {x1: x, x2: x, y1: H - B, y2: H - B + 5, "class": "axis"}, svg);
    el("text", {x: x, y: H - B + 19, "text-anchor": "middle"}, svg, tickText(t));
  });
  el("path", {d: "M" + L + "," + T + "V" + (H - B) + "H" + (W - R), "class": "axis"}, svg);
  el("text", {x: L + (W - L - R) / 2, y: H - 6, "text-anchor": "middle"}, svg, o.xlabel);
  el("text", {transform: "translate(15," + (T + (H - T - B) / 2) + ") rotate(-90)",
              "text-anchor": "middle"}, svg, o.ylabel);
  if (o.hline !== undefined) {
    el("line", {x1: L, x2: W - R, y1: Y(o.hline), y2: Y(o.hline), stroke: "#888",
                "stroke-dasharray": "5 4"}, svg);
  }
  o.series.forEach(function (s) {
    var d = s.points.map(function (p, i) {
      return (i ? "L" : "M") + X(p[0]).toFixed(1) + "," + Y(p[1]).toFixed(1);
    }).join("");
    el("path", {d: d, fill: "none", stroke: s.color, "stroke-width": s.width || 2.2,
                "stroke-dasharray": s.dash || "none", "class": "series"}, svg);
  });
  if (o.mark !== undefined) {
    var m = X(o.mark);
    el("line", {x1: m, x2: m, y1: T, y2: H - B, stroke: "#777", "stroke-width": 1.5,
                "class": "marker"}, svg);
    o.series.forEach(function (s) {
      var hit = s.points.find(function (p) { return p[0] === o.mark; });
      if (hit) el("circle", {cx: m, cy: Y(hit[1]), r: 4.5, fill: s.color, stroke: "#fff"}, svg);
    });
  }
  if (o.legend) {
    var lx = L;
    o.series.forEach(function (s) {
      el("line", {x1: lx, x2: lx + 22, y1: 31, y2: 31, stroke: s.color, "stroke-width": 3,
                  "stroke-dasharray": s.dash || "none"}, svg);
      var t = el("text", {x: lx + 27, y: 35}, svg, s.name);
      lx += 40 + t.getComputedTextLength();
    });
  }
}

// --- 1. the update rule ----------------------------------------------------------------
var U = DATA.update_rule;
var ROWS = [
  ["w0", "w before the step", "w before the step"],
  ["b0", "b before the step", "b before the step"],
  ["z", "z = w x + b", "z = w x + b"],
  ["y_hat", "ŷ = f(z)", "ŷ = f(z)"],
  ["dl_dyhat", "ŷ − y", "∂L/∂ŷ = ŷ − y"],
  ["slope", "f′(z): not in the rule, so 1", "f′(z), the activation's slope"],
  ["x", "x", "x"],
  ["grad_w", "(ŷ − y) · 1 · x", "∂L/∂w = (ŷ − y) · f′(z) · x"],
  ["grad_b", "(ŷ − y) · 1", "∂L/∂b = (ŷ − y) · f′(z)"],
  ["w", "w after: w − η (ŷ − y) x", "w after: w − η ∂L/∂w"],
  ["b", "b after: b − η (ŷ − y)", "b after: b − η ∂L/∂b"],
  ["loss", "loss over the five points after", "loss over the five points after"]
];
var ruleStep = document.getElementById("rule-step");
document.getElementById("rule-lr").textContent = fmt(U.learning_rate);

function fillCard(tbody, rec, s, which) {
  clear(tbody);
  ROWS.forEach(function (r) {
    var tr = document.createElement("tr");
    tr.dataset.key = r[0];
    var th = document.createElement("th");
    th.scope = "row";
    th.textContent = which === "rule" ? r[1] : r[2];
    tr.appendChild(th);
    numCell(tr, r[0] === "x" ? s.x : rec[r[0]]);
    tbody.appendChild(tr);
  });
}

function drawRule() {
  var run = U.runs[checked("rule-act")];
  var n = run.steps.length;
  ruleStep.max = n;
  var k = Number(ruleStep.value);
  var s = run.steps[k - 1];
  document.getElementById("rule-step-out").textContent =
    "step " + k + " of " + n + ": point " + (s.point + 1) + " of " + U.data.length +
    ", x = " + fmt(s.x) + ", y = " + fmt(s.y);
  var rt = document.querySelector("#rule-table tbody"), et = document.querySelector("#engine-table tbody");
  fillCard(rt, s.rule, s, "rule");
  fillCard(et, s.engine, s, "engine");
  var rrows = rt.querySelectorAll("tr"), erows = et.querySelectorAll("tr"), parted = 0;
  for (var i = 0; i < rrows.length; i++) {
    var same = rrows[i].querySelector("td").textContent === erows[i].querySelector("td").textContent;
    rrows[i].classList.toggle("differs", !same);
    erows[i].classList.toggle("differs", !same);
    if (!same) parted++;
  }
  var d = document.getElementById("rule-diff");
  d.dataset.w = String(s.difference.w);
  d.dataset.b = String(s.difference.b);
  d.dataset.rowsDiffer = String(parted);
  if (parted === 0) {
    d.textContent = "Every row is the same: after step " + k + " the two rules' weights differ by " +
      fmt(s.difference.w) + " in w and " + fmt(s.difference.b) + " in b. With f′(z) = 1 the " +
      "rule and the gradient step are one formula.";
  } else {
    d.textContent = parted + " of " + rrows.length + " rows differ. After step " + k +
      " the two rules' weights differ by " + fmt(s.difference.w) + " in w and " +
      fmt(s.difference.b) + " in b. At this step the engine multiplies the error by " +
      "f′(z) = " + fmt(s.engine.slope) + "; the rule multiplies it by 1.";
  }
  function series(key, start) {
    return ["rule", "engine"].map(function (who) {
      var pts = [[0, start]].concat(run.steps.map(function (t) { return [t.step, t[who][key]]; }));
      return who === "rule"
        ? {name: "question's rule", points: pts, color: RULE, width: 3.2}
        : {name: "engine's gradient step", points: pts, color: ENGINE, dash: "7 4"};
    });
  }
  lineChart(document.getElementById("rule-w-chart"), {
    title: "w after each step (" + run.activation + ")", xlabel: "step", ylabel: "w",
    series: series("w", run.start.w), mark: k, legend: true, xmin: 0});
  lineChart(document.getElementById("rule-loss-chart"), {
    title: "Loss after each step (" + run.activation + ")", xlabel: "step",
    ylabel: "(1/n) Σ ½ (ŷ − y)²", series: series("loss", run.start.loss), mark: k,
    legend: true, log: true, xmin: 0});
}

// --- 2. what f′ does ---------------------------------------------------------------------
var S = DATA.saturation;
var slopeStep = document.getElementById("slope-step");

function barChart(svg, o) {
  clear(svg);
  var vb = svg.viewBox.baseVal, W = vb.width, H = vb.height;
  var L = 66, R = 14, T = 46, B = 50;
  function Y(v) { return T + (o.ymax - v) / o.ymax * (H - T - B); }
  el("text", {x: L, y: 16, "class": "title"}, svg, o.title);
  niceTicks(0, o.ymax, 5).forEach(function (t) {
    el("line", {x1: L, x2: W - R, y1: Y(t), y2: Y(t), "class": "grid"}, svg);
    el("text", {x: L - 6, y: Y(t) + 4, "text-anchor": "end"}, svg, tickText(t));
  });
  var groups = o.groups.length, gw = (W - L - R) / groups, bw = gw * 0.34;
  o.groups.forEach(function (g, i) {
    var gx = L + i * gw + gw / 2;
    o.series.forEach(function (s, j) {
      var v = s.values[i], x = gx + (j - o.series.length / 2) * bw;
      el("rect", {x: x.toFixed(1), y: Y(v).toFixed(1), width: (bw - 3).toFixed(1),
                  height: Math.max(0, Y(0) - Y(v)).toFixed(1), fill: s.color,
                  "class": "bar", "data-v": String(v)}, svg);
    });
    el("text", {x: gx, y: H - B + 18, "text-anchor": "middle"}, svg, g);
  });
  el("line", {x1: L, x2: W - R, y1: Y(o.ymax), y2: Y(o.ymax), stroke: "#888",
              "stroke-dasharray": "5 4"}, svg);
  el("path", {d: "M" + L + "," + T + "V" + Y(0) + "H" + (W - R), "class": "axis"}, svg);
  el("text", {x: L + (W - L - R) / 2, y: H - 8, "text-anchor": "middle"}, svg, o.xlabel);
  el("text", {transform: "translate(15," + (T + (H - T - B) / 2) + ") rotate(-90)",
              "text-anchor": "middle"}, svg, o.ylabel);
  var lx = L;
  o.series.forEach(function (s) {
    el("rect", {x: lx, y: 25, width: 14, height: 12, fill: s.color}, svg);
    var t = el("text", {x: lx + 19, y: 35}, svg, s.name);
    lx += 34 + t.getComputedTextLength();
  });
}

function drawSlope() {
  var run = S.runs[checked("slope-start")];
  var steps = run.steps;
  slopeStep.max = steps.length - 1;
  var i = Number(slopeStep.value), k = steps[i];
  var t = run.true_gradient[i], d = run.delta_rule[i];
  document.getElementById("slope-step-out").textContent =
    "step " + k + " of " + steps[steps.length - 1] + " (" + steps.length + " steps kept)";
  var withF = "with f′ (true gradient)", without = "without f′";
  var key = checked("slope-loss"), name = key === "loss" ? "squared error" : "cross-entropy";
  function curve(rows) { return rows.map(function (r) { return [r.step, r[key]]; }); }
  lineChart(document.getElementById("slope-loss-chart"), {
    title: name.charAt(0).toUpperCase() + name.slice(1) + " from w = " + fmt(run.start.w) +
      ", b = " + fmt(run.start.b),
    xlabel: "step", ylabel: name + " (log scale)", log: true, legend: true, mark: k,
    series: [
      {name: withF, color: ENGINE, points: curve(run.true_gradient)},
      {name: without, color: RULE, dash: "7 4", points: curve(run.delta_rule)}
    ]});
  barChart(document.getElementById("slope-bars"), {
    title: "f′(z) at each point, step " + k, ymax: 0.25, xlabel: "point x",
    ylabel: "f′(z) = f (1 − f)",
    groups: S.data.map(function (p) { return "x = " + fmt(p[0]); }),
    series: [
      {name: withF, color: ENGINE, values: t.points.map(function (p) { return p[2]; })},
      {name: without, color: RULE, values: d.points.map(function (p) { return p[2]; })}
    ]});
  var tb = document.querySelector("#slope-table tbody");
  clear(tb);
  S.data.forEach(function (p, j) {
    var tr = document.createElement("tr");
    numCell(tr, p[0]); numCell(tr, p[1]);
    numCell(tr, t.points[j][1]); numCell(tr, t.points[j][2]); numCell(tr, t.points[j][3]);
    numCell(tr, d.points[j][1]); numCell(tr, d.points[j][3]);
    tb.appendChild(tr);
  });
  var r = document.getElementById("slope-readout");
  clear(r);
  function part(text, v) {
    r.appendChild(document.createTextNode(text));
    var s = document.createElement("span");
    s.className = "num"; s.dataset.v = String(v); s.textContent = fmt(v);
    r.appendChild(s);
  }
  part("At step " + k + " the squared error is ", t.loss);
  part(" with f′ and ", d.loss);
  part(" without; the cross-entropy ", t.cross_entropy);
  part(" with f′ and ", d.cross_entropy);
  part(" without. The step in w: the true gradient ∂L/∂w = ", t.update[0]);
  part(", the update without f′ uses ", d.update[0]);
  r.appendChild(document.createTextNode("."));
}

// --- 3. depth and the activation -------------------------------------------------------
var D = DATA.depth;
var depthStep = document.getElementById("depth-step");
var layers = document.getElementById("depth-layers");
D.depths.forEach(function (n) {
  var o = document.createElement("option");
  o.value = String(n); o.textContent = n + (n === 1 ? " layer" : " layers");
  layers.appendChild(o);
});
document.getElementById("depth-width").textContent = String(D.runs[Object.keys(D.runs)[0]].layers[0]);
depthStep.max = D.steps.length - 1;
depthStep.value = depthStep.max;  // open on the trained models

function drawRegions(svg, set, frame, res) {
  clear(svg);
  var vb = svg.viewBox.baseVal, W = vb.width, H = vb.height;
  var L = 48, R = 8, T = 8, B = 44, box = set.box;
  var pw = W - L - R, ph = H - T - B;
  function X(v) { return L + (v - box[0]) / (box[1] - box[0]) * pw; }
  function Y(v) { return T + (box[3] - v) / (box[3] - box[2]) * ph; }
  var cw = pw / res, ch = ph / res, cls = frame.classes;
  var g = el("g", {"class": "cells", "shape-rendering": "crispEdges"}, svg);
  for (var i = 0; i < res; i++) {           // row i is the i-th y from the bottom
    var j = 0;
    while (j < res) {
      var c = cls.charAt(i * res + j), j1 = j;
      while (j1 < res && cls.charAt(i * res + j1) === c) j1++;
      el("rect", {x: (L + j * cw).toFixed(2), y: (T + (res - 1 - i) * ch).toFixed(2),
                  width: ((j1 - j) * cw + 0.3).toFixed(2), height: (ch + 0.3).toFixed(2),
                  fill: c === "1" ? "#fcbba1" : "#c6dbef"}, g);
      j = j1;
    }
  }
  var line = frame.collapsed ? frame.collapsed.line : null;
  if (line) {
    el("line", {x1: X(line[0]), y1: Y(line[1]), x2: X(line[2]), y2: Y(line[3]),
                stroke: "#111", "stroke-width": 2.5, "stroke-dasharray": "8 5",
                "class": "collapsed"}, svg);
  }
  set.points.forEach(function (p, n) {
    el("circle", {cx: X(p[0]).toFixed(1), cy: Y(p[1]).toFixed(1), r: 5,
                  fill: set.labels[n] ? "#d62728" : "#1f77b4", stroke: "#fff",
                  "stroke-width": 1.2}, svg);
  });
  el("rect", {x: L, y: T, width: pw, height: ph, fill: "none", stroke: "#444"}, svg);
  niceTicks(box[0], box[1], 5).forEach(function (t) {
    el("line", {x1: X(t), x2: X(t), y1: T + ph, y2: T + ph + 5, "class": "axis"}, svg);
    el("text", {x: X(t), y: T + ph + 19, "text-anchor": "middle"}, svg, tickText(t));
  });
  niceTicks(box[2], box[3], 5).forEach(function (t) {
    el("line", {x1: L - 5, x2: L, y1: Y(t), y2: Y(t), "class": "axis"}, svg);
    el("text", {x: L - 8, y: Y(t) + 4, "text-anchor": "end"}, svg, tickText(t));
  });
  el("text", {x: L + pw / 2, y: H - 6, "text-anchor": "middle"}, svg, "x₁");
  el("text", {transform: "translate(14," + (T + ph / 2) + ") rotate(-90)",
              "text-anchor": "middle"}, svg, "x₂");
}

function drawDepth() {
  var data = checked("depth-data"), act = checked("depth-act"), depth = layers.value;
  var run = D.runs[data + "/" + act + "/" + depth], set = D.datasets[data];
  var i = Number(depthStep.value), frame = run.frames[i], k = frame.step;
  document.getElementById("depth-step-out").textContent =
    "step " + k + " of " + D.steps[D.steps.length - 1];
  var svg = document.getElementById("depth-regions");
  svg.dataset.run = data + "/" + act + "/" + depth;
  svg.dataset.step = String(k);
  drawRegions(svg, set, frame, D.resolution);
  var r = document.getElementById("depth-readout");
  clear(r);
  function part(text, v, shown) {
    r.appendChild(document.createTextNode(text));
    var s = document.createElement("span");
    s.className = "num"; s.dataset.v = String(v); s.textContent = shown;
    r.appendChild(s);
  }
  var name = data === "xor" ? "XOR" : "two moons";
  part(run.layers.length - 1 + " " + act + " hidden layer" + (depth === "1" ? "" : "s") +
       " of " + run.layers[0] + " units on " + name + ", after " + k + " steps: accuracy ",
       frame.accuracy, pct(frame.accuracy));
  part(", loss ", frame.loss, fmt(frame.loss, 4));
  r.appendChild(document.createTextNode("."));
  var c = document.getElementById("depth-collapse");
  clear(c);
  if (frame.collapsed) {
    var m = frame.collapsed;
    c.appendChild(document.createTextNode("The " + (depth === "1" ? "hidden layer" : depth +
      " hidden layers") + " and the output layer multiply out to one affine map " +
      "s = w₁ x₁ + w₂ x₂ + b with "));
    [["w₁ = ", m.W[0]], [", w₂ = ", m.W[1]], [", b = ", m.b]].forEach(function (q) {
      c.appendChild(document.createTextNode(q[0]));
      var s = document.createElement("span");
      s.className = "num"; s.dataset.v = String(q[1]); s.textContent = fmt(q[1], 4);
      c.appendChild(s);
    });
    c.appendChild(document.createTextNode(m.line
      ? ". Its boundary s = 0 is the dashed straight line, at every depth."
      : ". Its boundary s = 0 is a straight line outside the picture: here the map gives " +
        "one class to every point shown."));
  } else {
    c.textContent = "No single affine map: the slope of " + act + " changes with z, so the " +
      "layers do not multiply out, and the boundary can bend.";
  }
  lineChart(document.getElementById("depth-chart"), {
    title: "Accuracy, " + act + ", " + depth + (depth === "1" ? " layer" : " layers") + ", " + name,
    xlabel: "step", ylabel: "training accuracy", ymin: 0, ymax: 1, percent: true, mark: k,
    series: [{name: "accuracy", color: ENGINE,
              points: run.accuracies.map(function (a, s) { return [s, a]; })}],
    hline: data === "xor" ? 0.75 : undefined});
  var tb = document.querySelector("#depth-table tbody");
  clear(tb);
  D.depths.forEach(function (n) {
    var other = D.runs[data + "/" + act + "/" + n];
    var tr = document.createElement("tr");
    if (String(n) === depth) tr.className = "current";
    var th = document.createElement("th");
    th.scope = "row"; th.textContent = String(n) + (String(n) === depth ? " (shown)" : "");
    tr.appendChild(th);
    [other.frames[i].accuracy, other.accuracies[other.accuracies.length - 1]].forEach(function (a) {
      var td = document.createElement("td");
      td.className = "num"; td.dataset.v = String(a); td.textContent = pct(a);
      tr.appendChild(td);
    });
    tb.appendChild(tr);
  });
}

// --- wiring: every control redraws its own section ------------------------------------
function on(selector, draw) {
  document.querySelectorAll(selector).forEach(function (input) {
    input.addEventListener("input", draw);
    input.addEventListener("change", draw);
  });
}
on('input[name="rule-act"], #rule-step', drawRule);
on('input[name="slope-start"], input[name="slope-loss"], #slope-step', drawSlope);
on('input[name="depth-data"], input[name="depth-act"], #depth-layers, #depth-step', drawDepth);
drawRule();
drawSlope();
drawDepth();
document.body.dataset.ready = "1";
document.body.dataset.readyMs = String(Math.round(performance.now()));
})();
