// modelviz offline viewer: pan (drag), zoom (wheel, + − 0), search and a
// details panel. Plain ES2017, no network access.
(function () {
  "use strict";
  var view = document.getElementById("mv-view");
  var svg = view.querySelector("svg");
  var panel = document.getElementById("mv-panel");
  var search = document.getElementById("mv-search");
  var count = document.getElementById("mv-count");
  var data = JSON.parse(document.getElementById("mv-data").textContent);
  var NS = "http://www.w3.org/2000/svg";
  var byId = {};
  data.nodes.forEach(function (n) { byId[n.id] = n; });
  var vb = svg.viewBox.baseVal;
  var full = { x: vb.x, y: vb.y, w: vb.width, h: vb.height };
  var st = { x: full.x, y: full.y, k: 1 }; // k: screen px per unit
  var overlay = document.createElementNS(NS, "g");
  svg.appendChild(overlay);
  // Edges are 1 px lines: give each an invisible 8 px band to click
  // (round caps bridge the gaps of dashed module-order edges).
  svg.querySelectorAll("g.edge").forEach(function (g) {
    var line = g.querySelector("path");
    if (!line) return;
    var hit = line.cloneNode(false);
    hit.removeAttribute("class");
    hit.setAttribute("class", "mv-hitline");
    g.insertBefore(hit, line);
  });

  var far = null;
  function apply() {
    var w = view.clientWidth || 1, h = view.clientHeight || 1;
    svg.setAttribute("viewBox", st.x + " " + st.y + " " + w / st.k + " " + h / st.k);
    // Text under ~3 px is unreadable and most of the cost of a redraw
    // on big graphs: hide it when zoomed far out.
    var f = st.k < 0.3;
    if (f !== far) { far = f; svg.classList.toggle("mv-far", f); }
  }
  function fit() {
    var w = view.clientWidth || 1, h = view.clientHeight || 1;
    st.k = Math.min(w / full.w, h / full.h, 2);
    st.x = full.x - (w / st.k - full.w) / 2;
    st.y = full.y - (h / st.k - full.h) / 2;
    apply();
  }
  function zoomAt(f, sx, sy) {
    var k = Math.max(0.005, Math.min(st.k * f, 16));
    st.x += sx / st.k - sx / k;
    st.y += sy / st.k - sy / k;
    st.k = k;
    apply();
  }
  function zoomCentre(f) { zoomAt(f, view.clientWidth / 2, view.clientHeight / 2); }
  function centreOn(n) {
    var w = view.clientWidth, h = view.clientHeight;
    if (st.k < 0.8) st.k = 1;
    st.x = n.x + n.w / 2 - w / 2 / st.k;
    st.y = n.y + n.h / 2 - h / 2 / st.k;
    apply();
  }

  // Pan by dragging; a click without movement selects.
  var drag = null;
  view.addEventListener("pointerdown", function (e) {
    if (e.button !== 0) return;
    drag = { x: e.clientX, y: e.clientY, sx: st.x, sy: st.y, moved: false };
    view.setPointerCapture(e.pointerId);
  });
  view.addEventListener("pointermove", function (e) {
    if (!drag) return;
    var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) { drag.moved = true; view.classList.add("drag"); }
    st.x = drag.sx - dx / st.k;
    st.y = drag.sy - dy / st.k;
    apply();
  });
  view.addEventListener("pointerup", function (e) {
    var d = drag;
    drag = null;
    view.classList.remove("drag");
    if (!d || d.moved) return;
    var hit = document.elementsFromPoint(e.clientX, e.clientY);
    for (var i = 0; i < hit.length; i++) {
      var g = hit[i].closest && hit[i].closest("g.node,g.edge");
      if (g) {
        if (g.classList.contains("node")) select(byId[g.getAttribute("data-id")]);
        else showEdge(g.getAttribute("data-id"));
        return;
      }
    }
    select(null);
  });
  view.addEventListener("wheel", function (e) {
    e.preventDefault();
    var r = view.getBoundingClientRect();
    var f = Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015));
    zoomAt(f, e.clientX - r.left, e.clientY - r.top);
  }, { passive: false });
  document.getElementById("mv-in").onclick = function () { zoomCentre(1.25); };
  document.getElementById("mv-out").onclick = function () { zoomCentre(0.8); };
  document.getElementById("mv-fit").onclick = fit;
  document.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && e.key === "f") { e.preventDefault(); search.focus(); search.select(); return; }
    if (e.key === "Escape") { search.value = ""; runSearch(); select(null); search.blur(); return; }
    if (e.target === search) return;
    if (e.key === "+" || e.key === "=") zoomCentre(1.25);
    else if (e.key === "-" || e.key === "_") zoomCentre(0.8);
    else if (e.key === "0") fit();
  });
  window.addEventListener("resize", apply);

  function box(n, cls, pad) {
    var r = document.createElementNS(NS, "rect");
    r.setAttribute("x", n.x - pad); r.setAttribute("y", n.y - pad);
    r.setAttribute("width", n.w + 2 * pad); r.setAttribute("height", n.h + 2 * pad);
    r.setAttribute("rx", 7); r.setAttribute("class", cls);
    overlay.appendChild(r);
    return r;
  }

  // Search: op, label, name, rows, tensor names and shapes; /regex/ too.
  var hits = [], hitAt = -1, hitRects = [];
  function matcher(q) {
    if (q.length > 2 && q[0] === "/" && q.lastIndexOf("/") > 0) {
      var j = q.lastIndexOf("/");
      try { var re = new RegExp(q.slice(1, j), q.slice(j + 1).replace(/[^imsu]/g, "") || "i"); return function (s) { return re.test(s); }; } catch (err) { return null; }
    }
    q = q.toLowerCase();
    return function (s) { return s.toLowerCase().indexOf(q) >= 0; };
  }
  function haystack(n) {
    var parts = [n.label, n.name || "", n.kind, n.category || ""];
    (n.rows || []).forEach(function (r) { parts.push(r.name + " " + r.value); });
    (n.in || []).concat(n.out || []).forEach(function (e) { parts.push(e.value || ""); parts.push(e.shape || ""); });
    var d = n.details;
    if (d) { parts.push(d.op || "", d.name || "", d.group || ""); (d.inputs || []).concat(d.outputs || []).forEach(function (f) { parts.push(f.name + ": " + (f.tensor || "")); }); }
    return parts.join("\n");
  }
  function runSearch() {
    hitRects.forEach(function (r) { r.remove(); });
    hitRects = []; hits = []; hitAt = -1;
    var q = search.value.trim();
    if (!q) { count.textContent = ""; return; }
    var m = matcher(q);
    if (!m) { count.textContent = "bad regex"; return; }
    data.nodes.forEach(function (n) { if (m(haystack(n))) hits.push(n); });
    hits.forEach(function (n) { hitRects.push(box(n, "mv-hit", 3)); });
    count.textContent = hits.length + (hits.length === 1 ? " match" : " matches");
  }
  search.addEventListener("input", runSearch);
  search.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || !hits.length) return;
    hitAt = (hitAt + (e.shiftKey ? hits.length - 1 : 1)) % hits.length;
    count.textContent = (hitAt + 1) + " / " + hits.length;
    centreOn(hits[hitAt]);
    select(hits[hitAt]);
  });

  // Details panel.
  var selRect = null;
  function esc(s) { return String(s).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; }); }
  // table lays rows of [key, value] HTML out as two columns (a grid in
  // viewer.css): keys on one line, values wrapping in the rest.
  function table(rows) {
    if (!rows || !rows.length) return "";
    return '<dl class="kv">' + rows.map(function (r) { return "<dt>" + r[0] + "</dt><dd>" + r[1] + "</dd>"; }).join("") + "</dl>";
  }
  // path escapes a tensor or node name and lets it wrap after its / and .
  // separators rather than at any character.
  function path(s) { return esc(s).replace(/[\/.]/g, "$&<wbr>"); }
  // tensor is a value cell: the tensor's name on its own line, then what
  // it holds (type and shape).
  function tensor(name, what) { return (name ? '<span class="t">' + path(name) + "</span>" : "") + esc(what || ""); }
  function io(f) { return [esc(f.name), tensor(f.tensor, f.value)]; }
  function link(id, text) { return byId[id] ? '<span class="go" data-go="' + esc(id) + '">' + esc(text) + "</span>" : esc(text); }
  function select(n) {
    if (selRect) { selRect.remove(); selRect = null; }
    if (!n) { panel.hidden = true; return; }
    selRect = box(n, "mv-sel", 4);
    var d = n.details || {};
    var h = '<button class="close" aria-label="Close">×</button><h2>' + esc(d.op || n.label) + "</h2>";
    var head = [["kind", esc(n.kind)]];
    if (n.category) head.push(["category", esc(n.category)]);
    if (d.name || n.name) head.push(["name", path(d.name || n.name)]);
    if (d.domain) head.push(["domain", esc(d.domain)]);
    if (d.group) head.push(["module", esc(d.group)]);
    if (n.params) head.push(["params", n.params.toLocaleString("en-US")]);
    if (n.macs) head.push(["MACs", n.macs.toLocaleString("en-US")]);
    if (d.doc_url && /^https:\/\/(onnx\.ai|pytorch\.org)\//.test(d.doc_url)) head.push(["docs", '<a href="' + esc(d.doc_url) + '" target="_blank" rel="noopener">' + esc(d.op || n.label) + "</a>"]);
    h += table(head);
    if (d.doc) h += "<p>" + esc(d.doc) + "</p>";
    if (d.attrs && d.attrs.length) h += "<h3>Attributes</h3>" + table(d.attrs.map(function (f) { return [esc(f.name), esc(f.value)]; }));
    else if (n.rows && n.rows.length) h += "<h3>Rows</h3>" + table(n.rows.map(function (f) { return [esc(f.name), esc(f.value)]; }));
    if (d.inputs && d.inputs.length) h += "<h3>Inputs</h3>" + table(d.inputs.map(io));
    if (d.outputs && d.outputs.length) h += "<h3>Outputs</h3>" + table(d.outputs.map(io));
    if (n.in && n.in.length) h += "<h3>From</h3>" + table(n.in.map(function (e) { return [link(e.other, byId[e.other] ? byId[e.other].label : e.other), tensor(e.value, e.shape)]; }));
    if (n.out && n.out.length) h += "<h3>To</h3>" + table(n.out.map(function (e) { return [link(e.other, byId[e.other] ? byId[e.other].label : e.other), tensor(e.value, e.shape)]; }));
    panel.innerHTML = h;
    panel.hidden = false;
  }
  function showEdge(id) {
    var k = id.indexOf("->"), from = byId[id.slice(0, k)], to = byId[id.slice(k + 2)];
    if (!from || !to) return;
    var e = (from.out || []).filter(function (x) { return x.other === to.id; })[0] || {};
    if (selRect) { selRect.remove(); selRect = null; }
    panel.innerHTML = '<button class="close" aria-label="Close">×</button><h2>' + (e.value ? path(e.value) : "tensor") + "</h2>" +
      table([["shape", esc(e.shape || "?")], ["from", link(from.id, from.label)], ["to", link(to.id, to.label)]]);
    panel.hidden = false;
  }
  panel.addEventListener("click", function (e) {
    if (e.target.classList.contains("close")) { select(null); return; }
    var go = e.target.getAttribute("data-go");
    if (go && byId[go]) { centreOn(byId[go]); select(byId[go]); }
  });

  // Start fitted when that stays legible, else at the top at up to 1:1
  // (a tall network fitted whole is a thin unreadable strip).
  fit();
  if (st.k < 0.6) {
    var w = view.clientWidth || 1;
    st.k = Math.max(st.k, Math.min(1, w / full.w));
    st.x = full.x - (w / st.k - full.w) / 2;
    st.y = full.y;
    apply();
  }
  document.body.setAttribute("data-state", "ready");
})();
