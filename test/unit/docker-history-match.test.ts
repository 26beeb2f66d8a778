import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import type { HistoryEntry } from '../../server/src/docker/client';
import { DockerError } from '../../server/src/docker/client';
import {
  align,
  bindingOf,
  compareStep,
  expectedSteps,
  layerLenses,
  matchStage,
  parseCreatedBy,
  parseHistory,
  selectImage,
  stageByTarget,
  stageChain,
  type CandidateImage,
  type ImageMatch,
  type LayerLens,
} from '../../server/src/docker/history-match';
import { ANALYZE_COMMAND, BUILD_COMMAND, RETRY_COMMAND, SHOW_LAYER_COMMAND, toCodeLenses, type LayerDetails } from '../../server/src/docker/lenses';
import { normalizeRef } from '../../server/src/docker/service';
import { humanSize, share } from '../../server/src/docker/units';
import { ParsedDocument } from '../../server/src/engine/document';
import type { Model } from '../../server/src/model/model';
import { initShellParser } from '../../server/src/model/shell';

/**
 * History matching against histories recorded from Docker Engine 20.10 (this project's test
 * daemon) for the same Dockerfiles built with BuildKit and with the classic builder:
 * test/unit/docker-history-samples/*.json (the Dockerfile, build args and target are in each file).
 */

interface Sample {
  builder: 'buildkit' | 'classic';
  dockerfile: string;
  buildArgs: Record<string, string>;
  target: string | null;
  image: { Id: string; RepoTags: string[] };
  history: HistoryEntry[];
}

const DIR = path.join(__dirname, 'docker-history-samples');
const load = <T = Sample>(name: string): T => JSON.parse(fs.readFileSync(path.join(DIR, `${name}.json`), 'utf8')) as T;
const BASE = load<{ ref: string; history: HistoryEntry[] }>('busybox-base');
const historyOf = (ref: string): HistoryEntry[] | undefined => (normalizeRef(ref) === normalizeRef(BASE.ref) ? BASE.history : undefined);
const BUILDERS = ['buildkit', 'classic'] as const;

function modelOf(text: string, buildArgs: Record<string, string> = {}): Model {
  return new ParsedDocument('file:///work/Dockerfile', 1, text).model(buildArgs);
}

function candidate(s: Sample, created = s.history[0]!.Created): CandidateImage {
  return { id: s.image.Id, created, tags: s.image.RepoTags, history: s.history };
}

function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.startsWith(needle));
  assert.ok(i >= 0, needle);
  return i;
}

function lensesAt(lenses: LayerLens[], line: number): LayerLens[] {
  return lenses.filter((l) => l.line === line);
}

/**
 * The independent oracle for a fixture built from the text as it is: the n-th instruction after
 * FROM that leaves a history entry owns the n-th entry after the base image's entries.
 */
function positional(text: string, s: Sample): Map<number, HistoryEntry> {
  const model = modelOf(text, s.buildArgs);
  const stage = s.target ? stageByTarget(model, s.target)! : model.stages.at(-1)!;
  const insts = stageChain(stage)
    .flatMap((st) => st.instructions)
    .filter((i) => i.keyword !== 'FROM' && !(s.builder === 'buildkit' && i.keyword === 'ONBUILD'));
  const oldestFirst = [...s.history].reverse().slice(BASE.history.length);
  assert.equal(oldestFirst.length, insts.length, 'one entry per instruction');
  return new Map(insts.map((inst, k) => [inst.range.start.line, oldestFirst[k]!]));
}

before(async () => {
  await initShellParser();
});

describe('parsing CreatedBy', () => {
  const cases: [string, string, string | undefined, string, string][] = [
    ['RUN |1 SIZE=48 /bin/sh -c dd if=/dev/zero of=/blob bs=1024 count=${SIZE} # buildkit', 'buildkit.dockerfile.v0', 'RUN', '|1 SIZE=48 /bin/sh -c dd if=/dev/zero of=/blob bs=1024 count=${SIZE}', 'buildkit'],
    ['COPY a.txt b.txt /app/dir/ # buildkit', 'buildkit.dockerfile.v0', 'COPY', 'a.txt b.txt /app/dir/', 'buildkit'],
    ['ENV A=1 B=two words', 'buildkit.dockerfile.v0', 'ENV', 'A=1 B=two words', 'buildkit'],
    ['EXPOSE map[8080/tcp:{}]', 'buildkit.dockerfile.v0', 'EXPOSE', 'map[8080/tcp:{}]', 'buildkit'],
    ['/bin/sh -c #(nop)  ENV A=1 B=two words', '', 'ENV', 'A=1 B=two words', 'classic'],
    ['/bin/sh -ec #(nop)  USER nobody', '', 'USER', 'nobody', 'classic'],
    ['/bin/sh -c #(nop) COPY file:00ec1633 in /app/ ', '', 'COPY', 'file:00ec1633 in /app/', 'classic'],
    ['|1 SIZE=48 /bin/sh -c dd if=/dev/zero of=/blob', '', 'RUN', '|1 SIZE=48 /bin/sh -c dd if=/dev/zero of=/blob', 'classic'],
    ['/bin/sh -c apt-get update', '', 'RUN', '/bin/sh -c apt-get update', 'classic'],
    ['', 'Imported from -', undefined, '', 'unknown'],
  ];
  for (const [createdBy, comment, keyword, args, builder] of cases) {
    it(JSON.stringify(createdBy || comment), () => {
      assert.deepEqual(parseCreatedBy({ CreatedBy: createdBy, Comment: comment }), { keyword, args, builder });
    });
  }
});

describe('recorded histories: the same Dockerfile built with each builder', () => {
  for (const builder of BUILDERS) {
    describe(builder, () => {
      const s = load(`full-${builder}`);
      const model = (): Model => modelOf(s.dockerfile, s.buildArgs);
      const match = (): ImageMatch => selectImage(model(), [candidate(s)], { historyOf })!;

      it('matches every instruction exactly, on top of the local base image', () => {
        const m = match();
        assert.ok(m, 'matched');
        assert.equal(m.current, true);
        assert.equal(m.alignment.changed, 0);
        assert.equal(m.alignment.missing, 0);
        assert.equal(m.alignment.unexplained.length, 0);
        assert.equal(m.alignment.base.length, BASE.history.length);
        const onbuild = m.alignment.steps.find((a) => a.step.keyword === 'ONBUILD')!;
        // BuildKit records no ONBUILD entry; the classic builder does.
        assert.equal(onbuild.status, builder === 'buildkit' ? 'missing' : 'exact');
      });

      it('puts the size of each history entry on its instruction line', () => {
        const lenses = layerLenses(match());
        const oracle = positional(s.dockerfile, s);
        const total = s.history.reduce((n, e) => n + e.Size, 0);
        for (const [line, entry] of oracle) {
          const at = lensesAt(lenses, line).filter((l) => l.kind === 'layer');
          assert.equal(at.length, 1, `line ${line}: ${JSON.stringify(lensesAt(lenses, line))}`);
          assert.equal(at[0]!.size, entry.Size, `line ${line}`);
          assert.equal(at[0]!.createdBy, entry.CreatedBy);
          assert.equal(at[0]!.title, entry.Size > 0 ? `${humanSize(entry.Size)} · ${share(entry.Size, total)}` : '0 B');
        }
        // Lines that make no entry (FROM, the continuation, ONBUILD under BuildKit) get no layer lens.
        const layerLines = lenses.filter((l) => l.kind === 'layer').map((l) => l.line);
        assert.deepEqual(layerLines.sort((a, b) => a - b), [...oracle.keys()].sort((a, b) => a - b));
        assert.equal(lensesAt(lenses, lineOf(s.dockerfile, 'RUN dd'))[0]!.title, '49.2 kB · 2.4%');
      });

      it('shows the base size and the total on FROM', () => {
        const lenses = lensesAt(layerLenses(match()), 0);
        const total = s.history.reduce((n, e) => n + e.Size, 0);
        assert.deepEqual(
          lenses.map((l) => [l.kind, l.size]),
          [
            ['image', total],
            ['base', 1984230],
          ],
        );
        assert.equal(lenses[0]!.title, `${s.image.RepoTags[0]} · ${humanSize(total)}`);
        assert.equal(lenses[1]!.title, 'base 1.98 MB · 98%');
      });

      it('finds the base boundary without the base image too', () => {
        const m = selectImage(model(), [candidate(s)])!;
        assert.equal(m.alignment.base.length, BASE.history.length);
        assert.equal(m.baseSize, 1984230);
      });

      it('marks a line edited after the build as stale, with the size it had', () => {
        const edited = s.dockerfile.replace('count=${SIZE}', 'count=${SIZE}0');
        const m = selectImage(modelOf(edited, s.buildArgs), [candidate(s)], { historyOf })!;
        assert.ok(m, 'an edited Dockerfile still finds its image');
        assert.equal(m.current, false);
        const line = lineOf(edited, 'RUN dd');
        const at = lensesAt(layerLenses(m), line);
        assert.deepEqual(at.map((l) => [l.kind, l.size, l.title]), [['stale', 49152, '49.2 kB · built from an older version of this line']]);
        const stale = layerLenses(m).filter((l) => l.kind === 'stale');
        assert.equal(stale.length, 1);
        assert.match(lensesAt(layerLenses(m), 0)[0]!.title, /1 line changed since the build/);
      });

      it('says a line added after the build is not in the image', () => {
        const edited = s.dockerfile.replace('LABEL x=y\n', 'LABEL x=y\nENV ADDED=1\n');
        const m = selectImage(modelOf(edited, s.buildArgs), [candidate(s)], { historyOf })!;
        const line = lineOf(edited, 'ENV ADDED');
        assert.deepEqual(lensesAt(layerLenses(m), line).map((l) => l.kind), ['missing']);
        assert.equal(m.alignment.changed, 0);
        assert.equal(m.alignment.missing, 1);
        // Everything after it still lines up.
        assert.equal(lensesAt(layerLenses(m), lineOf(edited, 'RUN dd'))[0]!.size, 49152);
      });

      it('accounts for a line removed after the build', () => {
        const edited = s.dockerfile.replace('LABEL x=y\n', '');
        const m = selectImage(modelOf(edited, s.buildArgs), [candidate(s)], { historyOf })!;
        assert.equal(m.alignment.unexplained.length, 1);
        assert.equal(m.alignment.unexplained[0]!.keyword, 'LABEL');
        assert.match(lensesAt(layerLenses(m), 0)[0]!.title, /1 layer from removed lines/);
        assert.equal(lensesAt(layerLenses(m), lineOf(edited, 'RUN dd'))[0]!.size, 49152);
      });

      it('matches the same file with CRLF line ends', () => {
        const m = selectImage(modelOf(s.dockerfile.replace(/\n/g, '\r\n'), s.buildArgs), [candidate(s)], { historyOf })!;
        assert.equal(m.current, true);
      });

      it('reports a base image that changed since the build', () => {
        const other: HistoryEntry[] = [{ ...BASE.history[0]!, Created: BASE.history[0]!.Created + 60, Size: 5 }];
        const m = selectImage(model(), [candidate(s)], { historyOf: () => other })!;
        assert.equal(m.baseChanged, true);
        assert.equal(m.current, false);
        assert.match(lensesAt(layerLenses(m), 0)[1]!.title, /layerwise-test\/busybox:local has changed since the build/);
        assert.equal(m.baseSize, 1984230);
      });
    });
  }
});

describe('multi-stage images and --target', () => {
  for (const builder of BUILDERS) {
    it(`${builder}: the image of --target test has lenses on the stages it is made of, none on the others`, () => {
      const s = load(`multistage-test-${builder}`);
      const model = modelOf(s.dockerfile);
      const m = selectImage(model, [candidate(s)], { target: 'test', historyOf })!;
      assert.equal(m.current, true);
      assert.equal(m.stage.name, 'test');
      const lenses = layerLenses(m);
      const oracle = positional(s.dockerfile, s);
      for (const [line, entry] of oracle) assert.equal(lensesAt(lenses, line).find((l) => l.kind === 'layer')?.size, entry.Size, `line ${line}`);
      const finalFrom = lineOf(s.dockerfile, 'FROM layerwise-test/busybox:local AS final');
      assert.ok(lenses.every((l) => l.line < finalFrom), 'nothing on the final stage');
      // The base (through a global ARG) on the first FROM; the total on the target's FROM.
      assert.deepEqual(lensesAt(lenses, lineOf(s.dockerfile, 'FROM ${BASE}')).map((l) => l.kind), ['base']);
      assert.deepEqual(lensesAt(lenses, lineOf(s.dockerfile, 'FROM build AS test')).map((l) => l.kind), ['image']);
    });

    it(`${builder}: without a target, each image is matched to the stage it was built for`, () => {
      const t = load(`multistage-test-${builder}`);
      const f = load(`multistage-final-${builder}`);
      const model = modelOf(t.dockerfile);
      const newestTest = selectImage(model, [candidate(t, 200), candidate(f, 100)], { historyOf })!;
      assert.equal(newestTest.stage.name, 'test');
      const newestFinal = selectImage(model, [candidate(t, 100), candidate(f, 200)], { historyOf })!;
      assert.equal(newestFinal.stage.name, 'final');
      const lenses = layerLenses(newestFinal);
      assert.equal(lensesAt(lenses, lineOf(t.dockerfile, 'COPY --from=build'))[0]!.size, 102400);
      assert.ok(lenses.every((l) => l.line >= lineOf(t.dockerfile, 'FROM layerwise-test/busybox:local AS final')));
    });
  }

  it('a target that names no stage gives nothing', () => {
    const t = load('multistage-test-buildkit');
    assert.equal(selectImage(modelOf(t.dockerfile), [candidate(t)], { target: 'nope' }), undefined);
  });
});

describe('choosing among local images', () => {
  const bk = load('full-buildkit');
  const classic = load('full-classic');
  const multi = load('multistage-test-buildkit');

  it('takes the most recent image that matches exactly', () => {
    const model = modelOf(bk.dockerfile, bk.buildArgs);
    assert.equal(selectImage(model, [candidate(bk, 10), candidate(classic, 20), candidate(multi, 30)], { historyOf })!.image.id, classic.image.Id);
    assert.equal(selectImage(model, [candidate(bk, 20), candidate(classic, 10), candidate(multi, 30)], { historyOf })!.image.id, bk.image.Id);
  });

  it('prefers an exact match to a more recent partial one', () => {
    const edited = { ...bk, image: { ...bk.image, Id: 'sha256:edited' }, history: bk.history.map((e) => (e.CreatedBy.includes('echo shell') ? { ...e, CreatedBy: e.CreatedBy.replace('echo shell', 'echo other') } : e)) };
    const m = selectImage(modelOf(bk.dockerfile, bk.buildArgs), [candidate(edited, 99), candidate(bk, 1)], { historyOf })!;
    assert.equal(m.image.id, bk.image.Id);
  });

  it('finds no image for an unrelated Dockerfile', () => {
    const model = modelOf('FROM layerwise-test/busybox:local\nRUN echo something else\nCOPY x /y\n');
    assert.equal(selectImage(model, [candidate(bk), candidate(classic), candidate(multi)], { historyOf }), undefined);
  });

  it('takes a bound image as it is, however little matches', () => {
    const model = modelOf('FROM layerwise-test/busybox:local\nRUN echo something else\n');
    const m = selectImage(model, [], { bound: candidate(bk), historyOf })!;
    assert.equal(m.image.id, bk.image.Id);
    assert.equal(m.current, false);
  });
});

describe('comparing instructions with entries', () => {
  const step = (text: string, keyword: string) => {
    const model = modelOf(`FROM scratch\n${text}\n`);
    const steps = expectedSteps(stageChain(model.stages[0]!), model.escape);
    const s = steps.filter((x) => x.keyword === keyword).at(-1);
    assert.ok(s, text);
    return s;
  };
  const entry = (createdBy: string, comment = 'buildkit.dockerfile.v0') => parseHistory([{ Id: '<missing>', Created: 0, CreatedBy: createdBy, Tags: null, Size: 0, Comment: comment }])[0]!;
  const cases: [string, string, string, string][] = [
    ['EXPOSE 8080 53/udp', 'EXPOSE', 'EXPOSE map[53/udp:{} 8080/tcp:{}]', 'exact'],
    ['EXPOSE 8080', 'EXPOSE', '/bin/sh -c #(nop)  EXPOSE 8080', 'exact'],
    ['EXPOSE 8081', 'EXPOSE', 'EXPOSE map[8080/tcp:{}]', 'changed'],
    ['HEALTHCHECK --interval=5s CMD curl -f http://localhost/', 'HEALTHCHECK', `HEALTHCHECK &{["CMD-SHELL" "curl -f http://localhost/"] "5s" "0s" "0s" '\\x00'}`, 'exact'],
    ['HEALTHCHECK CMD ["true"]', 'HEALTHCHECK', `HEALTHCHECK &{["CMD" "true"] "0s" "0s" "0s" '\\x00'}`, 'exact'],
    ['HEALTHCHECK NONE', 'HEALTHCHECK', `HEALTHCHECK &{["NONE"] "0s" "0s" "0s" '\\x00'}`, 'exact'],
    ['VOLUME ["/a", "/b"]', 'VOLUME', 'VOLUME [/a /b]', 'exact'],
    ['CMD node server.js', 'CMD', 'CMD ["/bin/sh" "-c" "node server.js"]', 'exact'],
    ['CMD ["node", "a \\"b\\""]', 'CMD', 'CMD ["node" "a \\"b\\""]', 'exact'],
    ['CMD ["node"]', 'CMD', 'CMD ["nodejs"]', 'changed'],
    ['ENV PATH=/opt/bin:$PATH', 'ENV', 'ENV PATH=/opt/bin:$PATH', 'exact'],
    ['ENV A 1', 'ENV', 'ENV A=1', 'exact'],
    ['LABEL "org.opencontainers.image.title"="My app"', 'LABEL', 'LABEL org.opencontainers.image.title=My app', 'exact'],
    ['WORKDIR /srv\nWORKDIR app', 'WORKDIR', 'WORKDIR /srv/app', 'exact'],
    ['WORKDIR /srv/\nWORKDIR ../opt/./x', 'WORKDIR', 'WORKDIR /opt/x', 'exact'],
    ['WORKDIR /srv\nWORKDIR /opt\nWORKDIR x', 'WORKDIR', 'WORKDIR /opt/x', 'exact'],
    ['COPY --from=build --chmod=755 /out/bin /usr/bin/', 'COPY', 'COPY /out/bin /usr/bin/ # buildkit', 'exact'],
    ['COPY --link . .', 'COPY', 'COPY --link . . # buildkit', 'exact'],
    ['COPY . /app', 'COPY', '/bin/sh -c #(nop) COPY dir:4f2a in /app ', 'exact'],
    ['COPY . /srv', 'COPY', '/bin/sh -c #(nop) COPY dir:4f2a in /app ', 'changed'],
    ['RUN apt-get update', 'RUN', 'RUN /bin/sh -c apt-get update # buildkit', 'exact'],
    ['RUN apt-get update', 'RUN', 'RUN |2 A=1 B=x y /bin/sh -c apt-get update # buildkit', 'exact'],
    ['RUN apt-get update', 'RUN', 'RUN /bin/sh -c apt-get upgrade # buildkit', 'changed'],
    ['RUN ["/bin/app", "--init"]', 'RUN', '/bin/app --init', 'exact'],
    ['ARG VERSION=1.0', 'ARG', 'ARG VERSION=1.0', 'exact'],
    ['USER 1000:1000', 'USER', 'USER 1000:1000', 'exact'],
    ['SHELL ["/bin/bash", "-o", "pipefail", "-c"]', 'SHELL', 'SHELL [/bin/bash -o pipefail -c]', 'exact'],
    ['ONBUILD RUN make', 'ONBUILD', '/bin/sh -c #(nop)  ONBUILD RUN make', 'exact'],
    ['RUN x', 'RUN', 'USER app', 'none'],
  ];
  for (const [text, keyword, createdBy, expected] of cases) {
    it(`${text}  ~  ${createdBy}`, () => {
      const s = step(text, keyword);
      const e = entry(createdBy, createdBy.includes('#(nop)') || !/^[A-Z]/.test(createdBy) ? '' : 'buildkit.dockerfile.v0');
      assert.equal(compareStep(s, e), expected);
    });
  }

  it('honours the escape directive when expanding', () => {
    const model = modelOf('# escape=`\nFROM scratch\nENV DIR=/srv\nWORKDIR $DIR/app\n');
    const steps = expectedSteps(stageChain(model.stages[0]!), model.escape);
    const wd = steps.find((s) => s.keyword === 'WORKDIR')!;
    assert.equal(compareStep(wd, entry('WORKDIR /srv/app')), 'exact');
  });
});

describe('alignment edge cases', () => {
  const entries = (...createdBy: string[]): ReturnType<typeof parseHistory> =>
    parseHistory(createdBy.reverse().map((c, i) => ({ Id: '<missing>', Created: i, CreatedBy: c, Tags: null, Size: i, Comment: 'buildkit.dockerfile.v0' })));

  it('a Dockerfile of only metadata still aligns against the top of the history', () => {
    const model = modelOf('FROM x\nENV A=1\nCMD ["sh"]\n');
    const steps = expectedSteps(stageChain(model.stages[0]!));
    const a = align(steps, entries('', 'RUN /bin/sh -c base # buildkit', 'ENV A=1', 'CMD ["sh"]'), undefined);
    assert.deepEqual(a.steps.map((s) => s.status), ['exact', 'exact']);
    assert.equal(a.base.length, 2);
  });

  it('a fixed base length is respected even when the Dockerfile is longer than the history', () => {
    const model = modelOf('FROM x\nENV A=1\nENV B=2\nENV C=3\n');
    const a = align(expectedSteps(stageChain(model.stages[0]!)), entries('', 'ENV A=1'), 1);
    assert.deepEqual(a.steps.map((s) => s.status), ['exact', 'missing', 'missing']);
  });

  it('FROM scratch has an empty base', () => {
    const model = modelOf('FROM scratch\nCOPY app /app\n');
    const m = matchStage(model.stages[0]!, { id: 'sha256:1', created: 1, tags: [], history: [{ Id: 'sha256:1', Created: 1, CreatedBy: 'COPY app /app # buildkit', Tags: null, Size: 10, Comment: 'buildkit.dockerfile.v0' }] });
    assert.equal(m.current, true);
    assert.equal(m.baseSize, 0);
  });
});

describe('bindings and lens shapes', () => {
  it('reads `# layerwise image=… target=…` and lets it win over settings', () => {
    const model = modelOf('# layerwise image=acme/app:dev target=build\nFROM x AS build\n');
    assert.deepEqual(bindingOf(model, { image: 'other:1', target: '' }), { image: 'acme/app:dev', target: 'build', line: 0 });
    assert.deepEqual(bindingOf(modelOf('FROM x\n'), { image: 'other:1', target: 'final' }), { image: 'other:1', target: 'final', line: undefined });
    assert.deepEqual(bindingOf(modelOf('# layerwise ignore=apt-pin-versions\nFROM x\n')), { image: undefined, target: undefined, line: undefined });
  });

  const text = 'ARG V=1\nFROM busybox\nRUN true\n';
  const model = modelOf(text);
  it('a daemon state is one lens on the first FROM, with Retry', () => {
    const lenses = toCodeLenses({ kind: 'error', error: new DockerError('unreachable', 'unix:///x: nothing is listening'), endpoint: 'unix:///x' }, model, 'file:///w/Dockerfile');
    assert.equal(lenses.length, 1);
    assert.equal(lenses[0]!.range.start.line, 1);
    assert.equal(lenses[0]!.command!.title, 'Docker not reachable · Retry');
    assert.equal(lenses[0]!.command!.command, RETRY_COMMAND);
    const permission = toCodeLenses({ kind: 'error', error: new DockerError('permission', 'x'), endpoint: '' }, model, '');
    assert.equal(permission[0]!.command!.title, 'Docker socket permission denied · Retry');
    const timeout = toCodeLenses({ kind: 'error', error: new DockerError('timeout', 'x'), endpoint: '' }, model, '');
    assert.equal(timeout[0]!.command!.title, 'Docker not responding · Retry');
  });

  it('no image: one lens that builds it', () => {
    const lenses = toCodeLenses({ kind: 'no-image', endpoint: 'unix:///x' }, model, 'file:///w/Dockerfile');
    assert.deepEqual(
      lenses.map((l) => [l.range.start.line, l.command!.title, l.command!.command, l.command!.arguments]),
      [[1, 'Build image to see layer sizes', BUILD_COMMAND, ['file:///w/Dockerfile']]],
    );
  });

  it('a layer lens carries what made the layer and its exact size; clicking opens the analysis at its layer', () => {
    const s = load('full-buildkit');
    const model = modelOf(s.dockerfile, s.buildArgs);
    const m = selectImage(model, [candidate(s)], { historyOf })!;
    const lenses = toCodeLenses({ kind: 'layers', lenses: layerLenses(m), imageId: s.image.Id, endpoint: '' }, model, 'file:///w/Dockerfile');
    const dd = lenses.find((l) => l.range.start.line === lineOf(s.dockerfile, 'RUN dd'))!;
    assert.equal(dd.command!.command, ANALYZE_COMMAND);
    const details = dd.command!.arguments![0] as LayerDetails & { image: string; uri: string; layer: number };
    assert.deepEqual([details.image, details.uri], [s.image.Id, 'file:///w/Dockerfile']);
    // The layer index is the entry's position in the history, oldest first: what the report numbers.
    const oldestFirst = [...s.history].reverse();
    assert.equal(oldestFirst[details.layer]!.CreatedBy, details.createdBy);
    assert.equal(lenses.filter((l) => l.command!.command === SHOW_LAYER_COMMAND).length, 1, 'only the base lens shows a message');
    assert.equal(details.size, 49152);
    assert.match(details.createdBy!, /dd if=\/dev\/zero/);
    assert.match((dd.command as { tooltip?: string }).tooltip!, /^49,152 bytes · RUN \|1 SIZE=48/);
    assert.equal(details.tooltip, (dd.command as { tooltip?: string }).tooltip);
  });

  it('the image lens on FROM opens Analyze Image for the matched image and this Dockerfile', () => {
    const s = load('full-buildkit');
    const model = modelOf(s.dockerfile, s.buildArgs);
    const m = selectImage(model, [candidate(s)], { historyOf })!;
    const lenses = toCodeLenses({ kind: 'layers', lenses: layerLenses(m), imageId: s.image.Id, endpoint: '' }, model, 'file:///w/Dockerfile');
    const image = lenses.filter((l) => l.command!.command === ANALYZE_COMMAND && (l.command!.arguments![0] as LayerDetails).kind === 'image');
    assert.equal(image.length, 1);
    assert.match(image[0]!.command!.title, / · Analyze$/);
    const args = image[0]!.command!.arguments![0] as { image: string; uri: string; kind: string };
    assert.deepEqual([args.image, args.uri, args.kind], [s.image.Id, 'file:///w/Dockerfile', 'image']);
  });
});

describe('units', () => {
  it('prints sizes like docker does, with a space', () => {
    assert.deepEqual(
      [0, 6, 999, 1000, 49152, 1984230, 999_999, 372_000_000, 1.5e12].map(humanSize),
      ['0 B', '6 B', '999 B', '1 kB', '49.2 kB', '1.98 MB', '1 MB', '372 MB', '1.5 TB'],
    );
  });
  it('prints shares', () => {
    assert.deepEqual([share(0, 10), share(1, 10_000), share(24, 1000), share(98, 100)], ['0%', '<0.1%', '2.4%', '98%']);
  });
  it('normalizes references the way RepoTags spell them', () => {
    assert.equal(normalizeRef('busybox'), 'busybox:latest');
    assert.equal(normalizeRef('docker.io/library/node:20'), 'node:20');
    assert.equal(normalizeRef('localhost:5000/app'), 'localhost:5000/app:latest');
    assert.equal(normalizeRef('app@sha256:abc'), 'app@sha256:abc');
  });
});
