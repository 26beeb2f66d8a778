import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ImageAnalysis, LayerReport, TreeNode } from '../../server/src/analyze/types';
import { age, imageLabel, instructionLabel, orderImages, progressMessage } from '../../client/src/analyze/format';
import { renderReport, SCRIPT } from '../../client/src/analyze/report-html';

const HOSTILE = '</script><img src=x onerror=alert(1)>';
const MiB = 1024 * 1024;

function layer(index: number, over: Partial<LayerReport>): LayerReport {
  return {
    index,
    empty: false,
    diffId: `sha256:${String(index).repeat(64).slice(0, 64)}`,
    size: 0,
    archiveSize: 0,
    createdBy: '',
    line: undefined,
    base: false,
    added: 0,
    modified: 0,
    removed: 0,
    wastedBytes: 0,
    tree: undefined,
    ...over,
  };
}

const file = (name: string, size: number, change: TreeNode['change']): TreeNode => ({ name, type: 'file', size, change });
const dir = (name: string, children: TreeNode[], over: Partial<TreeNode> = {}): TreeNode => ({
  name,
  type: 'dir',
  size: children.reduce((s, c) => s + c.size, 0),
  children,
  ...over,
});

const ANALYSIS: ImageAnalysis = {
  image: 'waste:test',
  id: 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  size: 4_000_000 + 8 * MiB + 1200,
  archiveSize: 13_000_000,
  wastedBytes: 8 * MiB,
  efficiency: 0.3012,
  userEfficiency: 0.0001,
  userWastedBytes: 8 * MiB,
  userWastedPercent: 0.99,
  baseLayers: 2,
  format: 'docker-archive',
  layers: [
    layer(0, { createdBy: '/bin/sh -c #(nop) ADD file:abc in / ', size: 4_000_000, base: true, added: 2, tree: dir('', [dir('bin', [file('busybox', 4_000_000, 'added'), file('sh', 0, 'added')], { change: 'added' })]) }),
    layer(1, { empty: true, diffId: undefined, createdBy: '/bin/sh -c #(nop)  CMD ["sh"]', base: true }),
    layer(2, {
      createdBy: 'RUN /bin/sh -c dd if=/dev/zero of=/big bs=1M count=8 # buildkit',
      line: 3,
      size: 8 * MiB,
      added: 2,
      wastedBytes: 8 * MiB,
      tree: dir('', [file('big', 8 * MiB, 'added'), dir(HOSTILE, [file(HOSTILE, 0, 'added')], { change: 'added' })]),
    }),
    layer(3, { empty: true, diffId: undefined, createdBy: 'ENV A=1', line: 4 }),
    layer(4, { createdBy: 'RUN /bin/sh -c rm /big # buildkit', line: 5, removed: 1, tree: dir('', [file('big', 8 * MiB, 'removed')]) }),
    layer(5, {
      createdBy: `COPY ${HOSTILE} /app/ # buildkit`,
      line: 6,
      size: 1200,
      added: 5,
      modified: 1,
      tree: dir('', [
        dir('usr', [dir('local', [dir('lib', [file('a.so', 100, 'added'), file('b.so', 100, 'modified')], { omitted: { count: 3, size: 1000 } })])]),
        dir('etc', [file('passwd', 0, 'modified')]),
      ]),
    }),
  ],
  waste: [{ path: '/big', wastedBytes: 8 * MiB, writtenBy: [2], supersededBy: 4, removed: true }, { path: `/${HOSTILE}`, wastedBytes: 1, writtenBy: [0], supersededBy: 5, removed: false }],
  largestFiles: [{ path: '/bin/busybox', size: 4_000_000, layer: 0 }, { path: `/${HOSTILE}/x`, size: 10, layer: 5 }],
  largestDirectories: [{ path: '/bin', size: 4_000_000, layer: 0 }],
  findings: [
    { message: 'line 3 adds 8.4 MB that line 5 deletes', bytes: 8 * MiB, layer: 2, supersededBy: 4, line: 3, relatedLine: 5, ruleId: undefined },
    { message: 'apt lists left in the layer', bytes: 20_000_000, layer: 5, supersededBy: undefined, line: 6, relatedLine: undefined, ruleId: 'apt-lists-not-removed' },
    { message: `base layer ${HOSTILE}`, bytes: 1, layer: 0, supersededBy: undefined, line: undefined, relatedLine: undefined, ruleId: undefined },
  ],
  dockerfile: '/work/app/Dockerfile',
  durationMs: 1234,
};

const NONCE = 'abc123XYZ+/=';
const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';
const html = renderReport(ANALYSIS, { nonce: NONCE, cspSource: 'vscode-webview://csp-source' });

/** Every start tag of an element, with its raw attribute text. */
function tags(name: string, text = html): string[] {
  return [...text.matchAll(new RegExp(`<${name}(\\s[^>]*)?>`, 'g'))].map((m) => m[0]);
}

describe('analyze report html', () => {
  it('declares a strict Content-Security-Policy with the nonce and the webview source only', () => {
    const meta = tags('meta').find((t) => t.includes('Content-Security-Policy'));
    assert.ok(meta, 'CSP meta');
    const content = /content="([^"]*)"/.exec(meta)![1]!;
    assert.equal(
      content,
      `default-src 'none'; style-src vscode-webview://csp-source 'nonce-${NONCE}'; script-src 'nonce-${NONCE}'; img-src vscode-webview://csp-source data:`,
    );
    // The CSP must be the first thing the page declares after the charset, before any style or script.
    assert.ok(html.indexOf('Content-Security-Policy') < html.indexOf('<style'));
  });

  it('puts the nonce on every script and style element, and uses no inline styles or handlers', () => {
    const scripts = tags('script');
    assert.equal(scripts.length, 2);
    for (const s of [...scripts, ...tags('style')]) assert.ok(s.includes(`nonce="${NONCE}"`), s);
    assert.doesNotMatch(html, /\sstyle="/);
    assert.doesNotMatch(html, /\son[a-z]+="/);
  });

  it('loads nothing remote', () => {
    assert.doesNotMatch(html, /https?:/);
    assert.doesNotMatch(html, /\ssrc="/);
    assert.doesNotMatch(html, /@import|url\(/);
    // A cspSource with a URL appears in the CSP only.
    const withUrl = renderReport(ANALYSIS, { nonce: NONCE, cspSource: CSP_SOURCE });
    assert.equal(withUrl.split('https:').length - 1, 2);
  });

  it('escapes a hostile file name, instruction and message everywhere', () => {
    assert.ok(!html.includes('<img'), 'no img element');
    assert.ok(!html.includes(HOSTILE));
    assert.ok(html.includes('&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;'));
    // Only the page's own two scripts close.
    assert.equal(html.split('</script>').length - 1, 2);
    const hostile = renderReport({ ...ANALYSIS, image: HOSTILE, id: `sha256:${HOSTILE}` }, { nonce: NONCE, cspSource: 'x' });
    assert.equal(hostile.split('</script>').length - 1, 2);
    assert.ok(!hostile.includes('<img'));
    const json = /<script type="application\/json" id="report-data"[^>]*>([^<]*)<\/script>/.exec(hostile)![1]!;
    assert.deepEqual(JSON.parse(json), { image: HOSTILE, id: `sha256:${HOSTILE}`, layer: null });
    assert.ok(hostile.includes('<title>Layers: &lt;/script&gt;'));
  });

  it('draws one bar per layer with files, base layers marked, widths to scale', () => {
    const rows = tags('li').filter((t) => t.includes('class="layer-row'));
    assert.deepEqual(
      rows.map((r) => Number(/data-layer="(\d+)"/.exec(r)![1])),
      ANALYSIS.layers.filter((l) => !l.empty).map((l) => l.index),
    );
    assert.deepEqual(
      rows.map((r) => r.includes('layer-row base')),
      [true, false, false, false],
    );
    const widths = tags('rect').filter((r) => r.includes('bar-fill')).map((r) => Number(/width="(\d+)"/.exec(r)![1]));
    assert.deepEqual(widths, [Math.round((4_000_000 / (8 * MiB)) * 1000), 1000, 0, Math.max(2, Math.round((1200 / (8 * MiB)) * 1000))]);
    const waste = tags('rect').filter((r) => r.includes('bar-waste'));
    assert.equal(waste.length, 1);
    assert.match(waste[0]!, /width="1000"/);
    assert.match(html, /<span class="layer-label">RUN dd if=\/dev\/zero of=\/big bs=1M count=8<\/span>/);
    assert.match(html, /2 instructions without files/);
  });

  it('shows the header figures', () => {
    assert.match(html, /id="stat-size"[^]*?<div class="stat-value">12.4 MB<\/div>/);
    assert.match(html, /id="stat-wasted"[^]*?<div class="stat-value">8.39 MB<\/div>/);
    assert.match(html, /id="stat-efficiency"[^]*?30.1%/);
    assert.match(html, /id="stat-user-efficiency"[^]*?0.0%/);
  });

  it('renders the file trees as ARIA trees with marks, roving tabindex and omitted children', () => {
    const trees = tags('ul').filter((t) => t.includes('role="tree"'));
    assert.equal(trees.length, 4);
    for (const t of trees) assert.match(t, /aria-label="Files changed by /);
    const items = tags('li').filter((t) => t.includes('role="treeitem"'));
    // bin, busybox, sh | big, hostile dir, hostile file | big | usr, local, lib, a.so, b.so, omitted, etc, passwd
    assert.equal(items.length, 3 + 3 + 1 + 8);
    const tabbable = items.filter((t) => t.includes('tabindex="0"'));
    assert.equal(tabbable.length, 4, 'one tab stop per tree');
    const key = (k: string): string => items.find((t) => t.includes(`data-key="${k}"`)) ?? '';
    // Directories carry aria-expanded; files do not. A chain of single directories starts open.
    assert.match(key('5:/usr'), /aria-expanded="false"/);
    assert.match(key('5:/etc'), /aria-expanded="false"/);
    assert.match(key('5:/usr/local'), /aria-expanded="true"/);
    assert.match(key('5:/usr/local/lib'), /aria-expanded="true"/);
    assert.match(key('0:/bin'), /aria-expanded="true"/);
    assert.doesNotMatch(key('5:/usr/local/lib/a.so'), /aria-expanded/);
    assert.match(key('5:/usr/local/lib/a.so'), /aria-level="4"/);
    assert.match(html, /… 3 more \(1 kB\)/);
    // Colour and symbol, plus words for a screen reader.
    assert.match(html, /<span class="mark added" aria-hidden="true">\+<\/span><span class="sr"> added<\/span><span class="name">a.so<\/span>/);
    assert.match(html, /<span class="mark modified" aria-hidden="true">~<\/span><span class="sr"> modified<\/span><span class="name">b.so<\/span>/);
    assert.match(html, /<span class="mark removed" aria-hidden="true">−<\/span><span class="sr"> removed<\/span><span class="name">big<\/span>/);
  });

  it('carries Dockerfile lines on layer rows, headings, findings and table references', () => {
    const lineOf = (t: string): number | undefined => {
      const m = /data-line="(\d+)"/.exec(t);
      return m ? Number(m[1]) : undefined;
    };
    const rows = tags('li').filter((t) => t.includes('class="layer-row'));
    assert.deepEqual(rows.map(lineOf), [undefined, 3, 5, 6]);
    assert.deepEqual(tags('h3').map(lineOf), [undefined, 3, 5, 6]);
    const findings = tags('li').filter((t) => t.includes('class="finding"'));
    assert.deepEqual(findings.map(lineOf), [3, 6, undefined]);
    for (const f of [...rows, ...findings]) assert.match(f, /tabindex="0"/);
    assert.match(html, /data-rule="apt-lists-not-removed"/);
    assert.match(html, /data-line="3" data-related-line="5">\n<span class="finding-message">line 3 adds/, 'no "line 3 line 3"');
    assert.match(html, /<span class="finding-where">line 6<\/span> <span class="finding-message">apt lists/);
    const waste = /<table id="waste-table">[^]*?<\/table>/.exec(html)![0];
    assert.match(waste, /<td class="path">\/big<\/td>[^]*?data-line="3"[^>]*>line 3<\/button>[^]*?data-line="5"[^>]*>line 5<\/button> <span class="how">deleted<\/span>/);
    assert.match(waste, /layer #0/);
  });

  it('uses only VS Code theme colours', () => {
    const style = /<style[^>]*>([^]*?)<\/style>/.exec(html)![1]!;
    assert.doesNotMatch(style, /#[0-9a-f]{3,8}\b|rgba?\(|hsla?\(/i);
    for (const m of style.matchAll(/(?:^|[;{\s])(?:color|background|fill|outline|border(?:-bottom)?):\s*([^;}]+)/g)) {
      const value = m[1]!.trim();
      if (/^(none|inherit|transparent|0)$/.test(value)) continue;
      assert.match(value, /var\(--vscode-/, `${m[0]}`);
    }
  });

  it('renders an analysis without layers, waste or findings', () => {
    const bare = renderReport({ ...ANALYSIS, layers: [], waste: [], findings: [], largestFiles: [], largestDirectories: [], dockerfile: undefined }, { nonce: 'n', cspSource: 'c' });
    assert.match(bare, /No layer has files/);
    assert.match(bare, /No wasted bytes/);
    assert.ok(!bare.includes('<ul role="tree"'));
  });
});

describe('analyze command text', () => {
  it('labels images by tag, else by short id', () => {
    assert.equal(imageLabel({ id: 'sha256:' + 'a'.repeat(64), tags: ['app:dev', 'app:latest'] }), 'app:dev');
    assert.equal(imageLabel({ id: 'sha256:0123456789abcdef' + '0'.repeat(48), tags: [] }), '0123456789ab');
  });

  it('says how old an image is the way docker images does', () => {
    const now = 1_700_000_000_000;
    const s = now / 1000;
    assert.equal(age(s - 5, now), 'just now');
    assert.equal(age(s - 60, now), '1 minute ago');
    assert.equal(age(s - 2 * 3600 - 5, now), '2 hours ago');
    assert.equal(age(s - 3 * 86400, now), '3 days ago');
    assert.equal(age(s - 15 * 86400, now), '2 weeks ago');
    assert.equal(age(s - 400 * 86400, now), '1 year ago');
    assert.equal(age(s + 100, now), 'just now');
  });

  it('orders the matched image first, then newest first', () => {
    const img = (id: string, created: number, matched = false) => ({ id, tags: [], size: 1, created, matched });
    assert.deepEqual(
      orderImages([img('a', 1), img('b', 3), img('m', 0, true), img('c', 2)]).map((i) => i.id),
      ['m', 'b', 'c', 'a'],
    );
  });

  it('words progress as bytes read of the total', () => {
    assert.equal(progressMessage(312_000_000, 1_100_000_000), 'Reading layers… 312 MB of 1.1 GB');
    assert.equal(progressMessage(74_200_000, undefined), 'Reading layers… 74.2 MB');
    // The export is a little bigger than the image (tar headers): no "3.19 MB of 3.03 MB".
    assert.equal(progressMessage(3_190_000, 3_030_000), 'Reading layers… 3.19 MB');
  });

  it('turns history entries back into instructions', () => {
    assert.equal(instructionLabel('RUN /bin/sh -c apt-get update # buildkit'), 'RUN apt-get update');
    assert.equal(instructionLabel('RUN |2 A=1 B=x /bin/sh -c make # buildkit'), 'RUN make');
    assert.equal(instructionLabel('/bin/sh -c #(nop)  ENV A=1'), 'ENV A=1');
    assert.equal(instructionLabel('/bin/sh -c #(nop) COPY file:abc in /a.txt '), 'COPY file:abc in /a.txt');
    assert.equal(instructionLabel('/bin/sh -c dd if=/dev/zero of=/x'), 'RUN dd if=/dev/zero of=/x');
    assert.equal(instructionLabel('COPY /x /x # buildkit'), 'COPY /x /x');
    assert.equal(instructionLabel('Imported from -'), 'Imported from -');
  });
});

// ---- The page's script, run in node against a small DOM built from the rendered page. ----

const VOID = new Set(['meta', 'br', 'img', 'input', 'link', 'hr']);

class El {
  attrs = new Map<string, string>();
  children: (El | string)[] = [];
  parentElement: El | null = null;
  constructor(
    readonly tagName: string,
    readonly doc: Doc,
  ) {}
  getAttribute(n: string): string | null {
    return this.attrs.get(n) ?? null;
  }
  setAttribute(n: string, v: string): void {
    this.attrs.set(n, String(v));
  }
  hasAttribute(n: string): boolean {
    return this.attrs.has(n);
  }
  get textContent(): string {
    return this.children.map((c) => (typeof c === 'string' ? c : c.textContent)).join('');
  }
  focus(): void {
    this.doc.activeElement = this;
  }
  scrollIntoView(): void {}
  *descendants(): Generator<El> {
    for (const c of this.children) {
      if (typeof c === 'string') continue;
      yield c;
      yield* c.descendants();
    }
  }
  matches(selector: string): boolean {
    return selector.split(',').some((part) => matchesCompound(this, part.trim()));
  }
  closest(selector: string): El | null {
    for (let e: El | null = this; e; e = e.parentElement) if (e.matches(selector)) return e;
    return null;
  }
  querySelectorAll(selector: string): El[] {
    return [...this.descendants()].filter((e) => e.matches(selector));
  }
  querySelector(selector: string): El | null {
    return this.querySelectorAll(selector)[0] ?? null;
  }
}

function matchesCompound(e: El, compound: string): boolean {
  const re = /([a-z0-9]+)|\.([\w-]+)|\[([\w-]+)(?:="([^"]*)")?\]/gy;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(compound))) {
    end = re.lastIndex;
    if (m[1] && e.tagName.toLowerCase() !== m[1]) return false;
    if (m[2] && !(e.getAttribute('class') ?? '').split(/\s+/).includes(m[2])) return false;
    if (m[3] && (m[4] === undefined ? !e.hasAttribute(m[3]) : e.getAttribute(m[3]) !== m[4])) return false;
  }
  if (end !== compound.length) throw new Error(`selector not supported by the test DOM: ${compound}`);
  return true;
}

const decode = (s: string): string => s.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!);

interface Listener {
  (event: { target: El; key?: string; preventDefault(): void }): void;
}

class Doc {
  activeElement: El | null = null;
  listeners = new Map<string, Listener[]>();
  root: El;
  constructor(page: string) {
    this.root = new El('#document', this);
    const open: El[] = [this.root];
    let current = this.root;
    const tokens = /<!DOCTYPE[^>]*>|<\/([a-z0-9]+)>|<([a-z0-9]+)((?:\s+[\w-]+(?:="[^"]*")?)*)\s*>|([^<]+)/gy;
    let m: RegExpExecArray | null;
    while (tokens.lastIndex < page.length && (m = tokens.exec(page))) {
      if (m[1]) {
        assert.equal(current.tagName, m[1].toUpperCase(), `well-formed: </${m[1]}> closes <${current.tagName}>`);
        open.pop();
        current = open[open.length - 1]!;
      } else if (m[2]) {
        const el = new El(m[2].toUpperCase(), this);
        for (const a of m[3]!.matchAll(/([\w-]+)(?:="([^"]*)")?/g)) el.attrs.set(a[1]!, decode(a[2] ?? ''));
        el.parentElement = current === this.root ? null : current;
        current.children.push(el);
        if (VOID.has(m[2])) continue;
        if (m[2] === 'script' || m[2] === 'style') {
          const close = page.indexOf(`</${m[2]}>`, tokens.lastIndex);
          el.children.push(page.slice(tokens.lastIndex, close));
          tokens.lastIndex = close + m[2].length + 3;
          continue;
        }
        open.push(el);
        current = el;
      } else if (m[4]) {
        current.children.push(decode(m[4]));
      }
    }
    assert.equal(tokens.lastIndex, page.length, 'the whole page parsed');
    assert.equal(current, this.root, 'every element closed');
  }
  getElementById(id: string): El | null {
    return this.root.querySelector(`[id="${id}"]`);
  }
  querySelectorAll(s: string): El[] {
    return this.root.querySelectorAll(s);
  }
  querySelector(s: string): El | null {
    return this.root.querySelector(s);
  }
  addEventListener(type: string, l: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), l]);
  }
  dispatch(type: string, target: El, key?: string): boolean {
    let prevented = false;
    for (const l of this.listeners.get(type) ?? []) l({ target, key, preventDefault: () => (prevented = true) });
    return prevented;
  }
}

function runPage(page: string, state?: unknown) {
  const doc = new Doc(page);
  const posted: unknown[] = [];
  let saved = state;
  const api = { postMessage: (m: unknown) => posted.push(m), getState: () => saved, setState: (s: unknown) => (saved = s) };
  const script = doc.querySelectorAll('script').find((s) => !s.hasAttribute('type'))!;
  new Function('acquireVsCodeApi', 'document', script.textContent)(() => api, doc);
  const item = (key: string): El => doc.querySelector(`[data-key="${key}"]`)!;
  const press = (key: string): boolean => doc.dispatch('keydown', doc.activeElement!, key);
  return { doc, posted, state: () => saved, item, press };
}

describe('analyze report script', () => {
  it('is the same text the page carries', () => {
    assert.ok(html.includes(SCRIPT));
  });

  it('moves through a tree with the arrow keys, Home and End, opening and closing folders', () => {
    const { doc, item, press } = runPage(html);
    const usr = item('5:/usr');
    usr.focus();
    assert.equal(press('ArrowDown'), true, 'handled keys are not scrolled by the page');
    assert.equal(doc.activeElement, item('5:/etc'), 'collapsed /usr hides its children');
    assert.equal(item('5:/etc').getAttribute('tabindex'), '0');
    assert.equal(usr.getAttribute('tabindex'), '-1', 'roving tabindex: one tab stop');
    press('ArrowUp');
    assert.equal(doc.activeElement, usr);
    press('ArrowRight');
    assert.equal(usr.getAttribute('aria-expanded'), 'true');
    assert.equal(doc.activeElement, usr);
    press('ArrowRight');
    assert.equal(doc.activeElement, item('5:/usr/local'));
    press('ArrowDown');
    press('ArrowDown');
    assert.equal(doc.activeElement, item('5:/usr/local/lib/a.so'));
    press('ArrowRight');
    assert.equal(doc.activeElement, item('5:/usr/local/lib/a.so'), 'a file has nothing to open');
    press('ArrowLeft');
    assert.equal(doc.activeElement, item('5:/usr/local/lib'), 'Left on a file goes to its folder');
    press('ArrowLeft');
    assert.equal(item('5:/usr/local/lib').getAttribute('aria-expanded'), 'false');
    press('End');
    assert.equal(doc.activeElement, item('5:/etc'));
    press('Enter');
    assert.equal(item('5:/etc').getAttribute('aria-expanded'), 'true');
    press('End');
    assert.equal(doc.activeElement, item('5:/etc/passwd'));
    press('Home');
    assert.equal(doc.activeElement, usr);
    press('ArrowUp');
    assert.equal(doc.activeElement, usr, 'Up at the top stays');
    press('ArrowLeft');
    assert.equal(usr.getAttribute('aria-expanded'), 'false');
    press('ArrowLeft');
    assert.equal(doc.activeElement, usr, 'Left on a closed top-level folder stays');
    assert.equal(press('a'), false, 'other keys are left alone');
  });

  it('reaches the omitted entry and keeps it inert', () => {
    const { doc, item, press } = runPage(html);
    item('5:/usr').focus();
    press('ArrowRight');
    item('5:/usr/local/lib/b.so').focus();
    press('ArrowDown');
    assert.equal(doc.activeElement!.getAttribute('class'), 'omitted');
    assert.match(doc.activeElement!.textContent, /^… 3 more \(1 kB\)$/);
    press('Enter');
    assert.equal(doc.activeElement!.hasAttribute('aria-expanded'), false);
  });

  it('posts openLine for a clicked or entered layer row, heading or finding, and showRule for a rule', () => {
    const { doc, posted } = runPage(html);
    const row = doc.querySelector('[data-layer="2"]')!;
    doc.dispatch('click', row.querySelector('.layer-label')!);
    const finding = doc.querySelector('.finding')!;
    finding.focus();
    assert.equal(doc.dispatch('keydown', finding, 'Enter'), true);
    doc.dispatch('click', doc.querySelector('[data-rule]')!);
    doc.dispatch('click', doc.querySelector('[data-layer="0"]')!.querySelector('.layer-label')!);
    doc.dispatch('click', doc.querySelectorAll('h3')[3]!);
    assert.deepEqual(posted, [
      { type: 'openLine', line: 3 },
      { type: 'openLine', line: 3 },
      { type: 'showRule', rule: 'apt-lists-not-removed' },
      { type: 'openLine', line: 6 },
    ]);
  });

  it('opens at the layer it was asked for', () => {
    const { doc } = runPage(renderReport(ANALYSIS, { nonce: 'n', cspSource: 'c', layer: 4 }));
    assert.equal(doc.activeElement, doc.querySelector('.layer-row[data-layer="4"]'));
    assert.equal(runPage(html).doc.activeElement, null, 'no layer asked for: nothing moves');
  });

  it('jumps from a layer row to its files', () => {
    const { doc, posted } = runPage(html);
    doc.dispatch('click', doc.querySelector('[data-target="layer-files-5"]')!);
    assert.equal(doc.activeElement, doc.querySelector('[data-key="5:/usr"]'));
    assert.deepEqual(posted, []);
  });

  it('clicking a folder opens it; the open folders survive the page being rebuilt', () => {
    const first = runPage(html);
    first.doc.dispatch('click', first.item('5:/usr').querySelector('.name')!);
    assert.equal(first.item('5:/usr').getAttribute('aria-expanded'), 'true');
    first.item('0:/bin').focus();
    first.press('ArrowLeft');
    const again = runPage(renderReport(ANALYSIS, { nonce: 'other', cspSource: 'c' }), first.state());
    assert.equal(again.item('5:/usr').getAttribute('aria-expanded'), 'true');
    assert.equal(again.item('0:/bin').getAttribute('aria-expanded'), 'false');
    const otherImage = runPage(renderReport({ ...ANALYSIS, id: 'sha256:other' }, { nonce: 'n', cspSource: 'c' }), first.state());
    assert.equal(otherImage.item('5:/usr').getAttribute('aria-expanded'), 'false', 'state of another image is ignored');
  });
});
