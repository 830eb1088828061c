/// The live page, compiled into the binary (no CDN: the daemon's machines may be offline): one HTML document with
/// its style and script inline. It watches one stream over `/events` (server-sent events) and draws observations,
/// the predicted mean and the band as SVG; below, the models (`/api/overview`) and the largest recent errors.
enum LivePage {
    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>predictord</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; background: #fafafa; }
  h1 { font-size: 1.3em; margin: 0 0 .3em; } h2 { font-size: 1.05em; margin: 1.4em 0 .4em; }
  #summary { color: #555; } #status { color: #555; margin-left: .8em; }
  input { font: inherit; padding: .25em .4em; width: 22em; } button { font: inherit; padding: .25em .8em; }
  svg { background: #fff; border: 1px solid #ddd; width: 100%; max-width: 960px; height: 320px; display: block; margin-top: .6em; }
  .band { fill: #4a90d9; fill-opacity: .18; stroke: none; } .mean { fill: none; stroke: #1f5fa8; stroke-width: 1.6; }
  .obs { fill: #d9534f; } .axis { stroke: #bbb; stroke-width: 1; } .label { fill: #777; font-size: 11px; }
  table { border-collapse: collapse; background: #fff; } td, th { border: 1px solid #ddd; padding: .25em .6em; text-align: left; vertical-align: top; }
  th { background: #f0f0f0; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
  pre { margin: 0; font-size: 12px; white-space: pre-wrap; } a { color: #1f5fa8; cursor: pointer; }
  .legend span { margin-right: 1.2em; } .sw { display: inline-block; width: .9em; height: .9em; vertical-align: -0.1em; margin-right: .3em; }
</style>
</head>
<body>
<h1>predictord</h1>
<div id="summary">loading…</div>
<h2>Stream</h2>
<form id="pick"><input id="stream" list="matches" placeholder="stream id or prefix, e.g. series/" autocomplete="off">
<datalist id="matches"></datalist> <button>Watch</button><span id="status"></span></form>
<div class="legend"><span><i class="sw" style="background:#d9534f"></i>observation</span>
<span><i class="sw" style="background:#1f5fa8"></i>predicted mean of the next value</span>
<span><i class="sw" style="background:#4a90d9;opacity:.35"></i>interval (first level, 90 % by default)</span></div>
<svg id="chart" viewBox="0 0 960 320" preserveAspectRatio="none" data-points="0"></svg>
<h2>Largest recent errors</h2>
<p class="label">|y − predicted mean| / predicted sd over the last 10–20 s, one row per stream; click to watch.</p>
<table id="errors"><thead><tr><th>stream</th><th>model</th><th>|z|</th></tr></thead><tbody></tbody></table>
<h2>Models</h2>
<table id="models"><thead><tr><th>model</th><th>kind</th><th>match</th><th>recent mse</th><th>recent log loss</th>
<th>recent coverage</th><th>learned slow memory</th><th>configuration</th></tr></thead><tbody></tbody></table>
<script>
"use strict";
const MAX_POINTS = 300;
let points = [], source = null, watching = "";
const $ = (id) => document.getElementById(id);
const fmt = (v, d = 4) => v === null || v === undefined ? "–" : Number(v).toPrecision(d);
function text(tag, value, cls) { const e = document.createElement(tag); e.textContent = value; if (cls) e.className = cls; return e; }

function watch(stream) {
  if (source) source.close();
  points = []; watching = stream; draw();
  $("stream").value = stream;
  history.replaceState(null, "", "?stream=" + encodeURIComponent(stream));
  $("status").textContent = "connecting…";
  source = new EventSource("events?stream=" + encodeURIComponent(stream));
  source.onopen = () => { $("status").textContent = "watching " + stream + " (live)"; };
  source.onerror = () => { $("status").textContent = "connection lost; retrying…"; };
  source.onmessage = (event) => {
    points.push(JSON.parse(event.data));
    if (points.length > MAX_POINTS) points.splice(0, points.length - MAX_POINTS);
    draw();
  };
}

function draw() {
  const svg = $("chart"), W = 960, H = 320, L = 50, R = 10, T = 10, B = 24;
  svg.textContent = "";
  svg.dataset.points = points.length;
  svg.dataset.stream = watching;
  if (points.length === 0) return;
  const values = [];
  for (const p of points) for (const v of [p.y, p.mean, p.lo, p.hi]) if (v !== null && isFinite(v)) values.push(v);
  let lo = Math.min(...values), hi = Math.max(...values);
  if (hi - lo < 1e-12) { lo -= 1; hi += 1; }
  const pad = (hi - lo) * 0.05; lo -= pad; hi += pad;
  const n = points.length, x = (i) => L + (W - L - R) * (n === 1 ? 0.5 : i / n), y = (v) => T + (H - T - B) * (hi - v) / (hi - lo);
  const ns = "http://www.w3.org/2000/svg", el = (tag, attrs) => {
    const e = document.createElementNS(ns, tag); for (const k in attrs) e.setAttribute(k, attrs[k]); svg.appendChild(e); return e; };
  el("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, class: "axis" });
  el("line", { x1: L, y1: T, x2: L, y2: H - B, class: "axis" });
  el("text", { x: 4, y: T + 10, class: "label" }).textContent = fmt(hi, 3);
  el("text", { x: 4, y: H - B, class: "label" }).textContent = fmt(lo, 3);
  el("text", { x: L, y: H - 6, class: "label" }).textContent = "seq " + (points[0].seq ?? points[0].i);
  el("text", { x: W - R - 90, y: H - 6, class: "label" }).textContent = "seq " + (points[n - 1].seq ?? points[n - 1].i);
  // The forecast made after point i is of point i + 1: drawn one step to the right of it.
  const band = points.map((p, i) => [i + 1, p]).filter(([, p]) => p.lo !== null && p.hi !== null);
  if (band.length > 1) {
    const upper = band.map(([i, p]) => x(i) + "," + y(p.hi)), lower = band.map(([i, p]) => x(i) + "," + y(p.lo)).reverse();
    el("polygon", { points: upper.concat(lower).join(" "), class: "band", "data-count": band.length });
  }
  const means = points.map((p, i) => [i + 1, p.mean]).filter(([, m]) => m !== null);
  el("polyline", { points: means.map(([i, m]) => x(i) + "," + y(m)).join(" "), class: "mean", "data-count": means.length,
    "data-values": means.map(([, m]) => m).join(" ") });
  points.forEach((p, i) => {
    if (p.y === null) return;
    el("circle", { cx: x(i), cy: y(p.y), r: 2.6, class: "obs", "data-seq": p.seq ?? "", "data-y": p.y });
  });
}

async function search(prefix) {
  if (!prefix) return;
  try {
    const r = await fetch("api/streams?prefix=" + encodeURIComponent(prefix));
    if (!r.ok) return;
    const found = await r.json(), list = $("matches");
    list.textContent = "";
    for (const s of found.streams) { const o = document.createElement("option"); o.value = s; list.appendChild(o); }
  } catch (e) {}
}

async function overview() {
  try {
    const r = await fetch("api/overview");
    if (!r.ok) { $("summary").textContent = "overview: HTTP " + r.status; return; }
    const o = await r.json();
    $("summary").textContent = o.contexts + (o.contexts === 1 ? " stream, " : " streams, ") + o.observations + " observations and " + o.predictions + " predictions since start";
    const errors = $("errors").tBodies[0]; errors.textContent = "";
    for (const e of o.largest_errors) {
      const row = errors.insertRow(), a = text("a", e.stream);
      a.onclick = () => watch(e.stream); row.insertCell().appendChild(a);
      row.appendChild(text("td", e.model)); row.appendChild(text("td", fmt(Math.abs(e.z), 3), "num"));
    }
    const models = $("models").tBodies[0]; models.textContent = "";
    for (const m of o.models) {
      const row = models.insertRow();
      row.appendChild(text("td", m.name)); row.appendChild(text("td", m.kind)); row.appendChild(text("td", JSON.stringify(m.match)));
      row.appendChild(text("td", fmt(m.mse), "num")); row.appendChild(text("td", fmt(m.log_loss), "num"));
      row.appendChild(text("td", fmt(m.interval_coverage, 3), "num"));
      const learned = row.insertCell(); learned.appendChild(text("pre", m.learned.length ? m.learned.join("\n") : "(configured values only)"));
      const conf = row.insertCell(), details = document.createElement("details");
      details.appendChild(text("summary", "parameters")); details.appendChild(text("pre", m.configuration.join("\n")));
      conf.appendChild(details);
    }
  } catch (e) { $("summary").textContent = "overview unavailable: " + e; }
}

$("pick").onsubmit = (event) => { event.preventDefault(); const s = $("stream").value.trim(); if (s) watch(s); };
let timer = null;
$("stream").oninput = () => { clearTimeout(timer); timer = setTimeout(() => search($("stream").value.trim()), 300); };
const initial = new URLSearchParams(location.search).get("stream");
if (initial) watch(initial);
overview(); setInterval(overview, 2000);
</script>
</body>
</html>
"""#
}
