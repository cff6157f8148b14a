// modelviz viewer: draws the server's laid-out Scene on one canvas.
// Plain JS, no build step. Speed comes from culling (only boxes and edges
// that intersect the viewport are visited for drawing), level of detail
// (small boxes become batched filled rectangles, edges and text are skipped
// below a pixel size) and drawing only on requestAnimationFrame when dirty.
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  const body = document.body;
  const canvas = $('graph');
  const ctx = canvas.getContext('2d', { alpha: false });
  const mini = $('minimap');
  const mctx = mini.getContext('2d');

  // Metrics shared with the Go side (view/text.go): boxes were sized for
  // these fonts, so text drawn with them fits.
  const M = { font: 12, rowFont: 10, edgeFont: 9, header: 24, row: 15, padX: 8, keyGap: 6, groupLabel: 20 };
  const FONT = '"Go", system-ui, sans-serif';

  const CATS = ['layer', 'activation', 'pool', 'norm', 'dropout', 'elementwise', 'shape', 'reduce', 'control',
    'sequence', 'constant', 'quant', 'ml', 'training', 'custom', 'unknown', 'io', 'group'];

  const st = {
    models: [], model: null, meta: null, example: false, maxUpload: 0,
    scene: null, expanded: new Set(), dir: 'TB',
    k: 1, tx: 0, ty: 0, w: 0, h: 0, dpr: 1,
    sel: null, hits: null, heat: false, maxMacs: 0,
    dirty: false, colors: {}, seq: 0, panelSeq: 0,
  };
  window.__modelviz = st; // for tests and benchmarks

  // ---------- helpers ----------
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    if (attrs) for (const [k, v] of Object.entries(attrs)) {
      if (v == null) continue;
      if (k === 'text') e.textContent = v;
      else if (k === 'cls') e.className = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const c of kids) if (c != null) e.append(c.nodeType ? c : document.createTextNode(String(c)));
    return e;
  }
  async function api(path, opts) {
    const o = Object.assign({ headers: {} }, opts || {});
    if (o.method && o.method !== 'GET') o.headers['X-Modelviz'] = '1';
    const r = await fetch(path, o);
    let j = null;
    try { j = await r.json(); } catch (_) { /* not JSON */ }
    if (!r.ok) throw new Error((j && j.error) || (r.status + ' ' + r.statusText));
    return j;
  }
  const mpath = (p) => '/api/models/' + encodeURIComponent(st.model) + p;
  function fmtInt(n) {
    if (n == null) return '';
    const a = Math.abs(n);
    if (a >= 1e9) return (n / 1e9).toFixed(2) + ' G';
    if (a >= 1e6) return (n / 1e6).toFixed(2) + ' M';
    if (a >= 1e4) return (n / 1e3).toFixed(1) + ' k';
    return String(n);
  }
  function fmtBytes(n) {
    if (n == null || n < 0) return '?';
    if (n >= 1 << 30) return (n / (1 << 30)).toFixed(2) + ' GiB';
    if (n >= 1 << 20) return (n / (1 << 20)).toFixed(2) + ' MiB';
    if (n >= 1 << 10) return (n / (1 << 10)).toFixed(1) + ' KiB';
    return n + ' B';
  }
  function fmtNum(v) {
    if (typeof v !== 'number') return String(v);
    if (Number.isInteger(v)) return String(v);
    const a = Math.abs(v);
    return (a !== 0 && (a < 1e-3 || a >= 1e5)) ? v.toExponential(4) : String(+v.toPrecision(6));
  }
  function setState(s, msg) {
    body.dataset.state = s;
    if (s === 'error') {
      const e = $('error');
      e.replaceChildren(el('h2', { text: 'Cannot show this model' }), el('div', { text: msg || 'unknown error' }));
      e.hidden = false;
    } else {
      $('error').hidden = true;
    }
  }
  // toast shows a message for a few seconds without leaving the view.
  let toastTimer = 0;
  function toast(msg) {
    const t = $('toast');
    t.textContent = msg;
    t.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { t.hidden = true; }, 6000);
  }
  function readColors() {
    const cs = getComputedStyle(document.documentElement);
    const c = {};
    for (const k of ['bg', 'fg', 'muted', 'line', 'edge', 'select', 'hit', 'group-fill', 'group-line', 'group-title',
      'box-fill', 'box-line', 'box-text', 'head-text', 'accent', 'panel']) c[k] = cs.getPropertyValue('--' + k).trim();
    c.cat = CATS.map((n) => cs.getPropertyValue('--c-' + n).trim());
    st.colors = c;
    st.heatColors = [];
    for (let i = 0; i < 8; i++) {
      // Yellow to red ramp: readable on both themes.
      const t = i / 7;
      st.heatColors.push('hsl(' + Math.round(50 - 50 * t) + ',85%,' + Math.round(58 - 18 * t) + '%)');
    }
  }

  // ---------- scene preparation ----------
  // Flat typed arrays keep the per-frame culling loop cheap.
  function prepare(sc) {
    const n = sc.nodes.length, ne = sc.edges.length;
    sc.byId = new Map();
    sc.nx = new Float64Array(n); sc.ny = new Float64Array(n); sc.nw = new Float64Array(n); sc.nh = new Float64Array(n);
    sc.ncat = new Uint8Array(n);
    let maxMacs = 0;
    for (let i = 0; i < n; i++) {
      const b = sc.nodes[i];
      sc.byId.set(b.id, i);
      sc.nx[i] = b.x; sc.ny[i] = b.y; sc.nw[i] = b.width; sc.nh[i] = b.height;
      let c = CATS.indexOf(b.kind === 'group' ? 'group' : (b.kind === 'input' || b.kind === 'output') ? 'io' : (b.category || 'unknown'));
      if (c < 0) c = CATS.indexOf('unknown');
      sc.ncat[i] = c;
      if (b.macs > maxMacs) maxMacs = b.macs;
    }
    st.maxMacs = maxMacs;
    sc.ex0 = new Float64Array(ne); sc.ey0 = new Float64Array(ne); sc.ex1 = new Float64Array(ne); sc.ey1 = new Float64Array(ne);
    for (let i = 0; i < ne; i++) {
      const p = sc.edges[i].points || [];
      let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (const q of p) { if (q[0] < x0) x0 = q[0]; if (q[0] > x1) x1 = q[0]; if (q[1] < y0) y0 = q[1]; if (q[1] > y1) y1 = q[1]; }
      sc.ex0[i] = x0; sc.ey0[i] = y0; sc.ex1[i] = x1; sc.ey1[i] = y1;
    }
    sc.groupById = new Map();
    (sc.groups || []).forEach((g, i) => sc.groupById.set(g.id, i));
    sc.gEnter = groupEntries(sc);
    sc.visN = new Int32Array(n); sc.visE = new Int32Array(ne);
    sc.overview = null;
    return sc;
  }
  // groupEntries lists, per group, the x where edges cross its top border
  // into it (to a box inside it or in a group nested in it), so the
  // title's extra text can stop short of them.
  function groupEntries(sc) {
    const gs = sc.groups || [], out = gs.map(() => []);
    for (const e of sc.edges) {
      const p = e.points, bi = sc.byId.get(e.to);
      if (!p || p.length < 2 || bi === undefined) continue;
      let gi = sc.groupById.get(sc.nodes[bi].group);
      for (let depth = 0; gi !== undefined && depth < 64; depth++) {
        const g = gs[gi];
        for (let q = 1; q < p.length; q++) {
          const [x0, y0] = p[q - 1], [x1, y1] = p[q];
          if ((y0 - g.y) * (y1 - g.y) > 0 || y0 === y1) continue;
          const x = x0 + (x1 - x0) * (g.y - y0) / (y1 - y0);
          if (x >= g.x && x <= g.x + g.width) out[gi].push(x);
        }
        gi = sc.groupById.get(g.parent);
      }
    }
    return out;
  }
  // titleX is where a group's title starts: label_x, which the layout
  // moves clear of entering edges, or the padded left edge when label_x
  // is missing or outside the group (as render/draw.go titleX).
  function titleX(g) {
    const lx = g.label_x;
    return Number.isFinite(lx) && lx >= g.x && lx < g.x + g.width - M.padX ? lx : g.x + M.padX;
  }
  // groupTitle lays out group gi's title: where it starts, its text and
  // lim, where the first edge entering the group right of it (or the
  // right padding) stops it. The layout reserves room for the label
  // alone, so the ▾ is dropped where it would reach that edge.
  function groupTitle(sc, gi) {
    const g = sc.groups[gi], x = titleX(g);
    let lim = g.x + g.width - M.padX;
    for (const ex of sc.gEnter[gi]) if (ex > x && ex - 4 < lim) lim = ex - 4;
    let text = '▾ ' + g.label;
    if (measure(0, text) > lim - x) text = g.label;
    return { x, text, lim };
  }
  function heatIndex(macs) {
    if (!macs || st.maxMacs <= 0) return -1;
    const t = Math.log1p(macs) / Math.log1p(st.maxMacs);
    return Math.min(7, Math.max(0, Math.floor(t * 8)));
  }
  function boxColor(sc, i) {
    if (st.heat) {
      const b = sc.nodes[i];
      if (b.kind === 'input' || b.kind === 'output') return st.colors.cat[sc.ncat[i]];
      const h = heatIndex(b.macs);
      return h < 0 ? st.colors.line : st.heatColors[h];
    }
    return st.colors.cat[sc.ncat[i]];
  }

  // ---------- view transform ----------
  // resize keeps the world point at the centre of the canvas in place, so
  // opening the side panel does not shift the graph.
  function resize() {
    const r = canvas.getBoundingClientRect();
    if (st.w > 1 && r.width > 1) {
      st.tx += (r.width - st.w) / 2;
      st.ty += (r.height - st.h) / 2;
    }
    st.dpr = window.devicePixelRatio || 1;
    st.w = Math.max(1, r.width); st.h = Math.max(1, r.height);
    canvas.width = Math.round(st.w * st.dpr);
    canvas.height = Math.round(st.h * st.dpr);
    invalidate();
  }
  function fit() {
    const sc = st.scene;
    if (!sc) return;
    const pad = 24;
    const k = Math.min((st.w - 2 * pad) / Math.max(sc.width, 1), (st.h - 2 * pad) / Math.max(sc.height, 1), 1.5);
    st.k = Math.max(k, 1e-4);
    st.tx = (st.w - sc.width * st.k) / 2;
    st.ty = Math.max(pad, (st.h - sc.height * st.k) / 2);
    if (sc.height * st.k > st.h - 2 * pad) st.ty = pad;
    invalidate(); saveHashSoon();
  }
  function zoomAt(f, sx, sy) {
    const k = Math.min(8, Math.max(1e-4, st.k * f));
    f = k / st.k;
    st.tx = sx - (sx - st.tx) * f;
    st.ty = sy - (sy - st.ty) * f;
    st.k = k;
    invalidate(); saveHashSoon();
  }
  function centerOn(x, y, k) {
    if (k) st.k = k;
    st.tx = st.w / 2 - x * st.k;
    st.ty = st.h / 2 - y * st.k;
    invalidate(); saveHashSoon();
  }
  // firstView fits small graphs; a graph that would be drawn unreadably
  // small is shown from its top (inputs) at a readable scale instead,
  // like a document. 0 (fit) still shows it all.
  function firstView() {
    const sc = st.scene;
    if (!sc) return;
    fit();
    if (st.k >= 0.5) return;
    st.k = Math.min(1, Math.max(0.5, (st.w - 48) / Math.max(sc.width, 1)));
    st.tx = sc.width * st.k <= st.w ? (st.w - sc.width * st.k) / 2 : 24;
    st.ty = 24;
    invalidate(); saveHashSoon();
  }
  const toWorld = (sx, sy) => [(sx - st.tx) / st.k, (sy - st.ty) / st.k];

  // ---------- drawing ----------
  function invalidate() {
    if (!st.dirty) { st.dirty = true; requestAnimationFrame(frame); }
  }
  let firstFrameCb = null;
  function frame() {
    st.dirty = false;
    draw();
    drawMinimap();
    if (firstFrameCb) { const cb = firstFrameCb; firstFrameCb = null; cb(); }
  }

  function roundRect(c, x, y, w, h, r) {
    r = Math.min(r, w / 2, h / 2);
    c.moveTo(x + r, y);
    c.arcTo(x + w, y, x + w, y + h, r);
    c.arcTo(x + w, y + h, x, y + h, r);
    c.arcTo(x, y + h, x, y, r);
    c.arcTo(x, y, x + w, y, r);
    c.closePath();
  }

  function draw() {
    const sc = st.scene, C = st.colors;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = C.bg;
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    if (!sc) return;
    const k = st.k, dpr = st.dpr;
    ctx.setTransform(k * dpr, 0, 0, k * dpr, st.tx * dpr, st.ty * dpr);
    const [vx0, vy0] = toWorld(0, 0);
    const [vx1, vy1] = toWorld(st.w, st.h);
    const px = 1 / k; // one CSS pixel in world units

    // Far zoomed out on a big graph, every box is a few pixels: blit the
    // bitmap drawn once per scene instead of thousands of rectangles.
    const cache = sc.nodes.length >= CACHE_MIN_BOXES ? overviewCache(sc) : null;
    if (cache && k * dpr <= cache.kc * 1.5) {
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(cache.canvas, 0, 0, sc.width, sc.height);
      drawOverlays(sc, px);
      $('zoomlabel').textContent = Math.round(k * 100) + '%  ·  ' + sc.nodes.length + ' boxes, ' + sc.edges.length + ' edges';
      return;
    }

    // Groups (expanded modules), outermost first.
    const groups = sc.groups || [];
    const textOK = k * M.font >= 5; // text smaller than this is unreadable: skip it
    for (let gi = 0; gi < groups.length; gi++) {
      const g = groups[gi];
      if (g.x > vx1 || g.y > vy1 || g.x + g.width < vx0 || g.y + g.height < vy0) continue;
      ctx.beginPath();
      roundRect(ctx, g.x, g.y, g.width, g.height, 8);
      ctx.fillStyle = C['group-fill']; ctx.fill();
      ctx.lineWidth = px; ctx.strokeStyle = C['group-line']; ctx.stroke();
      if (textOK && g.width * k > 30) {
        // The title at label_x, then its op and param counts when they
        // fit before the group's right padding and the first edge that
        // enters the group right of the title.
        const T = groupTitle(sc, gi), right = g.x + g.width - M.padX;
        let t = T.text;
        const more = (g.ops ? '  · ' + g.ops + ' ops' : '') + (g.params ? ' · ' + fmtInt(g.params) + ' params' : '');
        if (more && measure(0, t + more) < T.lim - T.x) t += more;
        qtext(0, T.x, g.y + M.groupLabel / 2 + 1, t, right - T.x, C['group-title'], false);
      }
    }

    // Cull nodes.
    const n = sc.nodes.length;
    const visN = sc.visN;
    let nv = 0;
    const nx = sc.nx, ny = sc.ny, nw = sc.nw, nh = sc.nh;
    for (let i = 0; i < n; i++) {
      if (nx[i] > vx1 || ny[i] > vy1 || nx[i] + nw[i] < vx0 || ny[i] + nh[i] < vy0) continue;
      visN[nv++] = i;
    }
    // Edges: skipped when boxes are tiny (they would be a grey smear).
    const ne = sc.edges.length;
    let ev = 0;
    const drawEdges = k >= 0.04 || ne < 2000;
    if (drawEdges) {
      const visE = sc.visE;
      for (let i = 0; i < ne; i++) {
        if (sc.ex0[i] > vx1 || sc.ey0[i] > vy1 || sc.ex1[i] < vx0 || sc.ey1[i] < vy0) continue;
        visE[ev++] = i;
      }
      const lw = Math.max(px, Math.min(1.2, 1.2 * px * 1.5));
      ctx.strokeStyle = C.edge;
      // Data edges solid; module-order edges (module trees without
      // operators) dashed, thinner and fainter, as render/draw.go does.
      for (const order of [false, true]) {
        ctx.beginPath();
        let any = false;
        for (let j = 0; j < ev; j++) {
          const e = sc.edges[visE[j]], p = e.points;
          if (!p || p.length < 2 || !e.order !== !order) continue;
          ctx.moveTo(p[0][0], p[0][1]);
          for (let q = 1; q < p.length; q++) ctx.lineTo(p[q][0], p[q][1]);
          any = true;
        }
        if (!any) continue;
        if (order) {
          ctx.lineWidth = lw * 0.8; ctx.globalAlpha = 0.6;
          if (k > 0.25) ctx.setLineDash([4, 3]);
        } else ctx.lineWidth = lw;
        ctx.stroke();
        ctx.setLineDash([]); ctx.globalAlpha = 1;
      }
      if (k > 0.25) {
        // Arrowheads, in one path; module order has none.
        ctx.fillStyle = C.edge;
        ctx.beginPath();
        const a = 7;
        for (let j = 0; j < ev; j++) {
          const p = sc.edges[visE[j]].points;
          if (!p || p.length < 2 || sc.edges[visE[j]].order) continue;
          const [x1, y1] = p[p.length - 1], [x0, y0] = p[p.length - 2];
          const d = Math.hypot(x1 - x0, y1 - y0) || 1;
          const ux = (x1 - x0) / d, uy = (y1 - y0) / d;
          ctx.moveTo(x1, y1);
          ctx.lineTo(x1 - a * ux - a * 0.45 * uy, y1 - a * uy + a * 0.45 * ux);
          ctx.lineTo(x1 - a * ux + a * 0.45 * uy, y1 - a * uy - a * 0.45 * ux);
          ctx.closePath();
        }
        ctx.fill();
      }
      if (k * M.edgeFont >= 6) {
        const L = edgeLabels(sc);
        for (let j = 0; j < ev; j++) {
          const i = visE[j];
          if (L.show[i]) qtext(3, L.x[i], L.y[i], sc.edges[i].label, 0, C.muted, true);
        }
      }
    }

    // Boxes. Level of detail: below ~10 px tall a box is a flat rectangle in
    // its category colour, batched into one fill per colour.
    const detail = k * M.header >= 10;
    if (!detail) {
      const buckets = new Map();
      for (let j = 0; j < nv; j++) {
        const i = visN[j];
        const col = boxColor(sc, i);
        let arr = buckets.get(col);
        if (!arr) buckets.set(col, arr = []);
        arr.push(i);
      }
      for (const [col, arr] of buckets) {
        ctx.fillStyle = col;
        ctx.beginPath();
        for (const i of arr) ctx.rect(nx[i], ny[i], nw[i], nh[i]);
        ctx.fill();
      }
    } else {
      ctx.lineWidth = px;
      for (let j = 0; j < nv; j++) drawBox(sc, visN[j], textOK);
    }

    flushText();
    drawOverlays(sc, px);
    $('zoomlabel').textContent = Math.round(k * 100) + '%  ·  ' + sc.nodes.length + ' boxes, ' + sc.edges.length + ' edges';
  }

  // Text is queued in world coordinates and drawn after the shapes in
  // screen space at whole device-pixel sizes. At a zoom that changes every
  // frame the glyph cache then keeps hitting, where text drawn through the
  // world transform would be rasterised afresh each frame.
  const TQ = []; // flat records: font, x, y, text, max width, colour, centred
  const TFONTS = [['bold ', M.font], ['bold ', M.rowFont], ['', M.rowFont], ['', M.edgeFont]];
  function qtext(f, x, y, text, maxW, color, center) { TQ.push(f, x, y, text, maxW, color, center); }
  function flushText() {
    const k = st.k, dpr = st.dpr;
    if (!TQ.length) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.textBaseline = 'middle';
    for (let f = 0; f < TFONTS.length; f++) {
      const size = Math.round(TFONTS[f][1] * k * dpr) / dpr;
      ctx.font = TFONTS[f][0] + size + 'px ' + FONT;
      let color = null, center = null;
      for (let i = 0; i < TQ.length; i += 7) {
        if (TQ[i] !== f) continue;
        if (TQ[i + 5] !== color) { color = TQ[i + 5]; ctx.fillStyle = color; }
        if (TQ[i + 6] !== center) { center = TQ[i + 6]; ctx.textAlign = center ? 'center' : 'left'; }
        const sx = TQ[i + 1] * k + st.tx, sy = TQ[i + 2] * k + st.ty, mw = TQ[i + 4];
        if (mw > 0) ctx.fillText(TQ[i + 3], sx, sy, mw * k); else ctx.fillText(TQ[i + 3], sx, sy);
      }
    }
    ctx.textAlign = 'left';
    TQ.length = 0;
    ctx.setTransform(k * dpr, 0, 0, k * dpr, st.tx * dpr, st.ty * dpr);
  }
  // measure gives a text's width in world units, memoised (keys and group
  // titles repeat).
  const mcanvas = document.createElement('canvas').getContext('2d');
  const mcache = new Map();
  function measure(f, text) {
    const key = f + '\u0000' + text;
    let w = mcache.get(key);
    if (w === undefined) {
      mcanvas.font = TFONTS[f][0] + TFONTS[f][1] + 'px ' + FONT;
      w = mcanvas.measureText(text).width;
      if (mcache.size > 50000) mcache.clear();
      mcache.set(key, w);
    }
    return w;
  }

  // edgeLabels lists, once per scene, the edge labels to draw and where:
  // where the layout put them, as the static renderer does (view labels a
  // fanned-out tensor once; the engine keeps labels clear of edges and of
  // each other).
  function edgeLabels(sc) {
    if (sc.labels) return sc.labels;
    const ne = sc.edges.length;
    const L = { show: new Uint8Array(ne), x: new Float64Array(ne), y: new Float64Array(ne) };
    for (let i = 0; i < ne; i++) {
      const e = sc.edges[i];
      if (!e.label || e.label_x == null || !(e.label_x || e.label_y)) continue;
      L.show[i] = 1; L.x[i] = e.label_x; L.y[i] = e.label_y;
    }
    sc.labels = L;
    return L;
  }

  // Search hits and selection, on top of everything.
  function drawOverlays(sc, px) {
    const C = st.colors, nx = sc.nx, ny = sc.ny, nw = sc.nw, nh = sc.nh;
    if (st.hits && st.hits.size) {
      ctx.strokeStyle = C.hit; ctx.lineWidth = Math.max(3 * px, 2);
      ctx.beginPath();
      for (const id of st.hits) {
        const i = sc.byId.get(id);
        if (i != null) ctx.rect(nx[i] - 3 * px, ny[i] - 3 * px, nw[i] + 6 * px, nh[i] + 6 * px);
      }
      ctx.stroke();
    }
    const s = st.sel;
    if (s) {
      ctx.strokeStyle = C.select; ctx.lineWidth = 2.5 * px;
      if (s.box != null && sc.byId.has(s.box)) {
        const i = sc.byId.get(s.box);
        ctx.strokeRect(nx[i] - 2 * px, ny[i] - 2 * px, nw[i] + 4 * px, nh[i] + 4 * px);
      }
      if (s.edge != null && sc.edges[s.edge]) {
        const p = sc.edges[s.edge].points;
        ctx.beginPath(); ctx.moveTo(p[0][0], p[0][1]);
        for (let q = 1; q < p.length; q++) ctx.lineTo(p[q][0], p[q][1]);
        ctx.stroke();
      }
    }
  }

  // overviewCache draws the whole scene once into a bitmap of at most
  // 4096 px a side and 8 Mpx, as flat boxes (edges are not drawn that far
  // out either). Rebuilt when the scene, heat map or theme changes.
  const CACHE_MIN_BOXES = 3000;
  function overviewCache(sc) {
    if (sc.cache !== undefined && sc.cacheHeat === st.heat) return sc.cache;
    sc.cacheHeat = st.heat;
    const kc = Math.min(4096 / sc.width, 4096 / sc.height, Math.sqrt(8e6 / Math.max(1, sc.width * sc.height)));
    if (kc * M.header >= 10) { sc.cache = null; return null; } // detail level: never cached
    const c = document.createElement('canvas');
    c.width = Math.max(1, Math.ceil(sc.width * kc));
    c.height = Math.max(1, Math.ceil(sc.height * kc));
    const o = c.getContext('2d');
    o.setTransform(kc, 0, 0, kc, 0, 0);
    o.fillStyle = st.colors.bg;
    o.fillRect(0, 0, sc.width, sc.height);
    for (const g of sc.groups || []) {
      o.fillStyle = st.colors['group-fill']; o.fillRect(g.x, g.y, g.width, g.height);
      o.strokeStyle = st.colors['group-line']; o.lineWidth = 1 / kc; o.strokeRect(g.x, g.y, g.width, g.height);
    }
    if (sc.edges.length < 2000 || kc >= 0.04) {
      // As the live drawing does at this scale: hairline edges.
      o.strokeStyle = st.colors.edge; o.lineWidth = 1 / kc;
      for (const order of [false, true]) {
        o.globalAlpha = order ? 0.6 : 1; // module order: faint
        o.beginPath();
        for (const e of sc.edges) {
          const p = e.points;
          if (!p || p.length < 2 || !e.order !== !order) continue;
          o.moveTo(p[0][0], p[0][1]);
          for (let q = 1; q < p.length; q++) o.lineTo(p[q][0], p[q][1]);
        }
        o.stroke();
      }
      o.globalAlpha = 1;
    }
    const buckets = new Map();
    for (let i = 0; i < sc.nodes.length; i++) {
      const col = boxColor(sc, i);
      let arr = buckets.get(col);
      if (!arr) buckets.set(col, arr = []);
      arr.push(i);
    }
    const min = 1 / kc;
    for (const [col, arr] of buckets) {
      o.fillStyle = col;
      o.beginPath();
      for (const i of arr) o.rect(sc.nx[i], sc.ny[i], Math.max(sc.nw[i], min), Math.max(sc.nh[i], min));
      o.fill();
    }
    sc.cache = { canvas: c, kc };
    return sc.cache;
  }

  function drawBox(sc, i, textOK) {
    const b = sc.nodes[i], C = st.colors;
    const x = b.x, y = b.y, w = b.width, h = b.height, k = st.k;
    const col = boxColor(sc, i);
    if (b.kind === 'input' || b.kind === 'output') {
      ctx.beginPath(); roundRect(ctx, x, y, w, h, h / 2);
      ctx.fillStyle = col; ctx.fill();
      if (textOK) qtext(0, x + w / 2, y + h / 2 + 1, b.label, w - 8, C['head-text'], true);
      return;
    }
    const hh = Math.min(M.header, h);
    ctx.beginPath(); roundRect(ctx, x, y, w, h, 4);
    ctx.fillStyle = C['box-fill']; ctx.fill();
    ctx.strokeStyle = b.kind === 'group' ? col : C['box-line']; ctx.stroke();
    ctx.beginPath(); roundRect(ctx, x, y, w, hh, 4);
    if (h > hh) { ctx.rect(x, y + hh / 2, w, hh / 2); }
    ctx.fillStyle = col; ctx.fill();
    if (!textOK) return;
    qtext(0, x + M.padX, y + hh / 2 + 1, (b.kind === 'group' ? '▸ ' : '') + b.label, w - 2 * M.padX, C['head-text'], false);
    if (b.rows && k * M.rowFont >= 5) {
      let ry = y + hh + M.row / 2;
      for (const r of b.rows) {
        if (ry > y + h) break;
        let tx = x + M.padX;
        if (r.key) {
          qtext(1, tx, ry, r.key, 0, C['box-text'], false);
          tx += measure(1, r.key) + M.keyGap;
        }
        qtext(2, tx, ry, r.value, Math.max(4, x + w - M.padX - tx), C['box-text'], false);
        ry += M.row;
      }
    }
  }

  // needsMinimap: the graph does not fit the canvas at a readable zoom
  // (boxes' text at least ~8 px), or runs well past it at the current
  // zoom. A 60-box but very tall strip needs one as much as 3,000 boxes.
  function needsMinimap(sc) {
    if (sc.nodes.length < 2) return false;
    const readable = 0.5;
    const k = Math.max(st.k, readable);
    return sc.width * k > st.w * 1.5 || sc.height * k > st.h * 1.5;
  }
  // The minimap shows the whole graph from a bitmap drawn once per scene.
  function drawMinimap() {
    const sc = st.scene;
    if (!sc || !needsMinimap(sc)) { mini.hidden = true; return; }
    mini.hidden = false;
    // The minimap takes the graph's shape: a tall graph gets a tall strip.
    const maxH = Math.min(300, st.h - 40), maxW = 220;
    const ar = sc.width / Math.max(1, sc.height);
    let cw = Math.max(48, Math.min(maxW, maxH * ar)), ch = Math.max(48, Math.min(maxH, cw / ar));
    if (mini.style.width !== cw + 'px') { mini.style.width = cw + 'px'; mini.style.height = ch + 'px'; }
    const W = Math.round(cw * st.dpr), H = Math.round(ch * st.dpr);
    if (mini.width !== W || mini.height !== H) { mini.width = W; mini.height = H; sc.overview = null; }
    const mk = Math.min(W / sc.width, H / sc.height);
    const ox = (W - sc.width * mk) / 2, oy = (H - sc.height * mk) / 2;
    if (!sc.overview || sc.overviewHeat !== st.heat) {
      const off = document.createElement('canvas');
      off.width = W; off.height = H;
      const o = off.getContext('2d');
      o.setTransform(mk, 0, 0, mk, ox, oy);
      for (const g of sc.groups || []) { o.fillStyle = st.colors['group-fill']; o.fillRect(g.x, g.y, g.width, g.height); }
      const minW = 1 / mk;
      for (let i = 0; i < sc.nodes.length; i++) {
        o.fillStyle = boxColor(sc, i);
        o.fillRect(sc.nx[i], sc.ny[i], Math.max(sc.nw[i], minW), Math.max(sc.nh[i], minW));
      }
      sc.overview = off; sc.overviewHeat = st.heat;
      sc.mini = { mk, ox, oy };
    }
    mctx.setTransform(1, 0, 0, 1, 0, 0);
    mctx.clearRect(0, 0, W, H);
    mctx.drawImage(sc.overview, 0, 0);
    const [x0, y0] = toWorld(0, 0), [x1, y1] = toWorld(st.w, st.h);
    mctx.strokeStyle = st.colors.select; mctx.lineWidth = 1.5 * st.dpr;
    // Clamped to the minimap, so a view wider than a tall strip (or taller
    // than a wide one) still shows as a closed frame.
    const lw = mctx.lineWidth / 2;
    const rx0 = Math.max(lw, ox + x0 * mk), ry0 = Math.max(lw, oy + y0 * mk);
    const rx1 = Math.min(W - lw, ox + x1 * mk), ry1 = Math.min(H - lw, oy + y1 * mk);
    if (rx1 > rx0 && ry1 > ry0) mctx.strokeRect(rx0, ry0, rx1 - rx0, ry1 - ry0);
  }
  function miniNavigate(ev) {
    const sc = st.scene;
    if (!sc || !sc.mini) return;
    const r = mini.getBoundingClientRect();
    const { mk, ox, oy } = sc.mini;
    const x = ((ev.clientX - r.left) * st.dpr - ox) / mk, y = ((ev.clientY - r.top) * st.dpr - oy) / mk;
    centerOn(x, y);
  }

  // ---------- hit testing ----------
  function hitBox(wx, wy) {
    const sc = st.scene;
    for (let i = sc.nodes.length - 1; i >= 0; i--) {
      if (wx >= sc.nx[i] && wy >= sc.ny[i] && wx <= sc.nx[i] + sc.nw[i] && wy <= sc.ny[i] + sc.nh[i]) return i;
    }
    return -1;
  }
  // hitGroupTitle finds the group whose title text (as drawn) is under
  // the point, with a few units of slack; the rest of the title band is
  // left to the edges entering there.
  function hitGroupTitle(wx, wy) {
    const sc = st.scene, gs = sc.groups || [];
    for (let i = gs.length - 1; i >= 0; i--) {
      const g = gs[i];
      if (wy < g.y || wy > g.y + M.groupLabel) continue;
      const T = groupTitle(sc, i);
      const end = Math.min(T.lim, T.x + measure(0, T.text) + 4);
      if (wx >= Math.max(g.x, T.x - 4) && wx <= end) return g;
    }
    return null;
  }
  function hitEdge(wx, wy) {
    const sc = st.scene, tol = 5 / st.k;
    let best = -1, bd = tol;
    for (let i = 0; i < sc.edges.length; i++) {
      if (wx < sc.ex0[i] - tol || wx > sc.ex1[i] + tol || wy < sc.ey0[i] - tol || wy > sc.ey1[i] + tol) continue;
      const p = sc.edges[i].points;
      for (let q = 1; q < p.length; q++) {
        const d = segDist(wx, wy, p[q - 1][0], p[q - 1][1], p[q][0], p[q][1]);
        if (d < bd) { bd = d; best = i; }
      }
    }
    return best;
  }
  function segDist(px, py, ax, ay, bx, by) {
    const dx = bx - ax, dy = by - ay, l = dx * dx + dy * dy;
    let t = l ? ((px - ax) * dx + (py - ay) * dy) / l : 0;
    t = Math.max(0, Math.min(1, t));
    return Math.hypot(px - ax - t * dx, py - ay - t * dy);
  }

  function onClick(sx, sy) {
    if (!st.scene) return;
    const [wx, wy] = toWorld(sx, sy);
    const i = hitBox(wx, wy);
    if (i >= 0) {
      const b = st.scene.nodes[i];
      if (b.kind === 'group') { expandGroups([b.id], b.id); return; }
      selectBox(b);
      return;
    }
    const g = hitGroupTitle(wx, wy);
    if (g) { collapseGroup(g.id); return; }
    const e = hitEdge(wx, wy);
    if (e >= 0) { selectEdge(e); return; }
    clearSelection();
  }

  // ---------- selection and panel ----------
  function clearSelection() {
    st.sel = null;
    $('properties').hidden = true;
    invalidate(); saveHashSoon(); updateCrumbs();
  }
  function boxOfNode(graph, node) {
    const sc = st.scene;
    for (const b of sc.nodes) if (b.node === node && (b.graph || '') === (graph || '') && b.kind === 'op') return b;
    return null;
  }
  function selectBox(b, tensor) {
    if (b.kind === 'op' && b.node < 0 && b.id.startsWith('m:')) {
      // A module of a module tree (state dicts): no operator behind it.
      st.sel = { box: b.id, module: b.name || '' };
      showModule(b.name || '');
    } else if (b.kind === 'input' || b.kind === 'output') {
      st.sel = { box: b.id, tensor: { graph: b.graph || '', name: b.name || b.label } };
      showTensor(b.graph || '', b.name || b.label);
    } else {
      st.sel = { box: b.id, node: { graph: b.graph || '', node: b.node } };
      if (tensor) st.sel.focus = tensor;
      showNode(b.graph || '', b.node, tensor);
    }
    invalidate(); saveHashSoon(); updateCrumbs();
  }
  function edgeGraph(e) {
    const sc = st.scene;
    for (const id of [e.from, e.to]) {
      const i = sc.byId.get(id);
      if (i != null && sc.nodes[i].kind !== 'group') return sc.nodes[i].graph || '';
    }
    return '';
  }
  function selectEdge(i) {
    const e = st.scene.edges[i];
    st.sel = { edge: i, tensor: { graph: edgeGraph(e), name: e.value || '' } };
    if (e.value) showTensor(edgeGraph(e), e.value);
    else if (e.order) openPanel([el('h2', { text: 'Module order' }), el('div', { cls: 'sub', text: e.from + ' → ' + e.to }),
      el('p', { text: 'The file has no operators: modules are chained in file order, not by data flow.' })]);
    else openPanel([el('h2', { text: 'Connection' }), el('div', { cls: 'sub', text: e.from + ' → ' + e.to })]);
    invalidate(); saveHashSoon();
  }
  function openPanel(children) {
    $('props').replaceChildren(...children);
    $('properties').hidden = false;
    resizeSoon();
  }
  function row(k, v) {
    return el('tr', null, el('td', { text: k }), v && v.nodeType ? el('td', null, v) : el('td', { text: v == null ? '' : String(v) }));
  }
  function nodeLink(r) {
    return el('span', { cls: 'link', text: (r.name || '(unnamed)') + ' : ' + r.op, onclick: () => revealNode(r.graph, r.node) });
  }

  async function showNode(graph, node, focus) {
    const seq = ++st.panelSeq;
    let n;
    try {
      n = await api(mpath('/node?graph=' + encodeURIComponent(graph) + '&node=' + node));
    } catch (err) { if (seq === st.panelSeq) openPanel([el('h2', { text: 'Node' }), el('div', { cls: 'warn', text: err.message })]); return; }
    if (seq !== st.panelSeq) return;
    const kids = [];
    const opEl = n.doc_url ? el('a', { href: n.doc_url, target: '_blank', rel: 'noopener noreferrer', text: n.op }) : el('span', { text: n.op });
    kids.push(el('h2', { text: n.name || '(unnamed ' + n.op + ')' }));
    kids.push(el('div', { cls: 'sub' }, opEl, n.domain ? ' · ' + n.domain : '', ' · ' + n.category));
    const t = el('table');
    if (n.graph_path && n.graph_path.length) t.append(row('graph', n.graph_path.join(' › ')));
    if (n.group.length) t.append(row('group', n.group.join(' › ')));
    if (n.function) t.append(row('function', n.function));
    if (n.cost && (n.cost.params || n.cost.macs)) {
      t.append(row('params', fmtInt(n.cost.params)));
      t.append(row('MACs', fmtInt(n.cost.macs)));
    }
    if (n.cost && n.cost.activation_bytes) t.append(row('output', fmtBytes(n.cost.activation_bytes)));
    kids.push(t);
    if (n.doc) kids.push(el('p', { cls: 'sub', text: n.doc }));
    if (n.attributes.length) {
      kids.push(el('h3', { text: 'Attributes' }));
      const at = el('table');
      for (const a of n.attributes) at.append(row(a.name, el('span', { cls: 'mono', text: a.value })));
      kids.push(at);
    }
    const ios = (title, list) => {
      if (!list.length) return;
      kids.push(el('h3', { text: title }));
      for (const v of list) {
        if (v.weight) { kids.push(weightBlock(graph, v, focus === v.name)); continue; }
        const tb = el('table');
        tb.append(row(v.slot || '·', el('span', null, v.name ? el('span', { cls: 'link mono', text: v.name, onclick: () => showTensor(graph, v.name) }) : '', ' ', el('span', { cls: 'mono', text: v.type }))));
        kids.push(tb);
      }
    };
    ios('Inputs', n.inputs);
    ios('Outputs', n.outputs);
    openPanel(kids);
  }

  // weightBlock shows a stored tensor: header now, values when fetched.
  function weightBlock(graph, v, focus) {
    const w = v.weight;
    const box = el('div', { cls: 'weight' });
    box.append(el('div', null, el('b', { text: (v.slot ? v.slot + ' ' : '') }), el('span', { cls: 'mono', text: v.name })));
    const t = el('table');
    t.append(row('type', el('span', { cls: 'mono', text: w.dtype + '[' + w.shape + ']' })));
    t.append(row('shape', w.shape));
    t.append(row('bytes', fmtBytes(w.bytes)));
    if (w.location === 'external') t.append(row('file', w.external));
    if (w.quant) t.append(row('quant', w.quant));
    if (w.warning) t.append(row('warning', el('span', { cls: 'warn', text: w.warning })));
    box.append(t);
    if (w.numeric) {
      const more = el('div', { text: 'loading values…', cls: 'sub' });
      box.append(more);
      loadTensor(graph, v.name, more);
      if (focus) setTimeout(() => box.scrollIntoView({ block: 'nearest' }), 0);
    }
    return box;
  }

  async function loadTensor(graph, name, into) {
    const q = '?graph=' + encodeURIComponent(graph) + '&name=' + encodeURIComponent(name);
    let d;
    try { d = await api(mpath('/tensor' + q + '&limit=256')); } catch (err) { into.replaceChildren(el('span', { cls: 'warn', text: err.message })); into.className = ''; return; }
    const s = d.stats;
    const t = el('table');
    t.append(row('min', fmtNum(s.min)), row('max', fmtNum(s.max)), row('mean', fmtNum(s.mean)), row('std', fmtNum(s.std)),
      row('sparsity', (100 * s.sparsity).toFixed(2) + ' %'));
    if (s.nan) t.append(row('NaN', s.nan));
    if (s.inf) t.append(row('Inf', s.inf));
    const h = el('canvas', { cls: 'hist', title: 'histogram of ' + s.count + ' values' });
    // Each value is its own unbreakable item, so lines wrap only between
    // numbers, never inside one. textContent stays "a, b, c".
    const vals = el('div', { cls: 'values mono' });
    const addVals = (vs) => {
      const f = document.createDocumentFragment();
      vs.forEach((v, i) => {
        if (i || vals.firstChild) f.append(', ');
        f.append(el('span', { text: fmtNum(v) }));
      });
      vals.append(f);
    };
    addVals(d.values);
    const count = el('div', { cls: 'sub', text: 'first ' + d.values.length + ' of ' + d.total + ' values' });
    const dl = el('a', { href: mpath('/tensor.npy' + q), download: name.replace(/[^\w.-]/g, '_') + '.npy', text: 'Download .npy' });
    // Values come in pages; "more" fetches the next one.
    let shown = d.values.length;
    const more = el('span', { cls: 'link', text: 'more values', hidden: shown < d.total ? null : '' });
    more.addEventListener('click', async () => {
      try {
        const p = await api(mpath('/tensor' + q + '&offset=' + shown + '&limit=1000'));
        addVals(p.values);
        shown += p.values.length;
        count.textContent = 'first ' + shown + ' of ' + d.total + ' values';
        more.hidden = shown >= d.total;
      } catch (err) { more.replaceWith(el('span', { cls: 'warn', text: err.message })); }
    });
    into.className = '';
    into.replaceChildren(t, h, count, vals, el('div', null, more, ' ', dl));
    requestAnimationFrame(() => drawHist(h, s));
  }
  function drawHist(c, s) {
    const r = c.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    c.width = Math.max(1, Math.round(r.width * dpr)); c.height = Math.max(1, Math.round(r.height * dpr));
    const g = c.getContext('2d');
    const hs = s.histogram || [];
    const mx = Math.max(1, ...hs);
    const bw = c.width / Math.max(1, hs.length);
    g.fillStyle = st.colors.accent;
    hs.forEach((v, i) => { const hh = (v / mx) * (c.height - 2); g.fillRect(i * bw + 0.5, c.height - hh, Math.max(1, bw - 1), hh); });
  }

  async function showTensor(graph, name) {
    const seq = ++st.panelSeq;
    let v;
    try { v = await api(mpath('/value?graph=' + encodeURIComponent(graph) + '&name=' + encodeURIComponent(name))); } catch (err) {
      if (seq === st.panelSeq) openPanel([el('h2', { text: name }), el('div', { cls: 'warn', text: err.message })]); return;
    }
    if (seq !== st.panelSeq) return;
    const kids = [el('h2', { text: v.name }), el('div', { cls: 'sub' }, 'tensor', v.role ? ' · ' + v.role : '')];
    const t = el('table');
    t.append(row('type', el('span', { cls: 'mono', text: v.type })));
    if (v.shape) t.append(row('shape', v.shape));
    t.append(row('producer', v.producer ? nodeLink(v.producer) : (v.role || '—')));
    kids.push(t);
    kids.push(el('h3', { text: 'Consumers (' + v.consumers.length + ')' }));
    const ul = el('ul');
    for (const c of v.consumers.slice(0, 200)) ul.append(el('li', null, nodeLink(c)));
    kids.push(ul);
    if (v.weight) kids.push(weightBlock(graph, v, true));
    openPanel(kids);
  }

  async function showModule(path) {
    const seq = ++st.panelSeq;
    let m;
    try { m = await api(mpath('/module?path=' + encodeURIComponent(path))); } catch (err) {
      if (seq === st.panelSeq) openPanel([el('h2', { text: path }), el('div', { cls: 'warn', text: err.message })]); return;
    }
    if (seq !== st.panelSeq) return;
    const kids = [el('h2', { text: m.path || '(root)' }), el('div', { cls: 'sub', text: 'module' + (m.type ? ' · ' + m.type : '') })];
    const t = el('table');
    t.append(row('params', fmtInt(m.params)));
    kids.push(t);
    if (m.attributes.length) {
      kids.push(el('h3', { text: 'Attributes' }));
      const at = el('table');
      for (const a of m.attributes) at.append(row(a.name, el('span', { cls: 'mono', text: a.value })));
      kids.push(at);
    }
    if (m.tensors.length) {
      kids.push(el('h3', { text: 'Tensors' }));
      for (const v of m.tensors) kids.push(v.weight ? weightBlock('', v, false) : el('div', { cls: 'mono', text: v.name + ' ' + v.type }));
    }
    openPanel(kids);
  }

  async function showModel() {
    const m = st.meta;
    if (!m) return;
    st.sel = null; invalidate();
    const kids = [el('h2', { text: m.name }), el('div', { cls: 'sub', text: 'model' })];
    const t = el('table');
    t.append(row('format', m.format + (m.kind ? ' (' + m.kind + ')' : '')));
    if (m.producer) t.append(row('producer', m.producer + ' ' + (m.producer_version || '')));
    if (m.ir_version) t.append(row('IR version', m.ir_version));
    if (m.opsets.length) t.append(row('opsets', m.opsets.map((o) => (o.Domain || 'ai.onnx') + ' ' + o.Version).join(', ')));
    if (m.graph) t.append(row('graph', m.graph));
    t.append(row('nodes', m.nodes + (m.nodes_total !== m.nodes ? ' (' + m.nodes_total + ' with subgraphs)' : '')));
    t.append(row('params', fmtInt(m.totals.params) + ' (' + m.totals.params + ')'));
    if (m.totals.macs) t.append(row('MACs', fmtInt(m.totals.macs)));
    if (m.functions) t.append(row('functions', m.functions));
    kids.push(t);
    if (m.doc) kids.push(el('p', { cls: 'sub', text: m.doc }));
    const io = (title, list) => {
      if (!list.length) return;
      kids.push(el('h3', { text: title }));
      const tb = el('table');
      for (const v of list) tb.append(row(v.name, el('span', { cls: 'mono', text: v.type })));
      kids.push(tb);
    };
    io('Inputs', m.inputs); io('Outputs', m.outputs);
    if (m.metadata.length) {
      kids.push(el('h3', { text: 'Metadata' }));
      const tb = el('table');
      for (const kv of m.metadata) tb.append(row(kv.Key, kv.Value));
      kids.push(tb);
    }
    if (m.warnings.length) {
      kids.push(el('h3', { text: 'Warnings' }));
      const ul = el('ul');
      for (const w of m.warnings) ul.append(el('li', { cls: 'warn', text: w }));
      kids.push(ul);
    }
    openPanel(kids);
  }

  // ---------- groups ----------
  // Breadcrumb: the expanded groups enclosing the selection (or the view centre).
  function updateCrumbs() {
    const nav = $('crumbs');
    nav.replaceChildren();
    const sc = st.scene;
    if (!sc || !st.sel || st.sel.box == null) return;
    const i = sc.byId.get(st.sel.box);
    if (i == null) return;
    const chain = [];
    let gid = sc.nodes[i].group;
    while (gid && sc.groupById.has(gid)) {
      const g = sc.groups[sc.groupById.get(gid)];
      chain.unshift(g);
      gid = g.parent;
    }
    for (const g of chain) {
      nav.append(el('a', { text: g.label, title: 'Zoom to ' + (g.path || []).join('/'), onclick: () => zoomToRect(g.x, g.y, g.width, g.height) }));
    }
  }
  function zoomToRect(x, y, w, h) {
    const k = Math.min(st.w / (w + 40), st.h / (h + 40), 2);
    centerOn(x + w / 2, y + h / 2, k);
  }

  async function expandGroups(ids, anchor) {
    const before = anchor ? anchorPos(anchor) : null;
    for (const id of ids) st.expanded.add(id);
    await relayout({}, anchor, before);
  }
  async function collapseGroup(id) {
    const before = anchorPos(id);
    const sc = st.scene;
    // Collapse the group and everything inside it.
    const inner = new Set([id]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const g of sc.groups || []) if (g.parent && inner.has(g.parent) && !inner.has(g.id)) { inner.add(g.id); grew = true; }
    }
    for (const g of inner) st.expanded.delete(g);
    await relayout({}, id, before);
  }
  function anchorPos(id) {
    const sc = st.scene;
    if (!sc) return null;
    let r = null;
    if (sc.byId.has(id)) { const i = sc.byId.get(id); r = [sc.nx[i], sc.ny[i]]; }
    else if (sc.groupById.has(id)) { const g = sc.groups[sc.groupById.get(id)]; r = [g.x, g.y]; }
    if (!r) return null;
    return [r[0] * st.k + st.tx, r[1] * st.k + st.ty];
  }

  // relayout asks the server for the scene with the current expanded set.
  // The anchor (a group id) keeps its screen position across the change.
  async function relayout(extra, anchor, before) {
    const seq = ++st.seq;
    const req = Object.assign({ expanded: [...st.expanded], direction: st.dir }, extra || {});
    let sc;
    try {
      sc = await api(mpath('/view'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(req) });
    } catch (err) {
      // With a graph on screen, keep it and say what failed.
      if (seq === st.seq) { if (st.scene) toast(err.message); else setState('error', err.message); }
      return false;
    }
    if (seq !== st.seq) return false;
    st.scene = prepare(sc);
    if (st.heat) updateLegend();
    // Draw the far-zoom bitmap while the user is still looking, not on the
    // first zoom out.
    if (sc.nodes.length >= CACHE_MIN_BOXES) {
      const idle = window.requestIdleCallback || ((f) => setTimeout(f, 50));
      idle(() => { if (st.scene === sc) overviewCache(sc); });
    }
    st.expanded = new Set((sc.groups || []).map((g) => g.id));
    if (before && anchor) {
      const after = anchorPos(anchor);
      if (after) { st.tx += before[0] - after[0]; st.ty += before[1] - after[1]; }
    }
    if (st.sel && st.sel.box != null && !sc.byId.has(st.sel.box)) st.sel.box = null;
    if (st.sel && st.sel.edge != null) st.sel.edge = null;
    refreshHits();
    invalidate(); saveHashSoon(); updateCrumbs();
    return true;
  }

  // revealNode expands what hides a model node, then selects and centres it.
  async function revealNode(graph, node, tensor) {
    let b = boxOfNode(graph, node);
    if (!b) {
      await relayout({ reveal: [{ graph: graph, node: node }] });
      b = boxOfNode(graph, node);
    }
    if (!b) return false;
    selectBox(b, tensor);
    const k = Math.max(st.k, Math.min(1, st.h / 300));
    centerOn(b.x + b.width / 2, b.y + b.height / 2, k);
    return true;
  }

  // ---------- search ----------
  let searchTimer = 0, lastHits = [], lastQuery = '', activeHit = -1;
  const results = $('results');
  function refreshHits() {
    if (!lastHits.length || !st.scene) { st.hits = null; return; }
    const ids = new Set();
    for (const h of lastHits) {
      if (h.node < 0) continue;
      const b = boxOfNodeFast(h.graph, h.node);
      if (b) ids.add(b);
    }
    st.hits = ids;
  }
  function boxOfNodeFast(graph, node) {
    const sc = st.scene;
    if (!sc.nodeIndex) {
      sc.nodeIndex = new Map();
      for (const b of sc.nodes) if (b.kind === 'op') sc.nodeIndex.set((b.graph || '') + '\u0000' + b.node, b.id);
    }
    return sc.nodeIndex.get((graph || '') + '\u0000' + node);
  }
  async function runSearch(q) {
    if (!q.trim()) { lastHits = []; lastQuery = q; results.hidden = true; refreshHits(); invalidate(); return []; }
    let d;
    try { d = await api(mpath('/search?q=' + encodeURIComponent(q))); } catch (err) {
      results.replaceChildren(el('li', { cls: 'note', text: err.message })); results.hidden = false; return [];
    }
    if ($('search').value !== q) return d.hits;
    lastHits = d.hits; lastQuery = q; activeHit = -1;
    results.replaceChildren();
    if (!d.hits.length) results.append(el('li', { cls: 'note', text: 'no match' }));
    d.hits.slice(0, 200).forEach((h, i) => {
      const li = el('li', { 'data-i': i, title: (h.group || []).join(' › ') },
        el('span', { cls: 'k', text: h.kind === 'node' ? h.op : 'tensor' }), h.name || '(unnamed)', el('span', { cls: 't', text: h.kind === 'tensor' ? h.type : '' }));
      li.addEventListener('mousedown', (ev) => { ev.preventDefault(); pickHit(h); });
      results.append(li);
    });
    if (d.more || d.hits.length > 200) results.append(el('li', { cls: 'note', text: 'more matches not shown; refine the search' }));
    results.hidden = false;
    refreshHits(); invalidate();
    return d.hits;
  }
  async function pickHit(h) {
    results.hidden = true;
    if (h.kind === 'tensor') {
      if (h.node >= 0) await revealNode(h.graph, h.node, h.name);
      st.sel = Object.assign(st.sel || {}, { tensor: { graph: h.graph, name: h.name } });
      showTensor(h.graph, h.name);
      saveHashSoon();
      return;
    }
    await revealNode(h.graph, h.node);
  }

  // ---------- deep links ----------
  // #m=ID&n=GRAPH:NODE | &t=GRAPH:NAME &e=group,group &v=x,y,k
  let hashTimer = 0;
  function saveHashSoon() {
    clearTimeout(hashTimer);
    hashTimer = setTimeout(saveHash, 250);
  }
  function saveHash() {
    if (!st.model || !st.scene) return;
    const p = new URLSearchParams();
    p.set('m', st.model);
    if (st.sel && st.sel.node) p.set('n', st.sel.node.graph + ':' + st.sel.node.node);
    if (st.sel && st.sel.tensor && st.sel.tensor.name) p.set('t', st.sel.tensor.graph + ':' + st.sel.tensor.name);
    if (st.sel && st.sel.module != null) p.set('mod', st.sel.module);
    p.set('e', [...st.expanded].join(','));
    if (st.dir !== 'TB') p.set('d', st.dir);
    const [cx, cy] = toWorld(st.w / 2, st.h / 2);
    p.set('v', Math.round(cx) + ',' + Math.round(cy) + ',' + st.k.toFixed(4));
    const h = '#' + p.toString();
    if (location.hash !== h) history.replaceState(null, '', h);
  }
  function parseHash() {
    const p = new URLSearchParams(location.hash.slice(1));
    const out = { m: p.get('m'), d: p.get('d') === 'LR' ? 'LR' : 'TB' };
    if (p.has('e')) out.e = p.get('e').split(',').filter(Boolean);
    const split = (s) => { const i = s.indexOf(':'); return i < 0 ? null : [s.slice(0, i), s.slice(i + 1)]; };
    if (p.get('n')) { const s = split(p.get('n')); if (s) out.n = { graph: s[0], node: parseInt(s[1], 10) }; }
    if (p.get('t')) { const s = split(p.get('t')); if (s) out.t = { graph: s[0], name: s[1] }; }
    if (p.has('mod')) out.mod = p.get('mod');
    if (p.get('v')) { const v = p.get('v').split(',').map(Number); if (v.length === 3 && v.every(isFinite)) out.v = v; }
    return out;
  }

  // ---------- loading ----------
  // Only the newest load may finish: an older one still waiting for the
  // server would otherwise draw its model, or reset the view, after it.
  let loadSeq = 0;
  async function loadModel(id, h) {
    const mine = ++loadSeq;
    firstFrameCb = null; // an older load's "ready" must not land on this one
    setState('loading');
    st.model = id; st.sel = null; st.scene = null; lastHits = []; st.hits = null;
    $('properties').hidden = true;
    $('search').value = ''; results.hidden = true;
    h = h || {};
    let meta;
    try { meta = await api(mpath('')); } catch (err) { if (mine === loadSeq) setState('error', err.message); return; }
    if (mine !== loadSeq) return;
    if (meta.error) { st.meta = meta; setState('error', meta.error); draw(); return; }
    st.meta = meta;
    $('title').textContent = meta.name + ' · ' + meta.format + ' · ' + meta.nodes_total + ' ops · ' + fmtInt(meta.totals.params) + ' params';
    document.title = meta.name + ' — modelviz';
    st.dir = h.d || 'TB';
    updateDirButton();
    const req = h.e ? { expanded: h.e } : { initial: true };
    st.expanded = new Set(h.e || []);
    const ok = await relayout(req);
    if (!ok || mine !== loadSeq) return;
    if (h.v) centerOn(h.v[0], h.v[1], h.v[2]); else firstView();
    if (h.n && Number.isInteger(h.n.node)) {
      const b = boxOfNode(h.n.graph, h.n.node);
      if (b) selectBox(b, h.t && h.t.name);
    }
    if (h.mod != null && st.scene.byId.has('m:' + h.mod)) selectBox(st.scene.nodes[st.scene.byId.get('m:' + h.mod)]);
    if (h.t) {
      st.sel = Object.assign(st.sel || {}, { tensor: h.t });
      showTensor(h.t.graph, h.t.name);
    }
    firstFrameCb = () => { if (mine !== loadSeq) return; if (!st.readyAt) st.readyAt = performance.now(); setState('ready'); };
    invalidate();
  }

  async function loadModels() {
    const d = await api('/api/models');
    st.models = d.models; st.example = d.example; st.maxUpload = d.max_upload;
    const sel = $('models');
    sel.replaceChildren(...d.models.map((m) => el('option', { value: m.id, text: m.name })));
    sel.hidden = d.models.length < 2;
    return d;
  }

  async function start() {
    readColors();
    resize();
    let d;
    try { d = await loadModels(); } catch (err) { setState('error', err.message); return; }
    // Wait briefly for the Go fonts so the first frame's text fits its boxes.
    try { await Promise.race([document.fonts.load('bold 12px "Go"'), new Promise((r) => setTimeout(r, 400))]); } catch (_) { /* ignore */ }
    if (!d.models.length) { setState('error', 'No model is open. Drop a model file here or use Open….'); showStart(); return; }
    const h = parseHash();
    const id = h.m && d.models.some((m) => m.id === h.m) ? h.m : d.models[0].id;
    $('models').value = id;
    if (d.example && !location.hash) showStart();
    await loadModel(id, h.m === id ? h : {});
  }
  function showStart() { $('start').hidden = false; }

  // ---------- upload ----------
  function upload(file) {
    if (!file) return;
    if (st.maxUpload && file.size > st.maxUpload) { toast(file.name + ' is larger than the upload limit (' + fmtBytes(st.maxUpload) + ').'); return; }
    const box = $('upload');
    $('upload-text').textContent = 'Opening ' + file.name + '…';
    $('upload-bar').value = 0;
    box.hidden = false;
    const x = new XMLHttpRequest();
    x.open('POST', '/api/upload?name=' + encodeURIComponent(file.name));
    x.setRequestHeader('X-Modelviz', '1');
    x.upload.onprogress = (e) => { if (e.lengthComputable) $('upload-bar').value = e.loaded / e.total; };
    x.onload = async () => {
      box.hidden = true;
      let j = {};
      try { j = JSON.parse(x.responseText); } catch (_) { /* keep empty */ }
      if (x.status !== 200 || j.error) {
        const msg = j.error || ('upload failed: ' + x.status);
        if (st.scene) toast(msg); else setState('error', msg);
        if (!j.id || st.scene) return;
      }
      $('start').hidden = true;
      await loadModels();
      $('models').value = j.id;
      history.replaceState(null, '', '#m=' + encodeURIComponent(j.id));
      await loadModel(j.id, {});
    };
    x.onerror = () => { box.hidden = true; setState('error', 'upload failed: the viewer is not reachable'); };
    x.send(file);
  }

  // ---------- export ----------
  async function exportImage(fmt) {
    const req = { expanded: [...st.expanded], direction: st.dir, format: fmt, theme: matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light' };
    try {
      const r = await fetch(mpath('/export'), { method: 'POST', headers: { 'X-Modelviz': '1', 'Content-Type': 'application/json' }, body: JSON.stringify(req) });
      if (!r.ok) { let m = r.statusText; try { m = (await r.json()).error; } catch (_) { /* not JSON */ } throw new Error(m); }
      const blob = await r.blob();
      st.lastExport = { type: blob.type, size: blob.size };
      const a = el('a', { href: URL.createObjectURL(blob), download: (st.meta.name || 'model').replace(/\.[^.]*$/, '') + '.' + fmt });
      document.body.append(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10000);
    } catch (err) { toast('Export failed: ' + err.message); }
  }

  // ---------- input ----------
  const ptrs = new Map();
  let drag = null, pinch = null;
  canvas.addEventListener('pointerdown', (e) => {
    canvas.focus();
    canvas.setPointerCapture(e.pointerId);
    ptrs.set(e.pointerId, [e.offsetX, e.offsetY]);
    if (ptrs.size === 1) drag = { x: e.offsetX, y: e.offsetY, tx: st.tx, ty: st.ty, moved: false };
    if (ptrs.size === 2) {
      const [a, b] = [...ptrs.values()];
      pinch = { d: Math.hypot(a[0] - b[0], a[1] - b[1]), k: st.k };
      drag = null;
    }
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!ptrs.has(e.pointerId)) return;
    ptrs.set(e.pointerId, [e.offsetX, e.offsetY]);
    if (pinch && ptrs.size === 2) {
      const [a, b] = [...ptrs.values()];
      const d = Math.hypot(a[0] - b[0], a[1] - b[1]);
      zoomAt((pinch.k * d / pinch.d) / st.k, (a[0] + b[0]) / 2, (a[1] + b[1]) / 2);
      return;
    }
    if (!drag) return;
    const dx = e.offsetX - drag.x, dy = e.offsetY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < 4) return;
    drag.moved = true;
    canvas.classList.add('dragging');
    st.tx = drag.tx + dx; st.ty = drag.ty + dy;
    invalidate(); saveHashSoon();
  });
  const endPtr = (e) => {
    if (!ptrs.has(e.pointerId)) return;
    ptrs.delete(e.pointerId);
    canvas.classList.remove('dragging');
    if (drag && !drag.moved && e.type === 'pointerup') onClick(e.offsetX, e.offsetY);
    if (ptrs.size < 2) pinch = null;
    drag = null;
  };
  canvas.addEventListener('pointerup', endPtr);
  canvas.addEventListener('pointercancel', endPtr);
  canvas.addEventListener('wheel', (e) => {
    e.preventDefault();
    let dy = e.deltaY;
    if (e.deltaMode === 1) dy *= 16; else if (e.deltaMode === 2) dy *= st.h;
    // Trackpad pinch arrives as ctrl+wheel with small deltas.
    const f = Math.exp(-dy * (e.ctrlKey ? 0.01 : 0.0015));
    zoomAt(f, e.offsetX, e.offsetY);
  }, { passive: false });
  mini.addEventListener('pointerdown', (e) => { mini.setPointerCapture(e.pointerId); miniNavigate(e); });
  mini.addEventListener('pointermove', (e) => { if (e.buttons) miniNavigate(e); });

  document.addEventListener('keydown', (e) => {
    const inInput = e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement;
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'f') {
      e.preventDefault(); $('search').focus(); $('search').select(); return;
    }
    if (e.key === 'Escape') {
      if (!results.hidden) { results.hidden = true; return; }
      if (inInput) { e.target.blur(); canvas.focus(); return; }
      clearSelection(); return;
    }
    if (inInput || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === '+' || e.key === '=') { zoomAt(1.25, st.w / 2, st.h / 2); e.preventDefault(); }
    else if (e.key === '-' || e.key === '_') { zoomAt(0.8, st.w / 2, st.h / 2); e.preventDefault(); }
    else if (e.key === '0') { fit(); e.preventDefault(); }
    else if (e.key.startsWith('Arrow')) {
      const d = 80, dir = { ArrowLeft: [d, 0], ArrowRight: [-d, 0], ArrowUp: [0, d], ArrowDown: [0, -d] }[e.key];
      if (dir) { st.tx += dir[0]; st.ty += dir[1]; invalidate(); saveHashSoon(); e.preventDefault(); }
    }
  });
  $('search').addEventListener('input', (e) => {
    clearTimeout(searchTimer);
    const q = e.target.value;
    searchTimer = setTimeout(() => runSearch(q), 150);
  });
  $('search').addEventListener('keydown', async (e) => {
    const items = [...results.querySelectorAll('li[data-i]')];
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (!items.length) return;
      activeHit = (activeHit + (e.key === 'ArrowDown' ? 1 : -1) + items.length) % items.length;
      items.forEach((li, i) => li.classList.toggle('active', i === activeHit));
      items[activeHit].scrollIntoView({ block: 'nearest' });
      return;
    }
    if (e.key !== 'Enter') return;
    e.preventDefault();
    clearTimeout(searchTimer);
    const q = e.target.value;
    let hits = lastHits;
    if (q !== lastQuery || !hits.length) hits = await runSearch(q);
    const h = hits[activeHit >= 0 ? activeHit : 0];
    if (h) await pickHit(h);
  });
  $('search').addEventListener('focus', () => { if (lastHits.length) results.hidden = false; });
  $('search').addEventListener('blur', () => setTimeout(() => { results.hidden = true; }, 150));

  $('btn-fit').addEventListener('click', fit);
  $('btn-expand').addEventListener('click', () => relayout({ all: true }).then((ok) => ok && firstView()));
  $('btn-collapse').addEventListener('click', () => { st.expanded.clear(); relayout({ expanded: [] }).then((ok) => ok && firstView()); });
  $('btn-heat').addEventListener('click', (e) => {
    st.heat = !st.heat; e.currentTarget.setAttribute('aria-pressed', String(st.heat));
    updateLegend(); invalidate();
  });
  // The heat map's key: a log scale of MACs up to the costliest box.
  function updateLegend() {
    const lg = $('legend');
    lg.hidden = !st.heat;
    if (!st.heat) return;
    const sw = st.heatColors.map((c) => { const i = el('i'); i.style.background = c; return i; });
    lg.replaceChildren('MACs (log): 0 ', ...sw, ' ' + fmtInt(st.maxMacs), el('i'));
    lg.lastChild.style.background = st.colors.line;
    lg.lastChild.title = 'no MACs';
  }
  $('btn-model').addEventListener('click', showModel);
  $('btn-dir').addEventListener('click', () => {
    st.dir = st.dir === 'TB' ? 'LR' : 'TB';
    updateDirButton();
    relayout({}).then((ok) => ok && firstView());
  });
  function updateDirButton() { $('btn-dir').textContent = st.dir === 'TB' ? 'Left → right' : 'Top → bottom'; }
  $('btn-close').addEventListener('click', clearSelection);
  $('btn-png').addEventListener('click', () => exportImage('png'));
  $('btn-svg').addEventListener('click', () => exportImage('svg'));
  $('btn-open').addEventListener('click', () => $('file').click());
  $('btn-pick').addEventListener('click', () => $('file').click());
  $('btn-start-close').addEventListener('click', () => { $('start').hidden = true; });
  $('file').addEventListener('change', (e) => { upload(e.target.files[0]); e.target.value = ''; });
  $('models').addEventListener('change', (e) => { history.replaceState(null, '', '#m=' + encodeURIComponent(e.target.value)); loadModel(e.target.value, {}); });

  let dragDepth = 0;
  window.addEventListener('dragenter', (e) => { e.preventDefault(); dragDepth++; $('dropzone').hidden = false; });
  window.addEventListener('dragleave', () => { if (--dragDepth <= 0) { dragDepth = 0; $('dropzone').hidden = true; } });
  window.addEventListener('dragover', (e) => e.preventDefault());
  window.addEventListener('drop', (e) => {
    e.preventDefault(); dragDepth = 0; $('dropzone').hidden = true;
    if (e.dataTransfer && e.dataTransfer.files.length) upload(e.dataTransfer.files[0]);
  });

  let resizeTimer = 0;
  function resizeSoon() { clearTimeout(resizeTimer); resizeTimer = setTimeout(resize, 0); }
  window.addEventListener('resize', resize);
  // Widths measured before the Go fonts arrived are wrong: measure again.
  if (document.fonts) document.fonts.addEventListener('loadingdone', () => { mcache.clear(); invalidate(); });
  // The side panel opening or closing changes the canvas size too.
  if (window.ResizeObserver) new ResizeObserver(() => resizeSoon()).observe(canvas);
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    readColors(); if (st.scene) { st.scene.overview = null; st.scene.cache = undefined; } invalidate();
  });
  // Our own hash updates use replaceState, which fires no hashchange: this
  // is a link pasted or edited by the user, so restore all of it.
  window.addEventListener('hashchange', () => {
    const h = parseHash();
    if (h.m && st.models.some((m) => m.id === h.m)) { $('models').value = h.m; loadModel(h.m, h); }
  });
  window.addEventListener('error', (e) => { if (body.dataset.state === 'loading') setState('error', 'viewer error: ' + e.message); });

  // Test and benchmark hooks: no UI, only what a script cannot do by events.
  st.api = { saveHash, fit, zoomAt, centerOn, relayout, revealNode, draw, expandGroups, collapseGroup, runSearch, pickHit, hitGroupTitle };

  start();
})();
