// diffad dashboard: applies the server's snapshot and update events (server-sent events) to the
// page. Every record field is put into the page as text (textContent, attributes through the DOM),
// never parsed as HTML. Charts are uPlot's (from its WebJar). Memory is bounded like the server's:
// the same windows of points per source, thumbnails, rejections and alerts.
(function () {
  'use strict';

  const SOURCE_NONE = '(no source)';
  const st = {
    seq: 0,
    limits: { window: 1000, thumbnails: 24, rejections: 200, alerts: 200 },
    sources: new Map(),   // name -> { summary, points: [[t, score, flagged, thr]], card, chart, stats }
    flagged: [],          // newest first
    rejected: [],         // newest first
    alerts: [],           // newest first (by ts)
    totals: {},
    model: {},
    minutes: 5,
    dirty: { sources: new Set(), alerts: true, alertStates: false, rejected: true, flagged: true, header: true },
    received: 0,
  };
  const charts = {};
  // For people debugging and for the browser test: the charts and what the page holds.
  window.diffad = { state: st, charts: charts };

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function imgUrl(rel) {
    return 'img/' + String(rel).split('/').map(encodeURIComponent).join('/');
  }
  function fmt(v, digits) {
    if (v === undefined || v === null || !isFinite(v)) return '–';
    const a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e5)) return Number(v).toExponential(digits - 1);
    return Number(v).toPrecision(digits);
  }
  function seconds(v) {
    if (!isFinite(v)) return '–';
    return (Number.isInteger(v) ? String(v) : fmt(v, 3)) + ' s';
  }
  function time(ms) {
    if (ms === undefined || ms === null || !isFinite(ms)) return '–';
    return new Date(ms).toLocaleTimeString();
  }
  function timeEl(iso) {
    const t = el('time', null, isFinite(Date.parse(iso)) ? time(Date.parse(iso)) : iso);
    if (iso) t.setAttribute('datetime', String(iso));
    return t;
  }
  function sourceName(s) { return s === '' || s === undefined || s === null ? SOURCE_NONE : s; }

  // --- applying events -------------------------------------------------------------------------

  function applyHead(m) {
    st.totals = m.totals || {};
    st.model = m.model || {};
    if (m.limits) st.limits = m.limits;
    st.feed = m.feed;
    st.feedError = m.feedError || null;
    st.now = m.now;
    st.dirty.header = true;
  }

  function sourceOf(name) {
    let s = st.sources.get(name);
    if (!s) {
      s = { summary: { name: name }, points: [] };
      st.sources.set(name, s);
    }
    return s;
  }

  function applySnapshot(m) {
    applyHead(m);
    st.seq = m.seq;
    for (const s of st.sources.values()) removeCard(s);
    st.sources.clear();
    for (const so of m.sources || []) {
      const s = sourceOf(so.name);
      s.points = (so.points || []).map(p => [p[0], p[1], p[2], p[3]]);
      delete so.points;
      s.summary = so;
      st.dirty.sources.add(so.name);
    }
    st.flagged = (m.flagged || []).slice();
    st.rejected = (m.rejected || []).slice();
    st.alerts = sortAlerts((m.alerts || []).slice());
    st.dirty.alerts = st.dirty.rejected = st.dirty.flagged = true;
    schedule();
  }

  function applyUpdate(m) {
    applyHead(m);
    const after = st.seq;  // items up to here were in the snapshot (or an earlier update)
    for (const so of m.sources || []) {
      sourceOf(so.name).summary = so;
      st.dirty.sources.add(so.name);
    }
    for (const p of m.points || []) {
      if (p.seq <= after) continue;
      const s = sourceOf(p.source);
      s.points.push([p.t, p.score, p.flagged, p.threshold === undefined ? null : p.threshold]);
      if (s.points.length > st.limits.window) s.points.splice(0, s.points.length - st.limits.window);
      st.dirty.sources.add(p.source);
    }
    const fresh = (list) => (list || []).filter(x => x.seq > after);
    const f = fresh(m.flagged);
    if (f.length) {
      st.flagged = f.reverse().concat(st.flagged).slice(0, st.limits.thumbnails);
      st.dirty.flagged = true;
    }
    const r = fresh(m.rejected);
    if (r.length) {
      st.rejected = r.reverse().concat(st.rejected).slice(0, st.limits.rejections);
      st.dirty.rejected = true;
    }
    const a = fresh(m.alerts);
    if (a.length) {
      st.alerts = sortAlerts(a.concat(st.alerts)).slice(0, st.limits.alerts);
      st.dirty.alerts = true;
    }
    st.seq = Math.max(st.seq, m.seq);
    schedule();
  }

  function sortAlerts(list) {
    return list.sort((x, y) => (Date.parse(y.ts) - Date.parse(x.ts)) || (y.seq - x.seq));
  }

  // --- rendering -------------------------------------------------------------------------------

  let scheduled = false;
  function schedule() {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => { scheduled = false; render(); });
  }

  function render() {
    if (st.dirty.header) { renderHeader(); st.dirty.header = false; }
    for (const name of st.dirty.sources) renderSource(name);
    st.dirty.sources.clear();
    if (st.dirty.alerts) { renderAlerts(); st.dirty.alerts = false; st.dirty.alertStates = false; }
    if (st.dirty.alertStates) { renderAlertStates(); st.dirty.alertStates = false; }
    if (st.dirty.rejected) { renderRejected(); st.dirty.rejected = false; }
    if (st.dirty.flagged) { renderFlagged(); st.dirty.flagged = false; }
    const empty = $('sources').querySelector(':scope > .empty');
    if (empty) empty.hidden = st.sources.size > 0;
  }

  function renderHeader() {
    const t = st.totals;
    $('total-scored').textContent = t.scored || 0;
    $('total-flagged').textContent = t.flagged || 0;
    $('total-share').textContent = t.scored ? '(' + (100 * t.flagged / t.scored).toFixed(1) + ' %)' : '';
    $('total-rejected').textContent = t.rejected || 0;
    $('total-alerts').textContent = t.alerts || 0;
    $('total-unscored').textContent = t.unscored || 0;
    $('total-unscored-box').hidden = !t.unscored;
    $('total-unreadable').textContent = t.unreadable || 0;
    $('total-unreadable-box').hidden = !t.unreadable;
    $('total-read').textContent = t.read || 0;
    $('model-name').textContent = st.model.name || '–';
    $('model-sha').textContent = st.model.sha256 ? st.model.sha256.slice(0, 12) : '–';
    $('model-sha').title = st.model.sha256 || '';
    $('model-threshold').textContent = st.model.threshold === undefined ? 'not calibrated'
      : fmt(st.model.threshold, 4);
    $('feed').textContent = st.feed || '';
    $('feed-error').textContent = st.feedError || '';
    $('feed-error').hidden = !st.feedError;
  }

  function removeCard(s) {
    if (s.chart) { s.chart.destroy(); delete charts[s.summary.name]; }
    if (s.card) s.card.remove();
  }

  function card(name, s) {
    const c = el('article', 'source');
    c.dataset.source = name;
    c.appendChild(el('h3', null, sourceName(name)));
    const stats = el('div', 'stats');
    const stat = (label) => {
      const span = el('span', null, label + ' ');
      const b = el('b');
      span.appendChild(b);
      stats.appendChild(span);
      return b;
    };
    s.stats = { rate: stat('inputs/min'), share: stat('flagged'), scored: stat('scored'), rejected: stat('rejected') };
    c.appendChild(stats);
    const holder = el('div', 'chart');
    c.appendChild(holder);
    s.card = c;
    // Sources in the order they first appeared.
    $('sources').appendChild(c);
    const width = Math.max(300, holder.clientWidth || 400);
    s.chart = new uPlot({
      width: width,
      height: 170,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true, range: () => s.range || [0, 1] } },
      series: [
        {},
        { label: 'score', stroke: '#2563eb', width: 1, points: { show: true, size: 4, fill: '#2563eb' } },
        { label: 'flagged', stroke: '#dc2626', paths: () => null, points: { show: true, size: 8, fill: '#dc2626' } },
        { label: 'threshold', stroke: '#f59e0b', width: 1.5, dash: [6, 4], points: { show: false } },
      ],
      axes: [{}, { size: 56 }],
    }, [[], [], [], []], holder);
    charts[name] = s.chart;
    // The card's width follows the grid (a new source narrows the others): so does the chart.
    new ResizeObserver(() => {
      const w = Math.max(300, Math.floor(holder.clientWidth));
      if (s.chart && Math.abs(s.chart.width - w) > 1) s.chart.setSize({ width: w, height: 170 });
    }).observe(holder);
  }

  function chartData(s) {
    const pts = s.points.slice().sort((a, b) => a[0] - b[0]);
    const now = Date.now() / 1000;
    const span = st.minutes * 60;
    const newest = pts.length ? pts[pts.length - 1][0] : now;
    // A folder of an earlier run: its own last minutes, not an empty stretch up to now.
    const hi = now - newest > span ? newest : now;
    const xs = [], ys = [], fs = [], ts = [];
    for (const p of pts) {
      if (p[0] < hi - span || p[0] > hi + 60) continue;
      xs.push(p[0]); ys.push(p[1]); fs.push(p[2] ? p[1] : null); ts.push(p[3]);
    }
    // At most the last N minutes; a younger source's chart starts a little before its first point.
    const lo = xs.length ? Math.max(hi - span, xs[0] - Math.max(5, 0.05 * (hi - xs[0]))) : hi - span;
    // The threshold across the whole range: its first and last value at the range's ends.
    if (ts.length && ts[0] !== null) { xs.unshift(lo); ys.unshift(null); fs.unshift(null); ts.unshift(ts[0]); }
    if (ts.length && ts[ts.length - 1] !== null) { xs.push(hi); ys.push(null); fs.push(null); ts.push(ts[ts.length - 1]); }
    s.range = [lo, hi];
    return [xs, ys, fs, ts];
  }

  function renderSource(name) {
    const s = st.sources.get(name);
    if (!s) return;
    if (!s.card) card(name, s);
    const m = s.summary;
    s.stats.rate.textContent = m.perMinute === undefined ? '–' : fmt(m.perMinute, 3);
    s.stats.share.textContent = m.scored ? (100 * m.flaggedShare).toFixed(1) + ' % (' + m.flagged + ')' : '–';
    s.stats.scored.textContent = m.scored || 0;
    s.stats.rejected.textContent = m.rejected || 0;
    s.chart.setData(chartData(s));
  }

  function alertOpen(a, newestOfSource) {
    // Open while its source keeps flagging: the newest alert of a source whose last flagged input
    // is within the alert's window of now. Quiet otherwise.
    if (!newestOfSource) return false;
    const s = st.sources.get(a.source);
    const last = s && s.summary.lastFlagged;
    return !!last && Date.now() - last < a.windowSeconds * 1000;
  }

  function renderAlerts() {
    const body = $('alerts').tBodies[0];
    const rows = document.createDocumentFragment();
    for (const a of st.alerts) {
      const tr = el('tr');
      tr.appendChild(el('td', 'source', sourceName(a.source)));
      tr.appendChild(el('td', null, seconds(a.windowSeconds)));
      tr.appendChild(el('td', 'count', a.count));
      const first = el('td', 'first'); first.appendChild(timeEl(a.firstTs)); tr.appendChild(first);
      const last = el('td', 'last'); last.appendChild(timeEl(a.lastTs)); tr.appendChild(last);
      tr.appendChild(el('td', 'state'));
      tr.title = 'raised ' + a.ts + (a.maxScoreId ? '; highest score ' + fmt(a.maxScore, 4) + ' (' + a.maxScoreId + ')' : '');
      rows.appendChild(tr);
    }
    body.replaceChildren(rows);
    renderAlertStates();
  }

  // Open or quiet changes with time alone: the rows stay, their state is set again.
  function renderAlertStates() {
    const rows = $('alerts').tBodies[0].rows;
    const seen = new Set();
    st.alerts.forEach((a, i) => {
      const open = alertOpen(a, !seen.has(a.source));
      seen.add(a.source);
      const tr = rows[i];
      if (!tr) return;
      const state = open ? 'open' : 'quiet';
      if (tr.dataset.state !== state) {
        tr.dataset.state = state;
        tr.cells[5].textContent = state;
      }
    });
  }

  function renderRejected() {
    const body = $('rejected').tBodies[0];
    const rows = document.createDocumentFragment();
    for (const r of st.rejected) {
      const tr = el('tr');
      tr.appendChild(el('td', null, time(r.ts)));
      tr.appendChild(el('td', 'source', sourceName(r.source)));
      tr.appendChild(el('td', 'id', r.id));
      tr.appendChild(el('td', 'reason', r.reason));
      tr.appendChild(el('td', 'detail', r.detail));
      rows.appendChild(tr);
    }
    body.replaceChildren(rows);
  }

  const thumbs = new Map(); // seq -> element (kept, so that an image is not loaded again)
  function renderFlagged() {
    const box = $('flagged');
    const keep = new Set();
    const list = document.createDocumentFragment();
    for (const f of st.flagged) {
      keep.add(f.seq);
      let t = thumbs.get(f.seq);
      if (!t) {
        t = el('figure', 'thumb');
        t.dataset.id = f.id;
        if (f.overlay) {
          const img = el('img');
          img.alt = 'heatmap of ' + f.id;
          img.loading = 'eager';
          img.src = imgUrl(f.overlay);
          t.appendChild(img);
        } else {
          t.appendChild(el('div', 'noimg', 'no heatmap'));
        }
        const cap = el('figcaption');
        cap.appendChild(el('div', 'id', f.id));
        const sc = el('div', 'sc', 'score ');
        sc.appendChild(el('b', null, fmt(f.score, 4)));
        sc.appendChild(document.createTextNode(' · normalised ' + (f.normalized === undefined ? '–' : f.normalized.toFixed(3))));
        cap.appendChild(sc);
        cap.appendChild(el('div', 'sc', sourceName(f.source) + ' · ' + time(f.ts)));
        const links = el('div');
        if (f.overlay) {
          const a = el('a', null, 'full size');
          a.href = imgUrl(f.overlay); a.target = '_blank'; a.rel = 'noopener';
          links.appendChild(a);
        }
        if (f.map) {
          const a = el('a', null, 'raw map');
          a.href = imgUrl(f.map); a.target = '_blank'; a.rel = 'noopener';
          links.appendChild(a);
        }
        cap.appendChild(links);
        t.appendChild(cap);
        thumbs.set(f.seq, t);
      }
      list.appendChild(t);
    }
    for (const k of Array.from(thumbs.keys())) if (!keep.has(k)) thumbs.delete(k);
    if (st.flagged.length === 0) list.appendChild(el('p', 'empty', 'None flagged yet.'));
    box.replaceChildren(list);
  }

  // --- wiring ----------------------------------------------------------------------------------

  $('minutes').addEventListener('change', (e) => {
    st.minutes = Number(e.target.value);
    for (const name of st.sources.keys()) st.dirty.sources.add(name);
    schedule();
  });
  // Time moves on without records: the charts' range and the alerts' state.
  setInterval(() => {
    for (const name of st.sources.keys()) st.dirty.sources.add(name);
    st.dirty.alertStates = true;
    schedule();
  }, 1000);

  function status(state, text) {
    const s = $('status');
    s.dataset.state = state;
    s.textContent = text;
  }
  const events = new EventSource('events');
  events.onopen = () => status('live', 'live');
  events.onerror = () => status('reconnecting', events.readyState === EventSource.CLOSED ? 'disconnected' : 'reconnecting…');
  events.addEventListener('snapshot', (e) => { st.received++; applySnapshot(JSON.parse(e.data)); });
  events.addEventListener('update', (e) => { st.received++; applyUpdate(JSON.parse(e.data)); });
  events.addEventListener('bye', () => { events.close(); status('reconnecting', 'server stopped'); });
})();
