// The demo page: polls state.json once a second and draws the swarm, the shares and the table.
'use strict';

const POLL_MS = 1000;
const SVG = 'http://www.w3.org/2000/svg';
const COLORS = { cache: '#7f8c8d', peers: '#27ae60', cdn: '#e67e22' };

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}
function svg(tag, attrs) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}
function mb(bytes) { return (bytes / 1e6).toFixed(1); }
function ms(v) { return v.toFixed(0) + ' ms'; }
function pct(part, whole) { return whole === 0 ? '–' : (100 * part / whole).toFixed(1) + '%'; }

function position(n, count) {
  if (n === 0) return [0, 0];
  const a = -Math.PI / 2 + 2 * Math.PI * (n - 1) / count;
  return [200 * Math.cos(a), 200 * Math.sin(a)];
}

function drawSwarm(state) {
  const s = document.getElementById('swarm');
  s.replaceChildren();
  const count = state.nodes.length;
  const max = Math.max(1, ...state.transfers.map(t => t.bytesPerSecond));
  for (const t of state.transfers) {
    const [x1, y1] = position(t.from, count);
    const [x2, y2] = position(t.to, count);
    const width = 1 + 9 * Math.sqrt(t.bytesPerSecond / max);
    const line = svg('line', { x1, y1, x2, y2, stroke: t.from === 0 ? COLORS.cdn : COLORS.peers,
      'stroke-width': width.toFixed(1), 'stroke-opacity': 0.75, 'stroke-linecap': 'round', class: 'transfer' });
    const title = svg('title', {});
    title.textContent = (t.from === 0 ? 'origin' : 'node ' + t.from) + ' → node ' + t.to + ': '
      + (t.bytesPerSecond / 1e6).toFixed(2) + ' MB/s';
    line.append(title);
    s.append(line);
    // an arrowhead-like dot near the receiver shows the direction
    s.append(svg('circle', { cx: x1 + (x2 - x1) * 0.85, cy: y1 + (y2 - y1) * 0.85, r: (width / 2 + 2).toFixed(1),
      fill: t.from === 0 ? COLORS.cdn : COLORS.peers }));
  }
  const origin = svg('g', { class: 'origin' });
  origin.append(svg('rect', { x: -34, y: -18, width: 68, height: 36, rx: 6, fill: '#fdf2e9', stroke: COLORS.cdn, 'stroke-width': 2 }));
  const ot = svg('text', { x: 0, y: 5, 'text-anchor': 'middle' });
  ot.textContent = 'origin';
  origin.append(ot);
  s.append(origin);
  for (const node of state.nodes) {
    const [x, y] = position(node.n, count);
    const g = svg('g', { class: 'node' });
    const played = node.played.cache + node.played.peers + node.played.cdn;
    const peerShare = played === 0 ? 0 : (node.played.peers + node.played.cache) / played;
    g.append(svg('circle', { cx: x, cy: y, r: 20, fill: '#fff', stroke: '#2c3e50', 'stroke-width': 2 }));
    // the inner disc fills with the share of its played bytes that did not come from the CDN
    g.append(svg('circle', { cx: x, cy: y, r: (4 + 14 * peerShare).toFixed(1), fill: COLORS.peers, 'fill-opacity': 0.5 }));
    const text = svg('text', { x, y: y + 5, 'text-anchor': 'middle' });
    text.textContent = node.n;
    g.append(text);
    const title = svg('title', {});
    title.textContent = 'node ' + node.n + ' (' + node.id + '): ' + node.plays + ' plays, ' + mb(played) + ' MB played';
    g.append(title);
    s.append(g);
  }
}

function drawShares(state) {
  const p = state.totals.played;
  const total = p.cache + p.peers + p.cdn;
  // history: [elapsed s, cache, peers, CDN] bytes played so far, one sample a second since the start
  const shares = state.history.filter(h => h[1] + h[2] + h[3] > 0).map(h => {
    const all = h[1] + h[2] + h[3];
    return { t: h[0], cache: h[1] / all, peers: h[2] / all, cdn: h[3] / all };
  });
  const c = document.getElementById('shares');
  const g = c.getContext('2d');
  g.clearRect(0, 0, c.width, c.height);
  const x = t => c.width * t / Math.max(1, state.durationS);
  const h = c.height - 16;
  for (const [k, below] of [['cdn', []], ['peers', ['cdn']], ['cache', ['cdn', 'peers']]]) {
    if (shares.length === 0) break;
    g.beginPath();
    shares.forEach((s, i) => {
      const base = below.reduce((a, b) => a + s[b], 0);
      if (i === 0) g.moveTo(x(s.t), h * (1 - base - s[k])); else g.lineTo(x(s.t), h * (1 - base - s[k]));
    });
    for (let i = shares.length - 1; i >= 0; i--) {
      const base = below.reduce((a, b) => a + shares[i][b], 0);
      g.lineTo(x(shares[i].t), h * (1 - base));
    }
    g.closePath();
    g.fillStyle = COLORS[k];
    g.fill();
  }
  g.fillStyle = '#555';
  g.font = '11px sans-serif';
  g.fillText('0 s', 2, c.height - 3);
  g.textAlign = 'right';
  g.fillText(state.durationS + ' s', c.width - 2, c.height - 3);
  g.textAlign = 'left';
  document.getElementById('share-now').textContent = total === 0 ? '' : ' — now: cache ' + pct(p.cache, total)
    + ', peers ' + pct(p.peers, total) + ', CDN ' + pct(p.cdn, total) + ' of ' + mb(total) + ' MB';
}

function fillNodes(state) {
  const body = document.querySelector('#nodes tbody');
  body.replaceChildren(...state.nodes.map(n => {
    const tr = el('tr');
    tr.dataset.node = n.n;
    const played = n.played.cache + n.played.peers + n.played.cdn;
    const link = el('a', 'open');
    if (state.phase === 'running') link.href = n.page; else link.replaceChildren(document.createTextNode('(closed)'));
    const cell = el('td');
    cell.append(link);
    tr.append(el('td', n.n), el('td', n.plays, 'num'), el('td', n.skips, 'num'), el('td', mb(played), 'num'),
      el('td', mb(n.played.cache), 'num'), el('td', mb(n.played.peers), 'num'), el('td', mb(n.played.cdn), 'num'),
      el('td', mb(n.uploaded), 'num'), el('td', ms(n.startP50Ms), 'num'), el('td', ms(n.startP90Ms), 'num'),
      el('td', n.stutters, 'num'), el('td', n.neighbours, 'num'), cell);
    return tr;
  }));
  const t = state.totals;
  const played = t.played.cache + t.played.peers + t.played.cdn;
  const foot = el('tr');
  foot.append(el('td', 'total'), el('td', t.plays, 'num'), el('td', ''), el('td', mb(played), 'num'),
    el('td', mb(t.played.cache), 'num'), el('td', mb(t.played.peers), 'num'), el('td', mb(t.played.cdn), 'num'),
    el('td', ''), el('td', ''), el('td', ''), el('td', ''), el('td', ''), el('td', ''));
  document.querySelector('#nodes tfoot').replaceChildren(foot);
}

function show(state) {
  document.body.dataset.phase = state.phase;
  const phase = document.getElementById('phase');
  phase.textContent = state.phase;
  phase.className = 'badge ' + state.phase;
  if (state.phase === 'starting') return;
  document.getElementById('summary').textContent = state.nodes.length + ' nodes — ' + state.elapsedS + ' s of '
    + state.durationS + ' s';
  drawSwarm(state);
  drawShares(state);
  fillNodes(state);
  if (state.table) {
    document.getElementById('final-table').textContent = state.table;
    document.getElementById('final').hidden = false;
  }
  document.body.dataset.updates = String(Number(document.body.dataset.updates) + 1);
}

async function poll() {
  try {
    const r = await fetch('state.json', { cache: 'no-store' });
    if (!r.ok) throw new Error('HTTP ' + r.status);
    show(await r.json());
    document.getElementById('status').textContent = '';
  } catch (e) {
    document.getElementById('status').textContent = 'the demo is not answering (' + e.message + '): it has ended';
  }
  setTimeout(poll, POLL_MS);
}

poll();
