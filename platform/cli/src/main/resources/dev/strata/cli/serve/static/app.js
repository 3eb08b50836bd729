// Strata dashboard: plain JavaScript, no libraries. Reads the JSON API of `strata serve` (GET only),
// polls the selected search's summary every second and refetches the rest only when it changed.
// Every value from the database is put into the page as text (textContent), never as HTML.
'use strict';

const POLL_MS = 1000;
const SEARCH_LIST_EVERY = 5; // polls between reloads of the search list
const SVG = 'http://www.w3.org/2000/svg';

const state = {
  searchId: null,      // the search shown
  userPicked: false,   // true once the user (or the URL) chose a search: then a new search does not take over
  version: null,       // the summary version last drawn
  finished: null,      // finished-trial count last drawn (pareto and components change only with it)
  order: 'ordinal:desc',
  offset: 0,
  limit: 50,
  trialId: null,       // the trial whose detail is open
  trialStatus: null,
  ticks: 0,
  loading: false,
};

const $ = (id) => document.getElementById(id);

// ------------------------------------------------------------------ helpers

async function api(path) {
  const r = await fetch(path, { headers: { Accept: 'application/json' } });
  let body;
  try { body = await r.json(); } catch (e) { body = { error: r.status + ' ' + r.statusText }; }
  if (!r.ok) throw new Error(body.error || ('HTTP ' + r.status));
  return body;
}

function showError(e) {
  const el = $('error');
  if (e) { el.textContent = String(e.message || e); el.hidden = false; } else { el.hidden = true; el.textContent = ''; }
}

function fixed(v, d) { return v === null || v === undefined ? '-' : Number(v).toFixed(d); }

function count(n) {
  if (n === null || n === undefined || n <= 0) return '-';
  if (n < 1e3) return String(n);
  if (n < 1e6) return (n / 1e3).toFixed(1) + 'k';
  if (n < 1e9) return (n / 1e6).toFixed(2) + 'M';
  return (n / 1e9).toFixed(2) + 'B';
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function row(cells) {
  const tr = document.createElement('tr');
  for (const c of cells) {
    const td = el('td', c.text, c.cls);
    if (c.title) td.title = c.title;
    tr.appendChild(td);
  }
  return tr;
}

function replaceRows(tbody, rows) {
  const frag = document.createDocumentFragment();
  rows.forEach((r) => frag.appendChild(r));
  tbody.replaceChildren(frag);
}

function paramsText(p) {
  if (!p || typeof p !== 'object') return '';
  const keys = Object.keys(p);
  return keys.length ? '{' + keys.map((k) => k + '=' + (typeof p[k] === 'object' ? JSON.stringify(p[k]) : p[k])).join(', ') + '}' : '';
}

// ------------------------------------------------------------------ SVG charts

function svgEl(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  return e;
}

function niceTicks(lo, hi, n) {
  if (!(hi > lo)) { hi = lo + 1; }
  const step0 = (hi - lo) / n;
  const mag = Math.pow(10, Math.floor(Math.log10(step0)));
  const norm = step0 / mag;
  const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  const ticks = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function logTicks(lo, hi) {
  const ticks = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const t = m * Math.pow(10, e);
      if (t >= lo && t <= hi) ticks.push(t);
    }
  }
  return ticks.length >= 2 ? ticks : [lo, hi];
}

// A chart: axes with ticks, then layers drawn by the caller through the returned scales.
function chart(svg, o) {
  svg.replaceChildren();
  chartPoints.delete(svg);
  const [, , W, H] = svg.getAttribute('viewBox').split(' ').map(Number);
  const m = { l: 56, r: 26, t: 10, b: 34 };
  let [x0, x1] = o.xRange;
  let [y0, y1] = o.yRange;
  if (o.xLog) { x0 = Math.max(x0, 1); x1 = Math.max(x1, x0 * 1.5); } else if (!(x1 > x0)) { x1 = x0 + 1; }
  if (!(y1 > y0)) { y0 -= 0.5; y1 += 0.5; }
  const pad = (y1 - y0) * 0.05;
  y0 -= pad; y1 += pad;
  const lx0 = o.xLog ? Math.log10(x0) * 0.98 : x0;
  const lx1 = o.xLog ? Math.log10(x1) * 1.02 : x1;
  const sx = (x) => m.l + ((o.xLog ? Math.log10(Math.max(x, 1)) : x) - lx0) / (lx1 - lx0) * (W - m.l - m.r);
  const sy = (y) => H - m.b - (y - y0) / (y1 - y0) * (H - m.t - m.b);
  const g = svgEl('g', {});
  for (const t of niceTicks(y0, y1, 5)) {
    if (t < y0 || t > y1) continue;
    g.appendChild(svgEl('line', { x1: m.l, x2: W - m.r, y1: sy(t), y2: sy(t), class: 'gridline' }));
    g.appendChild(svgEl('text', { x: m.l - 6, y: sy(t) + 4, 'text-anchor': 'end' }, Number(t.toPrecision(4)).toString()));
  }
  const xt = o.xLog ? logTicks(x0, x1) : niceTicks(x0, x1, 8).filter((t) => !o.xInteger || Number.isInteger(t));
  for (const t of xt) {
    if (t < (o.xLog ? Math.pow(10, lx0) : x0) || t > (o.xLog ? Math.pow(10, lx1) : x1)) continue;
    g.appendChild(svgEl('line', { x1: sx(t), x2: sx(t), y1: H - m.b, y2: H - m.b + 4, class: 'axis' }));
    g.appendChild(svgEl('text', { x: sx(t), y: H - m.b + 16, 'text-anchor': 'middle' }, o.xLog ? count(t) : String(t)));
  }
  g.appendChild(svgEl('line', { x1: m.l, x2: W - m.r, y1: H - m.b, y2: H - m.b, class: 'axis' }));
  g.appendChild(svgEl('line', { x1: m.l, x2: m.l, y1: m.t, y2: H - m.b, class: 'axis' }));
  g.appendChild(svgEl('text', { x: (W + m.l) / 2, y: H - 4, 'text-anchor': 'middle' }, o.xLabel));
  g.appendChild(svgEl('text', { x: 12, y: (H - m.b + m.t) / 2, 'text-anchor': 'middle', transform: `rotate(-90 12 ${(H - m.b + m.t) / 2})` }, o.yLabel));
  svg.appendChild(g);
  return { sx, sy, W, H, m };
}

// A few points as circles (styled, each clickable): best-so-far steps, the Pareto front.
function dots(svg, pts, sx, sy, cls, fx, fy) {
  const g = svgEl('g', {});
  for (const p of pts) {
    const c = svgEl('circle', { cx: sx(fx(p)).toFixed(1), cy: sy(fy(p)).toFixed(1), r: 3.5, class: 'pt ' + cls });
    c.dataset.id = p[2];
    g.appendChild(c);
  }
  svg.appendChild(g);
  remember(svg, pts, sx, sy, fx, fy);
}

// Many points as one path of round dots ("M x y h0" per point): one element instead of
// thousands, so a chart of 2000 points draws in a few milliseconds. Clicks find the nearest point.
function cloud(svg, pts, sx, sy, fx, fy) {
  const parts = [];
  for (const p of pts) parts.push('M' + sx(fx(p)).toFixed(1) + ' ' + sy(fy(p)).toFixed(1) + 'h0');
  if (parts.length) svg.appendChild(svgEl('path', { d: parts.join(''), class: 'cloud' }));
  remember(svg, pts, sx, sy, fx, fy);
}

const chartPoints = new WeakMap(); // svg -> [[x, y, trialId, label], ...] in viewBox units

function remember(svg, pts, sx, sy, fx, fy) {
  const list = chartPoints.get(svg) || [];
  for (const p of pts) list.push([sx(fx(p)), sy(fy(p)), p[2], fx(p), fy(p)]);
  chartPoints.set(svg, list);
}

// The chart point nearest to a mouse event, within 8 viewBox units, or null.
function nearest(svg, e) {
  const list = chartPoints.get(svg);
  const ctm = svg.getScreenCTM();
  if (!list || !ctm) return null;
  const pt = new DOMPoint(e.clientX, e.clientY).matrixTransform(ctm.inverse());
  let best = null;
  let bestD = 64;
  for (const q of list) {
    const d = (q[0] - pt.x) ** 2 + (q[1] - pt.y) ** 2;
    if (d < bestD) { bestD = d; best = q; }
  }
  return best;
}

function markSelected(svg) {
  const old = svg.querySelector('.marker');
  if (old) old.remove();
  const q = (chartPoints.get(svg) || []).find((p) => String(p[2]) === String(state.trialId));
  if (q) svg.appendChild(svgEl('circle', { cx: q[0].toFixed(1), cy: q[1].toFixed(1), r: 6, class: 'marker' }));
}

function hover(svg, e, describe) {
  let label = svg.querySelector('.hover-label');
  const q = nearest(svg, e);
  svg.style.cursor = q ? 'pointer' : 'default';
  if (!q) { if (label) label.remove(); return; }
  if (!label) {
    label = svgEl('text', { class: 'hover-label', 'text-anchor': 'end' });
    svg.appendChild(label);
  }
  const W = Number(svg.getAttribute('viewBox').split(' ')[2]);
  label.setAttribute('x', W - 16);
  label.setAttribute('y', 22);
  label.textContent = describe(q);
}

function emptyChart(svg, text) {
  svg.replaceChildren();
  chartPoints.delete(svg);
  const [, , W, H] = svg.getAttribute('viewBox').split(' ').map(Number);
  svg.appendChild(svgEl('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle' }, text));
}

function drawProgress(p) {
  const svg = $('progress-chart');
  $('progress-note').textContent = p.finished + ' finished, ' + p.failed + ' failed' + (p.sampled ? '; showing ' + p.points.length + ' of them (lowest and highest of each stretch)' : '');
  if (!p.points.length) { emptyChart(svg, p.trials ? 'no finished trial yet' : 'no trials yet'); return; }
  const xs = p.points.map((q) => q[0]);
  const ys = p.points.map((q) => q[1]);
  const lastX = Math.max(p.trials, ...xs);
  const c = chart(svg, { xRange: [1, lastX], yRange: [Math.min(...ys), Math.max(...ys)], xLabel: 'trial #', yLabel: 'val_loss', xInteger: true });
  cloud(svg, p.points, c.sx, c.sy, (q) => q[0], (q) => q[1]);
  if (p.best.length) {
    let d = 'M' + c.sx(p.best[0][0]).toFixed(1) + ' ' + c.sy(p.best[0][1]).toFixed(1);
    for (let i = 1; i < p.best.length; i++) d += 'H' + c.sx(p.best[i][0]).toFixed(1) + 'V' + c.sy(p.best[i][1]).toFixed(1);
    d += 'H' + c.sx(lastX).toFixed(1);
    svg.appendChild(svgEl('path', { d, class: 'best-line' }));
    dots(svg, p.best, c.sx, c.sy, 'best', (q) => q[0], (q) => q[1]);
  }
  markSelected(svg);
}

function drawPareto(p) {
  const svg = $('pareto-chart');
  const all = p.others.map((q) => [q[0], q[1], q[2]]).concat(p.front.map((f) => [f.params, f.val_loss, f.id]));
  if (!all.length) { emptyChart(svg, 'no finished trial yet'); replaceRows($('pareto-table').tBodies[0], []); return; }
  const xs = all.map((q) => q[0]);
  const ys = all.map((q) => q[1]);
  const c = chart(svg, { xRange: [Math.min(...xs), Math.max(...xs)], yRange: [Math.min(...ys), Math.max(...ys)], xLabel: 'parameters', yLabel: 'val_loss', xLog: true });
  cloud(svg, p.others, c.sx, c.sy, (q) => q[0], (q) => q[1]);
  const front = p.front.map((f) => [f.params, f.val_loss, f.id]);
  if (front.length > 1) {
    let d = 'M' + c.sx(front[0][0]).toFixed(1) + ' ' + c.sy(front[0][1]).toFixed(1);
    for (let i = 1; i < front.length; i++) d += 'H' + c.sx(front[i][0]).toFixed(1) + 'V' + c.sy(front[i][1]).toFixed(1);
    svg.appendChild(svgEl('path', { d, class: 'front-line' }));
  }
  dots(svg, front, c.sx, c.sy, 'front', (q) => q[0], (q) => q[1]);
  markSelected(svg);
  replaceRows($('pareto-table').tBodies[0], p.front.map((f) => {
    const tr = row([{ text: f.id }, { text: count(f.params), cls: 'num' }, { text: fixed(f.val_loss, 4), cls: 'num' }, { text: f.summary, cls: 'arch' }]);
    tr.dataset.id = f.id;
    return tr;
  }));
}

function drawCurve(curve) {
  const svg = $('curve-chart');
  const train = curve.train.filter((q) => q[1] !== null);
  const val = curve.val.filter((q) => q[1] !== null);
  const all = train.concat(val);
  if (!all.length) { emptyChart(svg, 'no curve recorded'); return; }
  const xs = all.map((q) => q[0]);
  const ys = all.map((q) => q[1]);
  const c = chart(svg, { xRange: [Math.min(0, ...xs), Math.max(...xs)], yRange: [Math.min(...ys), Math.max(...ys)], xLabel: 'step', yLabel: 'loss', xInteger: true });
  const line = (pts, cls) => {
    if (!pts.length) return;
    const d = pts.map((q, i) => (i ? 'L' : 'M') + c.sx(q[0]).toFixed(1) + ' ' + c.sy(q[1]).toFixed(1)).join('');
    svg.appendChild(svgEl('path', { d, class: cls }));
  };
  line(train, 'train-line');
  line(val, 'val-line');
  for (const q of val) svg.appendChild(svgEl('circle', { cx: c.sx(q[0]).toFixed(1), cy: c.sy(q[1]).toFixed(1), r: 2.5, class: 'val-pt' }));
  svg.appendChild(svgEl('text', { x: c.W - c.m.r - 4, y: c.m.t + 12, 'text-anchor': 'end', class: 'legend' }, 'grey: train loss   blue: validation loss'));
}

// ------------------------------------------------------------------ panels

function drawSummary(s) {
  $('trial-count').textContent = String(s.trials);
  $('trial-budget').textContent = s.budget ? ' / ' + s.budget : '';
  const badge = $('search-status');
  badge.textContent = s.status;
  badge.className = 'badge ' + s.status;
  $('best-loss').textContent = fixed(s.best_val_loss, 4);
  $('counts').textContent = s.ok + ' ok, ' + s.cached + ' cached, ' + s.failed + ' failed, ' + s.running + ' running';
  $('live').textContent = s.status === 'running' ? '\u25cf live' : '';
  document.body.dataset.version = s.version;
}

function drawTrials(page) {
  const tbody = $('trials').tBodies[0];
  replaceRows(tbody, page.trials.map((t) => {
    const tr = row([
      { text: t.ordinal, cls: 'num' }, { text: t.id, cls: 'num' }, { text: t.generation, cls: 'num' },
      { text: t.status, cls: 'status-' + t.status, title: t.error || '' },
      { text: fixed(t.val_loss, 4), cls: 'num' }, { text: fixed(t.val_accuracy, 3), cls: 'num' },
      { text: count(t.params), cls: 'num' }, { text: fixed(t.train_seconds, 1), cls: 'num' },
      { text: t.status === 'failed' && t.error ? t.summary + '  \u2014 ' + t.error : t.summary, cls: 'arch' },
    ]);
    tr.dataset.id = t.id;
    if (t.id === state.trialId) tr.classList.add('selected');
    return tr;
  }));
  const from = page.total ? page.offset + 1 : 0;
  const to = page.offset + page.trials.length;
  $('page-info').textContent = from + '\u2013' + to + ' of ' + page.total;
  $('page-prev').disabled = page.offset === 0;
  $('page-next').disabled = to >= page.total;
}

function drawComponents(c) {
  replaceRows($('components').tBodies[0], c.components.map((r) => row([
    { text: r.kind }, { text: r.component_id }, { text: r.trials, cls: 'num' },
    { text: fixed(r.mean_val_loss, 4), cls: 'num' }, { text: fixed(r.best_val_loss, 4), cls: 'num' },
    { text: count(Math.round(r.mean_params)), cls: 'num' },
  ])));
}

function drawSearch(s) {
  $('space-file').textContent = s.space_file ? '(' + s.space_file + ')' : '';
  $('space-yaml').textContent = s.space_yaml || '(not recorded)';
}

function link(text, onClick) {
  const a = el('a', text, 'link');
  a.addEventListener('click', onClick);
  return a;
}

function drawTrial(t, curve) {
  $('trial-detail').hidden = false;
  $('trial-title').textContent = 'Trial ' + t.id + ' (#' + t.ordinal + ' of search ' + t.search_id + ', generation ' + t.generation + ') \u2014 ' + t.status;
  $('trial-summary').textContent = t.summary;
  const err = $('trial-error');
  err.hidden = !t.error;
  err.textContent = t.error || '';
  const links = $('trial-links');
  links.replaceChildren();
  const open = (id) => () => selectTrial(id, true).catch(showError);
  if (t.parent_trial_id) { links.append('mutated from '); links.appendChild(link('trial ' + t.parent_trial_id, open(t.parent_trial_id))); links.append('  '); }
  if (t.cached_from_trial_id) { links.append('answered from the cache: '); links.appendChild(link('trial ' + t.cached_from_trial_id, open(t.cached_from_trial_id))); }
  replaceRows($('trial-metrics').tBodies[0], Object.keys(t.metrics).map((k) => row([{ text: k }, { text: t.metrics[k] === null ? '-' : Number(t.metrics[k].toPrecision(6)), cls: 'num' }])));
  const recipe = t.recipe || {};
  const recipeRows = Object.keys(recipe).map((k) => row([{ text: k }, { text: typeof recipe[k] === 'object' ? JSON.stringify(recipe[k]) : recipe[k], cls: 'num' }]));
  replaceRows($('trial-recipe').tBodies[0], recipeRows.length ? recipeRows : [row([{ text: 'not recorded' }, { text: t.recipe_key || '' }])]);
  const layers = new Map();
  let finalNorm = null;
  for (const c of t.components) {
    if (c.layer < 0) { finalNorm = c; continue; }
    if (!layers.has(c.layer)) layers.set(c.layer, {});
    layers.get(c.layer)[c.slot] = c.component_id + ' ' + paramsText(c.params);
  }
  const rows = [...layers.keys()].sort((a, b) => a - b).map((i) => {
    const l = layers.get(i);
    return row([{ text: i }, { text: l.token_mixer || '' }, { text: l.channel_mixer || '' }, { text: l.norm || '' }, { text: l.residual || '' }]);
  });
  if (finalNorm) rows.push(row([{ text: 'final' }, { text: '' }, { text: '' }, { text: finalNorm.component_id + ' ' + paramsText(finalNorm.params) }, { text: '' }]));
  replaceRows($('architecture').tBodies[0], rows);
  $('architecture-json').textContent = JSON.stringify(t.architecture, null, 2);
  drawCurve(curve);
}

// ------------------------------------------------------------------ loading

function apiSearch(suffix) { return api('/api/searches/' + state.searchId + suffix); }

function trialsQuery() {
  const [sort, dir] = state.order.split(':');
  return '/trials?sort=' + sort + '&dir=' + dir + '&offset=' + state.offset + '&limit=' + state.limit;
}

async function refreshTrials() { drawTrials(await apiSearch(trialsQuery())); }

async function refreshCharts(withFinished) {
  const jobs = [apiSearch('/progress').then(drawProgress), refreshTrials()];
  if (withFinished) jobs.push(apiSearch('/pareto').then(drawPareto), apiSearch('/components').then(drawComponents));
  await Promise.all(jobs);
}

async function loadSearches() {
  const list = await api('/api/searches');
  const sel = $('search-select');
  sel.replaceChildren(...list.searches.map((s) => {
    const o = el('option', '#' + s.id + ' ' + s.name + ' (' + s.status + ', ' + s.trials + ' trials)');
    o.value = String(s.id);
    return o;
  }));
  $('no-searches').hidden = list.searches.length > 0;
  if (!list.searches.length) return null;
  const ids = list.searches.map((s) => s.id);
  let want = state.searchId;
  if (want === null || !ids.includes(want) || (!state.userPicked && ids[0] !== want)) want = ids[0];
  sel.value = String(want);
  return want;
}

async function selectSearch(id) {
  state.searchId = id;
  state.version = null;
  state.finished = null;
  state.offset = 0;
  writeHash();
  // Everything at once: one round trip after the search list.
  const [summary, search] = await Promise.all([apiSearch('/summary'), apiSearch(''), refreshCharts(true)]);
  drawSummary(summary);
  drawSearch(search);
  state.version = summary.version;
  state.finished = summary.ok + summary.cached;
}

async function selectTrial(id, scroll) {
  state.trialId = id;
  writeHash();
  const [t, curve] = await Promise.all([api('/api/trials/' + id), api('/api/trials/' + id + '/curve')]);
  state.trialStatus = t.status;
  drawTrial(t, curve);
  for (const tr of document.querySelectorAll('tr.selected')) tr.classList.remove('selected');
  for (const tr of document.querySelectorAll('#trials tbody tr, #pareto-table tbody tr')) if (tr.dataset.id === String(id)) tr.classList.add('selected');
  markSelected($('progress-chart'));
  markSelected($('pareto-chart'));
  if (scroll) $('trial-detail').scrollIntoView({ block: 'start' });
}

async function poll() {
  if (state.loading) return;
  state.loading = true;
  try {
    state.ticks++;
    if (state.searchId === null || state.ticks % SEARCH_LIST_EVERY === 0) {
      const want = await loadSearches();
      if (want !== null && want !== state.searchId) { await selectSearch(want); return; }
    }
    if (state.searchId === null) return;
    const s = await apiSearch('/summary');
    drawSummary(s);
    if (s.version !== state.version) {
      const finished = s.ok + s.cached;
      await refreshCharts(finished !== state.finished);
      state.version = s.version;
      state.finished = finished;
      if (state.trialId !== null && state.trialStatus === 'running') await selectTrial(state.trialId);
    }
    showError(null);
  } catch (e) {
    showError(e);
  } finally {
    state.loading = false;
  }
}

function writeHash() {
  const parts = [];
  if (state.searchId !== null && state.userPicked) parts.push('search=' + state.searchId);
  if (state.trialId !== null) parts.push('trial=' + state.trialId);
  const h = parts.length ? '#' + parts.join('&') : '';
  if (location.hash !== h) history.replaceState(null, '', h || location.pathname);
}

function readHash() {
  const m = /^#(.*)$/.exec(location.hash);
  if (!m) return {};
  const out = {};
  for (const kv of m[1].split('&')) {
    const [k, v] = kv.split('=');
    if (/^[0-9]{1,15}$/.test(v || '')) out[k] = Number(v);
  }
  return out;
}

function wire() {
  $('search-select').addEventListener('change', (e) => {
    state.userPicked = true;
    selectSearch(Number(e.target.value)).catch(showError);
  });
  $('trial-order').addEventListener('change', (e) => { state.order = e.target.value; state.offset = 0; refreshTrials().catch(showError); });
  $('page-prev').addEventListener('click', () => { state.offset = Math.max(0, state.offset - state.limit); refreshTrials().catch(showError); });
  $('page-next').addEventListener('click', () => { state.offset += state.limit; refreshTrials().catch(showError); });
  const clickRow = (e) => {
    const target = e.target.closest('[data-id]');
    if (target) selectTrial(Number(target.dataset.id), true).catch(showError);
  };
  for (const id of ['trials', 'pareto-table']) $(id).addEventListener('click', clickRow);
  const charts = {
    'progress-chart': (q) => 'trial ' + q[2] + ' (#' + q[3] + '): val_loss ' + fixed(q[4], 4),
    'pareto-chart': (q) => 'trial ' + q[2] + ': ' + count(q[3]) + ' params, val_loss ' + fixed(q[4], 4),
  };
  for (const [id, describe] of Object.entries(charts)) {
    const svg = $(id);
    svg.addEventListener('click', (e) => {
      const q = nearest(svg, e);
      if (q) selectTrial(Number(q[2]), true).catch(showError);
    });
    svg.addEventListener('mousemove', (e) => hover(svg, e, describe));
    svg.addEventListener('mouseleave', () => { const l = svg.querySelector('.hover-label'); if (l) l.remove(); });
  }
}

async function start() {
  wire();
  const h = readHash();
  try {
    if (h.search) { state.userPicked = true; state.searchId = h.search; }
    const want = await loadSearches();
    if (want !== null) await selectSearch(want);
    if (h.trial) await selectTrial(h.trial);
    showError(null);
  } catch (e) {
    showError(e);
  }
  // For tests and the benchmark: when the first full render was done (ms since navigation start).
  document.body.dataset.loadedMs = String(Math.round(performance.now()));
  setInterval(poll, POLL_MS);
}

start();
