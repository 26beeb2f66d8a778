import type { AnalysisFinding, ImageAnalysis, LayerReport, SizeEntry, TreeNode } from '../../../server/src/analyze/types';
import { humanSize, instructionLabel, shortId } from './format';

/**
 * The Analyze Image report as one HTML page for a webview: a pure function of the analysis, so it
 * is tested without VS Code. Everything is rendered here, escaped; the page's script only adds
 * behaviour (tree keys, clicks → `{type:'openLine', line}`), and it and the styles run under a
 * CSP that admits nothing but this render's nonce: no remote resources, no inline attributes.
 */

export interface RenderOptions {
  /** Fresh for every render. */
  nonce: string;
  /** `webview.cspSource`. */
  cspSource: string;
  /** A layer (history index) to scroll to and focus when the page opens: the CodeLens's layer. */
  layer?: number | undefined;
}

/** Messages the page posts to the extension. */
export type ReportMessage = { type: 'openLine'; line: number } | { type: 'showRule'; rule: string };

export function renderReport(analysis: ImageAnalysis, { nonce, cspSource, layer }: RenderOptions): string {
  const csp = [
    "default-src 'none'",
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    `img-src ${cspSource} data:`,
  ].join('; ');
  const data = { image: analysis.image, id: analysis.id, layer: layer ?? null };
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(csp).replace(/&#39;/g, "'")}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Layers: ${esc(analysis.image)}</title>
<style nonce="${esc(nonce)}">${STYLE}</style>
</head>
<body>
${header(analysis)}
${chart(analysis)}
${findings(analysis)}
${wasteTable(analysis)}
${sizeTable('largest-files', 'Largest files', analysis.largestFiles, analysis)}
${sizeTable('largest-directories', 'Largest directories', analysis.largestDirectories, analysis)}
${fileTrees(analysis)}
<script type="application/json" id="report-data" nonce="${esc(nonce)}">${jsonForScript(data)}</script>
<script nonce="${esc(nonce)}">${SCRIPT}</script>
</body>
</html>
`;
}

/** Escapes text for element content and double- or single-quoted attributes. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON that cannot end its `<script>` element early or start a comment in it. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function percent(ratio: number): string {
  return `${(Math.max(0, Math.min(1, ratio)) * 100).toFixed(1)}%`;
}

function header(a: ImageAnalysis): string {
  const nonEmpty = a.layers.filter((l) => !l.empty).length;
  const stat = (id: string, label: string, value: string, note = ''): string =>
    `<div class="stat" id="${id}"><div class="stat-label">${esc(label)}</div><div class="stat-value">${esc(value)}</div>${note ? `<div class="stat-note">${esc(note)}</div>` : ''}</div>`;
  const wasteShare = a.size > 0 ? ` (${percent(a.wastedBytes / a.size)} of the image)` : '';
  return `<header>
<h1>Layers: ${esc(a.image)}</h1>
<p class="meta">${esc(shortId(a.id))} · ${nonEmpty} layer${nonEmpty === 1 ? '' : 's'} with files, ${a.layers.length - nonEmpty} without · ${a.baseLayers} history entr${a.baseLayers === 1 ? 'y' : 'ies'} from the base image · ${esc(a.format)} · read ${esc(humanSize(a.archiveSize))} in ${(a.durationMs / 1000).toFixed(1)} s${a.dockerfile ? ` · ${esc(a.dockerfile)}` : ''}</p>
<div class="stats">
${stat('stat-size', 'Size', humanSize(a.size))}
${stat('stat-wasted', 'Wasted', humanSize(a.wastedBytes), wasteShare.trim())}
${stat('stat-efficiency', 'Efficiency', percent(a.efficiency), 'all layers')}
${stat('stat-user-efficiency', 'User efficiency', percent(a.userEfficiency), `layers above the base · ${humanSize(a.userWastedBytes)} wasted`)}
</div>
</header>`;
}

/** "line 3" as a link to the Dockerfile, or "layer #5" when the entry has no line. */
function layerRef(a: ImageAnalysis, index: number): string {
  const layer = a.layers.find((l) => l.index === index);
  if (layer?.line !== undefined) return `<button type="button" class="link" data-line="${layer.line}" title="${esc(instructionLabel(layer.createdBy))}">line ${layer.line}</button>`;
  return `<span title="${esc(layer ? instructionLabel(layer.createdBy) : '')}">layer #${index}</span>`;
}

function lineAttr(line: number | undefined): string {
  return line !== undefined && Number.isInteger(line) && line > 0 ? ` data-line="${line}"` : '';
}

const BAR_WIDTH = 1000;

function chart(a: ImageAnalysis): string {
  const layers = a.layers.filter((l) => !l.empty);
  const max = Math.max(1, ...layers.map((l) => l.size));
  const width = (bytes: number): number => (bytes <= 0 ? 0 : Math.max(2, Math.round((bytes / max) * BAR_WIDTH)));
  const rows = layers.map((l) => {
    const label = instructionLabel(l.createdBy);
    const where = l.line !== undefined ? `line ${l.line}` : `#${l.index}`;
    const waste = l.wastedBytes > 0 ? `<rect class="bar-waste" x="0" y="0" height="12" width="${width(Math.min(l.wastedBytes, l.size))}"></rect>` : '';
    const aria = `${where}: ${label}, ${humanSize(l.size)}${l.base ? ', base image' : ''}${l.wastedBytes > 0 ? `, ${humanSize(l.wastedBytes)} wasted` : ''}`;
    return `<li class="layer-row${l.base ? ' base' : ''}" tabindex="0" data-layer="${l.index}"${lineAttr(l.line)} title="${esc(l.createdBy)}" aria-label="${esc(aria)}">
<span class="layer-where">${esc(where)}</span>
<span class="layer-label">${l.base ? '<span class="badge">base</span> ' : ''}${esc(label)}</span>
<svg class="bar" viewBox="0 0 ${BAR_WIDTH} 12" preserveAspectRatio="none" aria-hidden="true"><rect class="bar-fill" x="0" y="0" height="12" width="${width(l.size)}"></rect>${waste}</svg>
<span class="layer-size">${esc(humanSize(l.size))}</span>
${l.tree ? `<button type="button" class="link files" data-target="layer-files-${l.index}" aria-label="Files of ${esc(where)}">files</button>` : '<span></span>'}
</li>`;
  });
  const empty = a.layers.length - layers.length;
  return `<section id="layer-chart" aria-labelledby="layer-chart-title">
<h2 id="layer-chart-title">Layer sizes</h2>
<p class="legend"><span class="swatch user" aria-hidden="true"></span>layer from this image <span class="swatch base" aria-hidden="true"></span>base image <span class="swatch waste" aria-hidden="true"></span>wasted (overwritten or deleted later)${empty ? ` · ${empty} instruction${empty === 1 ? '' : 's'} without files (ENV, CMD, …) not shown` : ''}</p>
${rows.length ? `<ol class="layers">\n${rows.join('\n')}\n</ol>` : '<p class="none">No layer has files.</p>'}
</section>`;
}

function findings(a: ImageAnalysis): string {
  const item = (f: AnalysisFinding): string => {
    const where = f.line !== undefined ? `line ${f.line}` : `layer #${f.layer}`;
    // Messages usually start with their line ("line 3 adds …"): say it once.
    const prefix = f.message.startsWith(`${where} `) ? '' : `<span class="finding-where">${esc(where)}</span> `;
    const rule = f.ruleId ? ` <button type="button" class="link rule" data-rule="${esc(f.ruleId)}" title="Show the rule's documentation">${esc(f.ruleId)}</button>` : '';
    return `<li class="finding" tabindex="0" data-layer="${f.layer}"${lineAttr(f.line)}${f.relatedLine !== undefined ? ` data-related-line="${f.relatedLine}"` : ''}>
${prefix}<span class="finding-message">${esc(f.message)}</span> <span class="finding-bytes">${esc(humanSize(f.bytes))}</span>${rule}
</li>`;
  };
  return `<section id="findings" aria-labelledby="findings-title">
<h2 id="findings-title">Findings</h2>
${a.findings.length ? `<ul class="findings">\n${a.findings.map(item).join('\n')}\n</ul>` : '<p class="none">Nothing to report: no layer leaves files that a later layer overwrites or deletes, and no package caches were found.</p>'}
</section>`;
}

function wasteTable(a: ImageAnalysis): string {
  const rows = a.waste.map(
    (w) => `<tr>
<td class="path">${esc(w.path)}</td>
<td class="num">${esc(humanSize(w.wastedBytes))}</td>
<td>${w.writtenBy.map((i) => layerRef(a, i)).join(', ')}</td>
<td>${layerRef(a, w.supersededBy)} <span class="how">${w.removed ? 'deleted' : 'overwritten'}</span></td>
</tr>`,
  );
  return `<section id="waste" aria-labelledby="waste-title">
<h2 id="waste-title">Wasted space</h2>
${
  rows.length
    ? `<table id="waste-table">
<thead><tr><th scope="col">Path</th><th scope="col" class="num">Wasted</th><th scope="col">Written by</th><th scope="col">Superseded by</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`
    : '<p class="none">No wasted bytes.</p>'
}
</section>`;
}

function sizeTable(id: string, title: string, entries: SizeEntry[], a: ImageAnalysis): string {
  if (!entries.length) return '';
  const rows = entries.map((e) => `<tr><td class="path">${esc(e.path)}</td><td class="num">${esc(humanSize(e.size))}</td><td>${layerRef(a, e.layer)}</td></tr>`);
  return `<section id="${id}" aria-labelledby="${id}-title">
<h2 id="${id}-title">${esc(title)}</h2>
<table>
<thead><tr><th scope="col">Path</th><th scope="col" class="num">Size</th><th scope="col">Layer</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
</section>`;
}

const MARKS = { added: '+', modified: '~', removed: '−' } as const;

function fileTrees(a: ImageAnalysis): string {
  const sections = a.layers.filter((l): l is LayerReport & { tree: TreeNode } => !l.empty && l.tree !== undefined).map((l) => layerFiles(l));
  if (!sections.length) return '';
  return `<section id="files" aria-labelledby="files-title">
<h2 id="files-title">Files by layer</h2>
<p class="legend"><span class="mark added">+</span> added <span class="mark modified">~</span> modified <span class="mark removed">−</span> removed</p>
${sections.join('\n')}
</section>`;
}

function layerFiles(l: LayerReport & { tree: TreeNode }): string {
  const label = instructionLabel(l.createdBy);
  const where = l.line !== undefined ? `line ${l.line}` : `layer #${l.index}`;
  const key = (path: string): string => `${l.index}:${path}`;
  let first = true;
  const render = (node: TreeNode, path: string, level: number, onlyChild: boolean): string => {
    const children = node.children ?? [];
    const expandable = children.length > 0 || node.omitted !== undefined;
    // A chain of single directories (usr/local/lib) opens by itself: one key press per level would be tedious.
    const open = expandable && onlyChild && level <= 8;
    const mark = node.change ? `<span class="mark ${node.change}" aria-hidden="true">${MARKS[node.change]}</span><span class="sr"> ${node.change}</span>` : '<span class="mark"></span>';
    const name = node.type === 'dir' ? `${node.name}/` : node.name;
    const tabindex = first ? '0' : '-1';
    first = false;
    const group = expandable
      ? `\n<ul role="group">\n${children.map((c) => render(c, `${path}/${c.name}`, level + 1, children.length === 1 && !node.omitted)).join('\n')}${node.omitted ? `\n${omitted(node.omitted, level + 1)}` : ''}\n</ul>`
      : '';
    return `<li role="treeitem" aria-level="${level}"${expandable ? ` aria-expanded="${open}"` : ''} tabindex="${tabindex}" data-key="${esc(key(path))}"${node.change ? ` class="${node.change}"` : ''}><span class="node"><span class="twisty" aria-hidden="true"></span>${mark}<span class="name">${esc(name)}</span><span class="size">${esc(humanSize(node.size))}</span></span>${group}</li>`;
  };
  const omitted = (o: { count: number; size: number }, level: number): string => {
    const tabindex = first ? '0' : '-1';
    first = false;
    return `<li role="treeitem" aria-level="${level}" tabindex="${tabindex}" class="omitted"><span class="node"><span class="twisty" aria-hidden="true"></span><span class="mark"></span><span class="name">… ${o.count} more (${esc(humanSize(o.size))})</span></span></li>`;
  };
  const roots = l.tree.children ?? [];
  const items = roots.map((c) => render(c, `/${c.name}`, 1, roots.length === 1 && !l.tree.omitted));
  if (l.tree.omitted) items.push(omitted(l.tree.omitted, 1));
  const counts = `<span class="mark added" aria-hidden="true">+</span>${l.added} <span class="mark modified" aria-hidden="true">~</span>${l.modified} <span class="mark removed" aria-hidden="true">−</span>${l.removed}<span class="sr"> (${l.added} added, ${l.modified} modified, ${l.removed} removed)</span>`;
  return `<div class="layer-files${l.base ? ' base' : ''}" id="layer-files-${l.index}">
<h3 class="layer-heading" tabindex="0" data-layer="${l.index}"${lineAttr(l.line)} title="${esc(l.createdBy)}"><span class="layer-where">${esc(where)}</span> ${l.base ? '<span class="badge">base</span> ' : ''}<span class="layer-label">${esc(label)}</span> <span class="layer-size">${esc(humanSize(l.size))}</span> <span class="counts">${counts}</span></h3>
${items.length ? `<ul role="tree" class="tree" aria-label="${esc(`Files changed by ${where}: ${label}`)}">\n${items.join('\n')}\n</ul>` : '<p class="none">No files.</p>'}
</div>`;
}

const STYLE = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 0 20px 40px; line-height: 1.4; }
h1 { font-size: 1.5em; font-weight: 600; margin: 16px 0 4px; word-break: break-all; }
h2 { font-size: 1.15em; font-weight: 600; margin: 28px 0 8px; border-bottom: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, transparent)); padding-bottom: 4px; }
h3 { font-size: 1em; font-weight: 600; margin: 16px 0 4px; }
.meta, .legend, .none, .stat-note, .how { color: var(--vscode-descriptionForeground); }
.stats { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 12px; }
.stat { border: 1px solid var(--vscode-widget-border, var(--vscode-panel-border, transparent)); background: var(--vscode-editorWidget-background); padding: 8px 14px; border-radius: 4px; min-width: 9em; }
.stat-label { color: var(--vscode-descriptionForeground); font-size: 0.9em; }
.stat-value { font-size: 1.6em; font-weight: 600; }
.stat-note { font-size: 0.85em; }
ol.layers, ul.findings { list-style: none; padding: 0; margin: 0; }
.layer-row { display: grid; grid-template-columns: 5.5em minmax(12em, 2fr) minmax(6em, 3fr) 5.5em 3em; gap: 8px; align-items: center; padding: 2px 6px; border-radius: 3px; cursor: default; }
.layer-row[data-line], .finding[data-line], .layer-heading[data-line] { cursor: pointer; }
.layer-row:hover, .finding:hover { background: var(--vscode-list-hoverBackground); }
.layer-where, .finding-where { color: var(--vscode-descriptionForeground); font-variant-numeric: tabular-nums; white-space: nowrap; }
.layer-label { font-family: var(--vscode-editor-font-family); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.layer-size, .finding-bytes, .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
svg.bar { width: 100%; height: 12px; display: block; }
.bar-fill { fill: var(--vscode-charts-blue); }
.base .bar-fill { fill: var(--vscode-charts-lines, var(--vscode-descriptionForeground)); }
.bar-waste { fill: var(--vscode-charts-red); }
.swatch { display: inline-block; width: 0.9em; height: 0.9em; vertical-align: middle; margin: 0 4px 0 10px; border-radius: 2px; }
.swatch.user { background: var(--vscode-charts-blue); }
.swatch.base { background: var(--vscode-charts-lines, var(--vscode-descriptionForeground)); }
.swatch.waste { background: var(--vscode-charts-red); }
.badge { font-family: var(--vscode-font-family); font-size: 0.8em; border: 1px solid var(--vscode-descriptionForeground); color: var(--vscode-descriptionForeground); border-radius: 3px; padding: 0 4px; }
.finding { padding: 4px 6px; border-radius: 3px; }
.finding-bytes { margin-left: 6px; color: var(--vscode-descriptionForeground); }
table { border-collapse: collapse; width: 100%; }
th { text-align: left; font-weight: 600; color: var(--vscode-descriptionForeground); border-bottom: 1px solid var(--vscode-widget-border, var(--vscode-panel-border, transparent)); padding: 3px 8px; }
td { padding: 2px 8px; vertical-align: top; }
tbody tr:hover { background: var(--vscode-list-hoverBackground); }
td.path { font-family: var(--vscode-editor-font-family); word-break: break-all; }
button.link { background: none; border: none; padding: 0; font: inherit; color: var(--vscode-textLink-foreground); cursor: pointer; }
button.link:hover { text-decoration: underline; color: var(--vscode-textLink-activeForeground); }
:focus { outline: none; }
:focus-visible, .layer-row:focus, .finding:focus, .layer-heading:focus, button:focus { outline: 1px solid var(--vscode-focusBorder); outline-offset: 1px; }
.tree, .tree ul { list-style: none; margin: 0; padding: 0; }
.tree ul { padding-left: 16px; }
.tree [aria-expanded="false"] > ul { display: none; }
.node { display: flex; gap: 6px; align-items: baseline; padding: 1px 4px; border-radius: 3px; font-family: var(--vscode-editor-font-family); cursor: default; }
.node:hover { background: var(--vscode-list-hoverBackground); }
[role="treeitem"]:focus { outline: none; }
[role="treeitem"]:focus > .node { outline: 1px solid var(--vscode-focusBorder); background: var(--vscode-list-focusBackground, var(--vscode-list-hoverBackground)); }
.twisty { display: inline-block; width: 1em; text-align: center; color: var(--vscode-descriptionForeground); }
[aria-expanded="false"] > .node > .twisty::before { content: "▸"; }
[aria-expanded="true"] > .node > .twisty::before { content: "▾"; }
.mark { display: inline-block; width: 1em; text-align: center; font-weight: 700; }
.mark.added { color: var(--vscode-gitDecoration-addedResourceForeground); }
.mark.modified { color: var(--vscode-gitDecoration-modifiedResourceForeground); }
.mark.removed { color: var(--vscode-gitDecoration-deletedResourceForeground); }
li.removed > .node > .name { text-decoration: line-through; }
.node > .size { margin-left: auto; color: var(--vscode-descriptionForeground); font-variant-numeric: tabular-nums; }
.omitted > .node > .name { color: var(--vscode-descriptionForeground); font-style: italic; }
.layer-heading { display: flex; gap: 8px; align-items: baseline; padding: 2px 6px; border-radius: 3px; }
.layer-heading .layer-label { flex: 1; }
.counts { font-weight: normal; color: var(--vscode-descriptionForeground); white-space: nowrap; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

/**
 * The page's behaviour, plain ES2020 with no library: clicks and Enter on anything with a
 * `data-line` post `openLine`; the file trees follow the WAI-ARIA tree pattern (roving tabindex;
 * Up/Down/Left/Right/Enter/Space/Home/End); expanded folders survive the panel being hidden.
 */
export const SCRIPT = `
(function () {
  'use strict';
  var vscode = acquireVsCodeApi();
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var saved = vscode.getState();
  var expanded = {};
  var items = document.querySelectorAll('[role="treeitem"][aria-expanded]');
  if (saved && saved.id === data.id && saved.expanded) {
    for (var k = 0; k < saved.expanded.length; k++) expanded[saved.expanded[k]] = true;
    for (var i = 0; i < items.length; i++) items[i].setAttribute('aria-expanded', String(expanded[items[i].getAttribute('data-key')] === true));
  } else {
    for (var j = 0; j < items.length; j++) if (items[j].getAttribute('aria-expanded') === 'true') expanded[items[j].getAttribute('data-key')] = true;
  }
  function save() { vscode.setState({ id: data.id, expanded: Object.keys(expanded) }); }
  if (data.layer !== null) {
    var row = document.querySelector('.layer-row[data-layer="' + Number(data.layer) + '"]');
    if (row) { row.scrollIntoView({ block: 'center' }); row.focus(); }
  }

  function post(el) {
    var rule = el.getAttribute('data-rule');
    if (rule) { vscode.postMessage({ type: 'showRule', rule: rule }); return true; }
    var line = el.getAttribute('data-line');
    if (line) { vscode.postMessage({ type: 'openLine', line: Number(line) }); return true; }
    var target = el.getAttribute('data-target');
    if (target) {
      var section = document.getElementById(target);
      if (!section) return false;
      section.scrollIntoView({ block: 'start' });
      var first = section.querySelector('[role="treeitem"][tabindex="0"]') || section.querySelector('[tabindex="0"]');
      if (first) first.focus();
      return true;
    }
    return false;
  }

  function isShown(item) {
    for (var p = item.parentElement; p && p.getAttribute('role') !== 'tree'; p = p.parentElement) {
      if (p.getAttribute('role') === 'treeitem' && p.getAttribute('aria-expanded') === 'false') return false;
    }
    return true;
  }
  function shownItems(tree) {
    var all = tree.querySelectorAll('[role="treeitem"]');
    var out = [];
    for (var i = 0; i < all.length; i++) if (isShown(all[i])) out.push(all[i]);
    return out;
  }
  function focusItem(item) {
    var tree = item.closest('[role="tree"]');
    var current = tree.querySelectorAll('[role="treeitem"][tabindex="0"]');
    for (var i = 0; i < current.length; i++) current[i].setAttribute('tabindex', '-1');
    item.setAttribute('tabindex', '0');
    item.focus();
  }
  function setExpanded(item, open) {
    item.setAttribute('aria-expanded', String(open));
    var key = item.getAttribute('data-key');
    if (open) expanded[key] = true; else delete expanded[key];
    save();
  }
  function parentItem(item) {
    var group = item.parentElement;
    return group && group.getAttribute('role') === 'group' ? group.closest('[role="treeitem"]') : null;
  }
  function firstChild(item) {
    var group = item.querySelector('[role="group"]');
    return group ? group.querySelector('[role="treeitem"]') : null;
  }

  function treeKey(item, key) {
    var state = item.getAttribute('aria-expanded');
    var shown, at;
    switch (key) {
      case 'ArrowDown':
      case 'ArrowUp':
        shown = shownItems(item.closest('[role="tree"]'));
        at = shown.indexOf(item) + (key === 'ArrowDown' ? 1 : -1);
        if (at >= 0 && at < shown.length) focusItem(shown[at]);
        return true;
      case 'Home':
      case 'End':
        shown = shownItems(item.closest('[role="tree"]'));
        focusItem(shown[key === 'Home' ? 0 : shown.length - 1]);
        return true;
      case 'ArrowRight':
        if (state === 'false') setExpanded(item, true);
        else if (state === 'true') { var child = firstChild(item); if (child) focusItem(child); }
        return true;
      case 'ArrowLeft':
        if (state === 'true') setExpanded(item, false);
        else { var parent = parentItem(item); if (parent) focusItem(parent); }
        return true;
      case 'Enter':
      case ' ':
        if (state) setExpanded(item, state !== 'true');
        return true;
    }
    return false;
  }

  document.addEventListener('keydown', function (event) {
    var target = event.target;
    if (!target || !target.closest) return;
    var item = target.closest('[role="treeitem"]');
    if (item) {
      if (treeKey(item, event.key)) event.preventDefault();
      return;
    }
    if ((event.key === 'Enter' || event.key === ' ') && target.tagName !== 'BUTTON' && target.hasAttribute('tabindex')) {
      if (post(target)) event.preventDefault();
    }
  });

  document.addEventListener('click', function (event) {
    var target = event.target;
    if (!target || !target.closest) return;
    var node = target.closest('.node');
    if (node) {
      var item = node.parentElement;
      focusItem(item);
      var state = item.getAttribute('aria-expanded');
      if (state) setExpanded(item, state !== 'true');
      return;
    }
    var el = target.closest('[data-rule], [data-line], [data-target]');
    if (el) post(el);
  });
})();
`;
