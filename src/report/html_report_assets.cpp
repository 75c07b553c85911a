// The HTML report's style sheet and script, inlined into every page so that it works offline.
//
// The script is hand-written vanilla JavaScript drawing plain SVG: no charting library is
// packaged by Debian in a form that can be inlined into a page, and a report must not fetch one.
// It reads only the page's embedded JSON and writes every value through textContent or
// setAttribute, never as markup.
#include "html_report_assets.hpp"

namespace vitdse::report::detail {

const char* const kReportCss = R"css(
body { font-family: system-ui, sans-serif; margin: 0 1.5rem 2rem; color: #222; background: #fff; }
header h1 { font-size: 1.4rem; margin: 1rem 0 0.3rem; }
.meta { color: #555; margin: 0 0 0.5rem; line-height: 1.5; }
h2 { font-size: 1.15rem; margin: 1.2rem 0 0.5rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
code { font-family: ui-monospace, monospace; font-size: 0.92em; }
.tabs { display: flex; gap: 0.3rem; flex-wrap: wrap; margin-bottom: 0.4rem; }
.tab { border: 1px solid #bbb; background: #f4f4f4; padding: 0.25rem 0.7rem; border-radius: 4px; cursor: pointer; }
.tab[aria-selected="true"] { background: #1f77b4; color: #fff; border-color: #1f77b4; }
.panes { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1.5rem; align-items: start; }
@media (max-width: 1100px) { .panes { grid-template-columns: minmax(0, 1fr); } }
figure.plot { margin: 0; }
svg.scatter, svg.hv { width: 100%; max-width: 760px; height: auto; display: block; }
svg.scatter { font-size: 12px; }
svg.scatter .grid { stroke: #e3e3e3; }
svg.scatter .frame { fill: none; stroke: #333; }
svg.scatter .pt { fill-opacity: 0.45; cursor: default; }
svg.scatter .pt.infeasible { stroke: #d62728; stroke-width: 1.6; fill: none; }
svg.scatter .stairs { fill: none; stroke-width: 1.5; stroke-opacity: 0.6; }
svg.scatter .front-pt { stroke: #fff; stroke-width: 1.5; cursor: pointer; }
svg.scatter .front-pt:hover, svg.scatter .front-pt.selected { stroke: #000; stroke-width: 2.5; }
.legend { list-style: none; padding: 0; margin: 0.3rem 0; display: flex; gap: 1.2rem; flex-wrap: wrap; color: #444; }
.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 50%; margin-right: 0.35rem; vertical-align: -1px; }
.swatch.dot { background: #888; opacity: 0.6; width: 7px; height: 7px; vertical-align: 1px; }
.cross { color: #d62728; margin-right: 0.35rem; }
.note { color: #666; font-size: 0.9rem; max-width: 760px; }
#design-details { border: 1px solid #ddd; border-radius: 6px; padding: 0.6rem 0.9rem; min-height: 6rem; overflow-x: auto; }
#design-details h3 { margin: 0.2rem 0 0.4rem; font-size: 1.05rem; }
#design-details .placeholder { color: #777; }
#design-details .figures { margin: 0 0 0.5rem; color: #444; }
svg.layers { display: block; font-size: 10px; margin: 0.3rem 0 0.6rem; }
table { border-collapse: collapse; font-size: 0.85rem; }
th, td { padding: 0.2rem 0.5rem; border-bottom: 1px solid #eee; text-align: right; white-space: nowrap; }
th { background: #f6f6f6; position: sticky; top: 0; }
td:nth-child(-n+3), th:nth-child(-n+3) { text-align: left; }
table.sortable th { cursor: pointer; user-select: none; }
table.sortable th[aria-sort="ascending"]::after { content: " \25B2"; font-size: 0.7em; }
table.sortable th[aria-sort="descending"]::after { content: " \25BC"; font-size: 0.7em; }
#front-table tbody tr { cursor: pointer; }
#front-table tbody tr:hover, #front-table tbody tr.selected { background: #eaf2fb; }
#layer-table td.settings { text-align: left; white-space: normal; min-width: 14rem; font-family: ui-monospace, monospace; font-size: 0.8rem; }
#layer-table tfoot td { font-weight: bold; border-top: 1px solid #999; }
pre.design { white-space: pre-wrap; word-break: break-all; font-size: 0.75rem; background: #f7f7f7; padding: 0.5rem; max-height: 14rem; overflow: auto; }
#tooltip { position: fixed; pointer-events: none; background: rgba(30, 30, 30, 0.92); color: #fff; padding: 0.35rem 0.55rem;
  border-radius: 4px; font-size: 0.8rem; line-height: 1.35; z-index: 10; max-width: 22rem; }
#tooltip .hash { font-family: ui-monospace, monospace; font-weight: bold; }
)css";

const char* const kReportJs = R"js(
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var SVG = 'http://www.w3.org/2000/svg';
  var tooltip = document.getElementById('tooltip');
  var details = document.getElementById('design-details');
  var PARTS = [
    ['mac_uJ', 'MAC', '#1f77b4'], ['nonlinear_uJ', 'nonlinear', '#ff7f0e'], ['sram_uJ', 'SRAM', '#2ca02c'],
    ['dram_uJ', 'DRAM', '#d62728'], ['static_uJ', 'static', '#9467bd'], ['device_uJ', 'device', '#8c564b']
  ];

  function num(v, digits) {
    if (v === null || v === undefined || !isFinite(v)) return '\u2013';
    return String(Number(Number(v).toPrecision(digits || 4)));
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function svgEl(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function runName(i) {
    var r = data.runs[i];
    return r ? r.id : '';
  }

  // ---- plot tabs: one cost objective at a time
  var tabs = Array.prototype.slice.call(document.querySelectorAll('.tab'));
  var plots = Array.prototype.slice.call(document.querySelectorAll('figure.plot'));
  function showPlot(metric) {
    tabs.forEach(function (t) { t.setAttribute('aria-selected', String(t.dataset.metric === metric)); });
    plots.forEach(function (p) { p.hidden = p.dataset.metric !== metric; });
  }
  tabs.forEach(function (t) { t.addEventListener('click', function () { showPlot(t.dataset.metric); }); });
  if (tabs.length) showPlot(tabs[0].dataset.metric);

  // ---- tooltips
  function itemOf(target) {
    var m = target.closest ? target.closest('[data-f],[data-p]') : null;
    if (!m || m.tagName.toLowerCase() === 'tr') return null;
    if (m.dataset.f !== undefined) return { front: +m.dataset.f, d: data.front[+m.dataset.f] };
    return { point: +m.dataset.p, d: data.points[+m.dataset.p] };
  }
  function showTip(item, x, y) {
    var d = item.d;
    tooltip.replaceChildren();
    tooltip.appendChild(el('div', { 'class': 'hash' }, d.design_hash));
    tooltip.appendChild(el('div', null, 'top-1 ' + num(d.top1_pct) + ' % (drop ' + num(d.top1_drop_pp, 3) + ' pp)'));
    tooltip.appendChild(el('div', null, 'energy ' + num(d.energy_uJ) + ' uJ'));
    tooltip.appendChild(el('div', null, 'area ' + num(d.area_mm2) + ' mm2'));
    if (data.runs.length > 1) tooltip.appendChild(el('div', null, 'run ' + runName(d.run)));
    if (item.point !== undefined) {
      tooltip.appendChild(el('div', null, 'evaluation #' + d.evaluation + (d.feasible ? '' : ', infeasible')));
    } else {
      tooltip.appendChild(el('div', null, 'on the front: click for its layers'));
    }
    tooltip.hidden = false;
    moveTip(x, y);
  }
  function moveTip(x, y) {
    var w = tooltip.offsetWidth, h = tooltip.offsetHeight;
    var left = x + 14, top = y + 14;
    if (left + w > window.innerWidth - 4) left = Math.max(4, x - w - 14);
    if (top + h > window.innerHeight - 4) top = Math.max(4, y - h - 14);
    tooltip.style.left = left + 'px';
    tooltip.style.top = top + 'px';
  }
  plots.forEach(function (fig) {
    var svg = fig.querySelector('svg');
    svg.addEventListener('mouseover', function (e) {
      var item = itemOf(e.target);
      if (item) showTip(item, e.clientX, e.clientY);
    });
    svg.addEventListener('mousemove', function (e) { if (!tooltip.hidden) moveTip(e.clientX, e.clientY); });
    svg.addEventListener('mouseout', function (e) { if (itemOf(e.target)) tooltip.hidden = true; });
    svg.addEventListener('click', function (e) {
      var item = itemOf(e.target);
      if (!item) return;
      if (item.front !== undefined) return showDesign(item.front);
      // A dot of a front design opens that design; others have no per-layer costs in the page.
      for (var j = 0; j < data.front.length; ++j) {
        if (data.front[j].run === item.d.run && data.front[j].design_hash === item.d.design_hash) return showDesign(j);
      }
      showNote(item.d);
    });
  });

  // ---- a front design: its figures, per-layer energy and assignment
  function showNote(p) {
    details.replaceChildren();
    details.appendChild(el('h3', null, 'Design ' + p.design_hash));
    details.appendChild(el('p', { 'class': 'figures' }, 'evaluation #' + p.evaluation + ': top-1 ' + num(p.top1_pct) +
      ' %, energy ' + num(p.energy_uJ) + ' uJ, area ' + num(p.area_mm2) + ' mm2' + (p.feasible ? '' : ', infeasible')));
    details.appendChild(el('p', { 'class': 'placeholder' },
      'Not on the front: per-layer costs are computed for the front\'s designs only.'));
  }

  function settingsText(json) {
    var s;
    try { s = JSON.parse(json); } catch (err) { return json; }
    return Object.keys(s).map(function (k) { return k + '=' + s[k]; }).join(' ');
  }

  function layerChart(layers, parts) {
    var rows = layers.filter(function (l) { return l.energy_uJ > 0; });
    var labelW = 130, barW = 300, rowH = 13, top = 18;
    var max = Math.max.apply(null, rows.map(function (l) { return l.energy_uJ; }).concat([1e-30]));
    var svg = svgEl('svg', { 'class': 'layers', width: labelW + barW + 70, height: top + rows.length * rowH + 4,
      role: 'img', 'aria-label': 'energy per layer' });
    var lx = labelW;
    parts.forEach(function (p) {
      svg.appendChild(svgEl('rect', { x: lx, y: 3, width: 9, height: 9, fill: p[2] }));
      svg.appendChild(svgEl('text', { x: lx + 12, y: 11 }, p[1]));
      lx += 16 + 7 * p[1].length;
    });
    rows.forEach(function (l, i) {
      var y = top + i * rowH;
      svg.appendChild(svgEl('text', { x: labelW - 4, y: y + 9, 'text-anchor': 'end' }, l.name));
      var x = labelW;
      parts.forEach(function (p) {
        var w = (l[p[0]] || 0) / max * barW;
        if (w <= 0) return;
        var r = svgEl('rect', { x: x, y: y + 1, width: w, height: rowH - 3, fill: p[2] });
        r.appendChild(svgEl('title', null, l.name + ': ' + p[1] + ' ' + num(l[p[0]]) + ' uJ'));
        svg.appendChild(r);
        x += w;
      });
      svg.appendChild(svgEl('text', { x: x + 4, y: y + 9 }, num(l.energy_uJ, 3)));
    });
    return svg;
  }

  function layerTable(layers, parts) {
    var table = el('table', { id: 'layer-table' });
    var head = el('tr');
    ['layer', 'unit', 'settings', 'MACs'].concat(parts.map(function (p) { return p[1] + ' uJ'; }))
      .concat(['total uJ']).forEach(function (h) { head.appendChild(el('th', null, h)); });
    table.appendChild(el('thead')).appendChild(head);
    var body = table.appendChild(el('tbody'));
    var sums = parts.map(function () { return 0; }), total = 0, macs = 0;
    layers.forEach(function (l) {
      var tr = body.appendChild(el('tr'));
      tr.appendChild(el('td', null, l.name));
      tr.appendChild(el('td', null, l.unit));
      tr.appendChild(el('td', { 'class': 'settings' }, settingsText(l.settings)));
      tr.appendChild(el('td', null, num(l.macs, 6)));
      parts.forEach(function (p, k) { tr.appendChild(el('td', null, num(l[p[0]]))); sums[k] += l[p[0]] || 0; });
      tr.appendChild(el('td', null, num(l.energy_uJ)));
      total += l.energy_uJ || 0;
      macs += l.macs || 0;
    });
    var foot = table.appendChild(el('tfoot')).appendChild(el('tr'));
    foot.appendChild(el('td', null, 'total'));
    foot.appendChild(el('td'));
    foot.appendChild(el('td'));
    foot.appendChild(el('td', null, num(macs, 6)));
    sums.forEach(function (s) { foot.appendChild(el('td', null, num(s))); });
    foot.appendChild(el('td', null, num(total)));
    return table;
  }

  function showDesign(j) {
    var d = data.front[j];
    if (!d) return;
    document.querySelectorAll('.selected').forEach(function (e) { e.classList.remove('selected'); });
    document.querySelectorAll('[data-f="' + j + '"]').forEach(function (e) { e.classList.add('selected'); });
    var parts = PARTS.filter(function (p) { return d.layers.some(function (l) { return l[p[0]] > 0; }); });
    details.replaceChildren();
    details.appendChild(el('h3', null, 'Design ' + d.design_hash + (data.runs.length > 1 ? ' (' + runName(d.run) + ')' : '')));
    details.appendChild(el('p', { 'class': 'figures' }, 'top-1 ' + num(d.top1_pct) + ' % (drop ' + num(d.top1_drop_pp, 3) +
      ' pp' + (d.full_test_top1_pct !== null ? '; full test ' + num(d.full_test_top1_pct) + ' %' : '') + '), energy ' +
      num(d.energy_uJ) + ' uJ, area ' + num(d.area_mm2) + ' mm2, latency ' + num(d.latency_ms) + ' ms, power ' +
      num(d.power_mW) + ' mW'));
    details.appendChild(el('div', null, 'Energy per layer (uJ), split by where it is spent:'));
    details.appendChild(layerChart(d.layers, parts));
    details.appendChild(layerTable(d.layers, parts));
    var more = details.appendChild(el('details'));
    more.appendChild(el('summary', null, 'canonical design (a design file for vitdse eval and vitdse cost)'));
    more.appendChild(el('pre', { 'class': 'design' }, d.design));
  }

  // ---- the front's table: sortable, and a row opens its design
  var table = document.getElementById('front-table');
  if (table) {
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    heads.forEach(function (th, col) {
      function sort() {
        var ascending = th.getAttribute('aria-sort') !== 'ascending';
        heads.forEach(function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
        var numeric = th.dataset.type === 'num';
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[col].dataset.v, y = b.cells[col].dataset.v, c;
          if (numeric) {
            var fx = x === '' ? Infinity : +x, fy = y === '' ? Infinity : +y;
            c = fx < fy ? -1 : fx > fy ? 1 : 0;
          } else {
            c = x < y ? -1 : x > y ? 1 : 0;
          }
          return ascending ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      }
      th.addEventListener('click', sort);
      th.addEventListener('keydown', function (e) { if (e.key === 'Enter') sort(); });
    });
    Array.prototype.slice.call(table.tBodies[0].rows).forEach(function (tr) {
      tr.addEventListener('click', function () { showDesign(+tr.dataset.f); });
      tr.addEventListener('keydown', function (e) { if (e.key === 'Enter') showDesign(+tr.dataset.f); });
    });
  }
})();
)js";

}  // namespace vitdse::report::detail
