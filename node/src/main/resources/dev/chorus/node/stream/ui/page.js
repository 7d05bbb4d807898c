// The node's page: polls ui/state.json once a second and draws what it says. Relative URLs
// throughout, so the page works under the endpoint's /t/<token>/ prefix as well as at /.
'use strict';

const POLL_MS = 1000;
const HISTORY = 120; // samples kept for the rate chart
const COLORS = { cache: '#7f8c8d', peers: '#27ae60', cdn: '#e67e22', missing: '#ecf0f1' };
const history = [];
let catalogTitles = {};

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function mb(bytes) { return (bytes / 1e6).toFixed(1) + ' MB'; }
function rate(bps) { return bps === null ? '–' : (bps / 1e6).toFixed(2) + ' MB/s'; }
function short(hex) { return hex.substring(0, 8); }
function peerColor(k) { return 'hsl(' + ((140 + k * 47) % 360) + ', 55%, ' + (38 + (k % 3) * 10) + '%)'; }
function clock(ms) {
  const s = Math.round(ms / 1000);
  return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
}

async function getJson(path) {
  const r = await fetch(path, { cache: 'no-store' });
  if (!r.ok) throw new Error(path + ': HTTP ' + r.status);
  return r.json();
}

function drawRates() {
  const c = document.getElementById('rates');
  const g = c.getContext('2d');
  g.clearRect(0, 0, c.width, c.height);
  const rates = [];
  for (let i = 1; i < history.length; i++) {
    const a = history[i - 1], b = history[i];
    const dt = Math.max(0.001, (b.t - a.t) / 1000);
    rates.push({
      cache: Math.max(0, b.cache - a.cache) / dt,
      peers: Math.max(0, b.peers - a.peers) / dt,
      cdn: Math.max(0, b.cdn - a.cdn) / dt,
    });
  }
  const max = Math.max(1, ...rates.map(r => r.cache + r.peers + r.cdn));
  const w = c.width / (HISTORY - 1);
  const h = c.height - 14;
  rates.forEach((r, i) => {
    const x = c.width - (rates.length - i) * w;
    let y = c.height;
    for (const k of ['cache', 'peers', 'cdn']) {
      const bh = r[k] / max * h;
      g.fillStyle = COLORS[k];
      g.fillRect(x, y - bh, Math.ceil(w), bh);
      y -= bh;
    }
  });
  g.fillStyle = '#555';
  g.font = '11px sans-serif';
  g.fillText('max ' + rate(max) + ' played', 4, 11);
}

function drawChunks(current) {
  const c = document.getElementById('chunks');
  const g = c.getContext('2d');
  const legend = document.getElementById('chunk-legend');
  g.clearRect(0, 0, c.width, c.height);
  legend.replaceChildren();
  if (!current) return;
  const codes = current.chunks;
  const n = codes.length;
  const rows = 3;
  const perRow = Math.ceil(n / rows);
  const w = c.width / perRow;
  const h = c.height / rows;
  const counts = { cache: 0, cdn: 0, missing: 0 };
  for (let i = 0; i < n; i++) {
    const code = codes[i];
    let color;
    if (code === 'C') { color = COLORS.cache; counts.cache++; }
    else if (code === 'N') { color = COLORS.cdn; counts.cdn++; }
    else if (code === '.') { color = COLORS.missing; counts.missing++; }
    else if (code === 'P') { color = peerColor(26); }
    else { color = peerColor(code.charCodeAt(0) - 97); }
    g.fillStyle = color;
    g.fillRect((i % perRow) * w, Math.floor(i / perRow) * h, Math.max(1, w - (w > 3 ? 1 : 0)), h - 1);
  }
  const add = (cls, style, label) => {
    const s = el('span', null, 'sw ' + cls);
    if (style) s.style.background = style;
    legend.append(s, document.createTextNode(label));
  };
  add('cache', null, 'cache ' + counts.cache);
  add('cdn', null, 'CDN ' + counts.cdn);
  current.peers.forEach((p, k) => {
    add('peer', peerColor(k), 'peer ' + short(p) + ' ' + [...codes].filter(x => x === String.fromCharCode(97 + k)).length);
  });
  add('missing', null, 'missing ' + counts.missing);
  legend.append(document.createTextNode('  — ' + n + ' chunks'));
}

function fillTotals(s, cache) {
  const t = document.getElementById('totals');
  const played = s.played.cache + s.played.peers + s.played.cdn;
  const pct = x => played === 0 ? '–' : (100 * x / played).toFixed(1) + '%';
  const rows = [
    ['played', mb(played)],
    ['  from cache', mb(s.played.cache) + ' (' + pct(s.played.cache) + ')'],
    ['  from peers', mb(s.played.peers) + ' (' + pct(s.played.peers) + ')'],
    ['  from CDN', mb(s.played.cdn) + ' (' + pct(s.played.cdn) + ')'],
    ['fetched from peers / CDN', mb(s.fetched.peers) + ' / ' + mb(s.fetched.cdn)],
    ['uploaded to peers', mb(s.uploaded)],
    ['cache', mb(cache.used) + ' of ' + mb(cache.capacity) + (cache.caching ? '' : ' (off after a storage error)')],
    ['playbacks', s.playbacks],
    ['start latency p50 / p90', s.startP50Ms.toFixed(0) + ' ms / ' + s.startP90Ms.toFixed(0) + ' ms'],
    ['stutters', s.stutters],
    ['peers banned', s.banned],
  ];
  t.replaceChildren(...rows.map(([k, v]) => {
    const tr = el('tr');
    tr.append(el('td', k), el('td', v, 'num'));
    return tr;
  }));
}

function fillNeighbours(list) {
  const body = document.querySelector('#neighbours tbody');
  body.replaceChildren(...list.map(n => {
    const tr = el('tr');
    tr.append(el('td', short(n.id)), el('td', n.address),
      el('td', n.rttMs === null ? '–' : n.rttMs.toFixed(2) + ' ms', 'num'),
      el('td', rate(n.bytesPerSecond), 'num'), el('td', mb(n.received), 'num'), el('td', mb(n.sent), 'num'));
    return tr;
  }));
  if (list.length === 0) {
    const tr = el('tr');
    const td = el('td', 'no neighbours connected', 'muted');
    td.colSpan = 6;
    tr.append(td);
    body.append(tr);
  }
}

function show(state) {
  document.getElementById('node-id').textContent = short(state.node);
  const tracker = document.getElementById('tracker');
  tracker.textContent = state.tracker ? 'tracker connected' : 'no tracker';
  tracker.className = 'badge ' + (state.tracker ? 'up' : 'down');
  const p = state.stats.played;
  history.push({ t: Date.now(), cache: p.cache, peers: p.peers, cdn: p.cdn });
  while (history.length > HISTORY) history.shift();
  drawRates();
  fillTotals(state.stats, state.cache);
  drawChunks(state.current);
  fillNeighbours(state.neighbours);
  const now = document.getElementById('now-playing');
  if (state.current) {
    const c = state.current;
    const title = catalogTitles[c.trackId] || short(c.trackId);
    now.textContent = (c.open ? 'node is streaming ' : 'node streamed ') + title + ': read ' + mb(c.readPosition) + ' of ' + mb(c.sizeBytes)
      + ' (' + clock(c.durationMillis) + ')';
  } else {
    now.textContent = 'nothing playing';
  }
  document.body.dataset.updates = String(Number(document.body.dataset.updates) + 1);
}

async function poll() {
  try {
    show(await getJson('ui/state.json'));
    document.getElementById('status').textContent = '';
  } catch (e) {
    document.getElementById('status').textContent = 'node not answering (' + e.message + ')';
  }
  setTimeout(poll, POLL_MS);
}

function play(trackId, title) {
  const player = document.getElementById('player');
  player.src = 'tracks/' + trackId;
  player.dataset.track = trackId;
  player.title = title;
  player.play().catch(e => { document.getElementById('status').textContent = 'cannot play: ' + e.message; });
}

async function loadCatalog() {
  const body = document.querySelector('#catalog tbody');
  try {
    const c = await getJson('ui/catalog.json');
    document.getElementById('catalog-error').textContent = c.error ? 'no catalog: ' + c.error : '';
    catalogTitles = {};
    body.replaceChildren(...c.tracks.map(t => {
      const title = t.title || short(t.trackId);
      catalogTitles[t.trackId] = title;
      const tr = el('tr');
      tr.dataset.track = t.trackId;
      const button = el('button', '▶', 'play');
      button.title = 'play ' + title + ' through this node';
      button.addEventListener('click', () => play(t.trackId, title));
      const cell = el('td');
      cell.append(button);
      tr.append(cell, el('td', title), el('td', t.artist || ''), el('td', clock(t.durationMillis), 'num'));
      return tr;
    }));
  } catch (e) {
    document.getElementById('catalog-error').textContent = 'no catalog: ' + e.message;
  }
  document.body.dataset.catalog = 'loaded';
}

loadCatalog();
poll();
