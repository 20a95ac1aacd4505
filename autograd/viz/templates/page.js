// The backward-pass stepper of to_html's page (autograd/viz/html.py).
// BACKPROP, defined just before this script, holds the nodes and the steps;
// the SVG's <g> groups are found by their Graphviz titles (v3, op3, v1->op3).
(function () {
  "use strict";
  const D = BACKPROP;
  const steps = D.steps;
  const nodes = {};
  D.nodes.forEach(function (n) { nodes[n.id] = n; });
  const svg = document.querySelector("#graph svg");
  const groups = {};  // SVG <g> elements by Graphviz title ("v3", "op3", "v1->op3")
  svg.querySelectorAll("g.node, g.edge").forEach(function (g) {
    const t = g.querySelector("title");
    if (!t) return;
    (groups[t.textContent] = groups[t.textContent] || []).push(g);
  });
  // Shrink a wide graph to fit, but not below 3/4 of its size: then the box scrolls.
  const natural = svg.width.baseVal.value;
  function fit() {
    const room = document.getElementById("graph").clientWidth;
    svg.style.width = Math.min(natural, Math.max(room, 0.75 * natural)) + "px";
  }
  fit();
  window.addEventListener("resize", fit);
  function each(title, f) { (groups[title] || []).forEach(f); }
  function gradText(id) {  // the record's last field is "grad ..."
    const g = (groups[id] || [])[0];
    if (!g) return null;
    const texts = g.querySelectorAll("text");
    return texts.length ? texts[texts.length - 1] : null;
  }

  const rows = {};
  const gradsBody = document.querySelector("#grads tbody");
  D.nodes.slice().reverse().forEach(function (n) {
    const tr = document.createElement("tr");
    tr.dataset.node = n.id;
    tr.innerHTML = "<td class='name'></td><td class='op'></td>" +
      "<td class='num data'></td><td class='num grad'></td>";
    tr.querySelector(".name").textContent = n.name;
    tr.querySelector(".op").textContent = n.op;
    tr.querySelector(".data").textContent = n.dataText;
    tr.addEventListener("mouseenter", function () { hover(n.id, true); });
    tr.addEventListener("mouseleave", function () { hover(n.id, false); });
    gradsBody.appendChild(tr);
    rows[n.id] = tr;
  });
  function hover(id, on) {
    rows[id].classList.toggle("hover", on);
    each(id, function (g) { g.classList.toggle("hover", on); });
  }

  let pos = 0;  // number of steps applied
  let timer = null;
  const btn = {};
  ["reset", "back", "step", "play"].forEach(function (k) { btn[k] = document.getElementById(k); });

  function show() {
    // Replay steps 0..pos-1 from zero grads: exact sums, also when going back.
    const grad = {}, text = {}, touched = {};
    D.nodes.forEach(function (n) { grad[n.id] = 0; text[n.id] = "0"; });
    for (let i = 0; i < pos; i++) {
      const s = steps[i];
      if (s.seed) { grad[s.node] = s.upstream; text[s.node] = s.upstreamText; }
      if (s.skipped) continue;
      s.inputs.forEach(function (e) {
        grad[e.id] = grad[e.id] + e.contribution;
        text[e.id] = e.afterText;
      });
    }
    const cur = pos > 0 ? steps[pos - 1] : null;
    if (cur) {
      touched[cur.node] = true;
      cur.inputs.forEach(function (e) { touched[e.id] = true; });
    }
    const marked = "g.current, g.input, g.done, g.active, text.changed";
    svg.querySelectorAll(marked).forEach(function (el) {
      el.classList.remove("current", "input", "done", "active", "changed");
    });
    for (let i = 1; i < pos - 1; i++) {
      each(steps[i].node, function (g) { g.classList.add("done"); });
    }
    D.nodes.forEach(function (n) {
      const tr = rows[n.id];
      tr.dataset.grad = String(grad[n.id]);
      tr.querySelector(".grad").textContent = text[n.id];
      tr.classList.remove("current", "input");
      const t = gradText(n.id);
      if (t) {
        t.textContent = "grad " + text[n.id];
        if (cur && touched[n.id] && (cur.seed || n.id !== cur.node)) t.classList.add("changed");
      }
    });
    const body = document.querySelector("#current tbody");
    body.textContent = "";
    const explain = document.getElementById("explain");
    if (!cur) {
      explain.textContent = "Press Step (or the right arrow) to start the backward pass from " +
        nodes[D.root].name + ".";
    } else {
      const n = nodes[cur.node];
      rows[cur.node].classList.add("current");
      each(cur.node, function (g) {
        g.classList.add("current");
        if (g.scrollIntoView) g.scrollIntoView({ block: "nearest", inline: "nearest" });
      });
      if (cur.seed) {
        explain.textContent = "Seed: d" + n.name + "/d" + n.name + " = 1, so " + n.name +
          ".grad = 1.";
      } else {
        each("op" + cur.node.slice(1), function (g) { g.classList.add("current"); });
        explain.textContent = n.name + " = " + n.expr + ": its grad " +
          cur.upstreamText + (cur.skipped ? " is 0, so nothing flows back." :
          " times each local derivative is added to its inputs' grads.");
        cur.inputs.forEach(function (e) {
          rows[e.id].classList.add("input");
          each(e.id, function (g) { g.classList.add("input"); });
          each(e.id + "->op" + cur.node.slice(1), function (g) { g.classList.add("active"); });
          const tr = document.createElement("tr");
          tr.dataset.node = e.id;
          tr.innerHTML = "<td></td><td class='num'></td><td class='num'></td><td class='num'></td>";
          const td = tr.querySelectorAll("td");
          td[0].textContent = nodes[e.id].name;
          td[1].textContent = e.localText;
          td[2].textContent = cur.upstreamText + " \u00d7 " + e.localText + " = " +
            e.contributionText;
          td[3].textContent = e.afterText;
          body.appendChild(tr);
        });
      }
    }
    document.getElementById("status").textContent = "Step " + pos + " of " + steps.length;
    btn.back.disabled = btn.reset.disabled = pos === 0;
    btn.step.disabled = pos === steps.length;
    document.body.dataset.step = String(pos);
  }

  function go(p) { pos = Math.max(0, Math.min(steps.length, p)); show(); }
  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    btn.play.textContent = "Play";
  }
  function play() {
    if (timer !== null) { stop(); return; }
    if (pos === steps.length) go(0);
    btn.play.textContent = "Pause";
    timer = setInterval(function () {
      go(pos + 1);
      if (pos >= steps.length) stop();
    }, 800);
  }
  btn.step.addEventListener("click", function () { stop(); go(pos + 1); });
  btn.back.addEventListener("click", function () { stop(); go(pos - 1); });
  btn.reset.addEventListener("click", function () { stop(); go(0); });
  btn.play.addEventListener("click", play);
  document.addEventListener("keydown", function (ev) {
    if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const k = { ArrowRight: 1, ArrowLeft: -1 }[ev.key];
    if (k) { stop(); go(pos + k); ev.preventDefault(); }
    else if (ev.key === "Home") { stop(); go(0); ev.preventDefault(); }
    else if (ev.key === "End") { stop(); go(steps.length); ev.preventDefault(); }
  });
  document.body.dataset.steps = String(steps.length);
  show();
})();
