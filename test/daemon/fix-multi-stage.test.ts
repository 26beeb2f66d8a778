import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { before, describe, it } from 'node:test';
import type Docker from 'dockerode';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DEFAULT_SETTINGS } from '../../server/src/config';
import { lintDocument } from '../../server/src/engine/lint';
import type { RuleDiagnosticData } from '../../server/src/engine/rule-runner';
import { initShellParser } from '../../server/src/model/shell';
import { analyzeMultiStage, convertToMultiStage } from '../../server/src/refactor/multi-stage';
import { buildClassic, runOutput } from '../support/build';
import { testDaemon } from '../support/daemon';
import { ensureDebianImage } from '../support/debian-image';
import { docOf } from '../support/docs';
import { dockerFor } from '../support/images';

const ONCE = 'the conversion is proven on one real build: run once, on Engine 20.10';
const daemon = testDaemon({ podman: ONCE, docker26: ONCE });

const HELLO_C = '#include <stdio.h>\nint main(void) { printf("hello from C\\n"); return 0; }\n';
const HELLO_GO = 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello from Go") }\n';

/** Runs `cmd` in the image instead of its CMD: exit code and output. */
async function runIn(docker: Docker, image: string, cmd: string[]): Promise<{ code: number; out: string }> {
  const container = await docker.createContainer({ Image: image, Cmd: cmd, Entrypoint: [], Tty: true });
  try {
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    const logs = (await container.logs({ stdout: true, stderr: true })) as unknown as Buffer;
    return { code: StatusCode, out: logs.toString('utf8') };
  } finally {
    await container.remove({ force: true });
  }
}

async function sizeOf(docker: Docker, id: string): Promise<number> {
  return (await docker.getImage(id).inspect()).Size;
}

function record(entry: Record<string, unknown>): void {
  if (process.env.LAYERWISE_RECORD_FIX_PROOF) fs.appendFileSync(process.env.LAYERWISE_RECORD_FIX_PROOF, JSON.stringify(entry) + '\n');
}

/** The multi-stage conversion, proven by building the image before and after on the private daemon. */
describe('multi-stage conversion on a real build', { skip: daemon.skip }, () => {
  const docker = dockerFor(daemon.host ?? '');
  let base = '';
  before(async () => {
    await initShellParser();
    base = await ensureDebianImage(docker);
  });

  it('C: the runtime stage prints the same, holds no gcc, and the image is smaller', { timeout: 900_000 }, async () => {
    const before = [
      `FROM ${base}`,
      'RUN apt-get update && apt-get install -y gcc libc6-dev',
      'WORKDIR /src',
      'COPY hello.c .',
      'RUN gcc -O2 -o /usr/local/bin/hello hello.c',
      'CMD ["hello"]',
      '',
    ].join('\n');
    const doc = docOf(before);
    // The rule offers the conversion as its quick fix...
    const d = lintDocument(doc, DEFAULT_SETTINGS).find((x) => x.code === 'single-stage-toolchain');
    assert.ok(d, 'single-stage-toolchain reported');
    const fix = (d.data as RuleDiagnosticData).fixes[0];
    assert.ok(fix, `a conversion is offered: ${d.message}`);
    assert.equal(fix.safe, false);
    // ...and the runtime base is overridable: no registry is reachable, so the runtime stage uses the local Debian image.
    const conversion = convertToMultiStage(doc, { runtimeBase: () => base });
    assert.ok('edits' in conversion, JSON.stringify(conversion));
    const after = TextDocument.applyEdits(doc.textDocument, conversion.edits);
    assert.equal(TextDocument.applyEdits(doc.textDocument, fix.edits), after, 'the quick fix is the same conversion (the local image maps to itself)');
    assert.equal(
      after,
      [
        `FROM ${base} AS build`,
        'RUN apt-get update && apt-get install -y gcc libc6-dev',
        'WORKDIR /src',
        'COPY hello.c .',
        'RUN gcc -O2 -o /usr/local/bin/hello hello.c',
        '',
        `FROM ${base}`,
        'WORKDIR /src',
        'COPY --from=build /usr/local/bin/hello /usr/local/bin/hello',
        'CMD ["hello"]',
        '',
      ].join('\n'),
    );

    const a = await buildClassic(docker, before, 'layerwise-test/multi-stage-c:before', { 'hello.c': HELLO_C });
    const b = await buildClassic(docker, after, 'layerwise-test/multi-stage-c:after', { 'hello.c': HELLO_C });
    const outA = await runOutput(docker, a.id);
    const outB = await runOutput(docker, b.id);
    assert.equal(outA, 'hello from C\n');
    assert.equal(outB, outA);
    const gccBefore = await runIn(docker, a.id, ['sh', '-c', 'command -v gcc']);
    const gccAfter = await runIn(docker, b.id, ['sh', '-c', 'command -v gcc || ls /usr/bin/*gcc* /usr/lib/gcc 2>&1']);
    assert.equal(gccBefore.code, 0, 'gcc is in the single-stage image');
    assert.match(gccBefore.out, /\/usr\/bin\/gcc/);
    assert.notEqual(gccAfter.code, 0, `gcc is gone from the runtime image: ${gccAfter.out}`);
    const sizeA = await sizeOf(docker, a.id);
    const sizeB = await sizeOf(docker, b.id);
    const baseSize = await sizeOf(docker, base);
    console.log(`multi-stage (C): before ${sizeA} bytes (${(sizeA / 1e6).toFixed(1)} MB), after ${sizeB} bytes (${(sizeB / 1e6).toFixed(1)} MB), saved ${sizeA - sizeB} bytes; base image ${baseSize} bytes`);
    assert.ok(sizeA - sizeB > 50e6, `saved only ${sizeA - sizeB} bytes`);
    assert.ok(sizeB - baseSize < 1e6, `the runtime image adds ${sizeB - baseSize} bytes to its base`);
    record({ fix: 'multi-stage-c', before: sizeA, after: sizeB, base: baseSize });
  });

  it('Go with CGO_ENABLED=0: the scratch variant runs the static binary alone', { timeout: 900_000 }, async () => {
    const before = [
      `FROM ${base}`,
      'RUN apt-get update && apt-get install -y --no-install-recommends golang-go',
      'WORKDIR /src',
      'COPY main.go .',
      'RUN CGO_ENABLED=0 GOCACHE=/tmp/gocache go build -o /out/hello main.go',
      'CMD ["/out/hello"]',
      '',
    ].join('\n');
    const doc = docOf(before);
    const analysis = analyzeMultiStage(doc.model());
    assert.equal(analysis.kind, 'convert');
    assert.deepEqual(
      analysis.kind === 'convert' ? analysis.conversions.map((c) => c.variant) : [],
      ['runtime', 'distroless', 'scratch'],
    );
    const conversion = convertToMultiStage(doc, { variant: 'scratch' });
    assert.ok('edits' in conversion, JSON.stringify(conversion));
    const after = TextDocument.applyEdits(doc.textDocument, conversion.edits);
    assert.equal(
      after,
      [
        `FROM ${base} AS build`,
        'RUN apt-get update && apt-get install -y --no-install-recommends golang-go',
        'WORKDIR /src',
        'COPY main.go .',
        'RUN CGO_ENABLED=0 GOCACHE=/tmp/gocache go build -o /out/hello main.go',
        '',
        'FROM scratch',
        'WORKDIR /src',
        'COPY --from=build /out/hello /out/hello',
        'CMD ["/out/hello"]',
        '',
      ].join('\n'),
    );
    const a = await buildClassic(docker, before, 'layerwise-test/multi-stage-go:before', { 'main.go': HELLO_GO });
    const b = await buildClassic(docker, after, 'layerwise-test/multi-stage-go:after', { 'main.go': HELLO_GO });
    const outA = await runOutput(docker, a.id);
    const outB = await runOutput(docker, b.id);
    assert.equal(outA, 'hello from Go\n');
    assert.equal(outB, outA);
    const sizeA = await sizeOf(docker, a.id);
    const sizeB = await sizeOf(docker, b.id);
    console.log(`multi-stage (Go → scratch): before ${sizeA} bytes (${(sizeA / 1e6).toFixed(1)} MB), after ${sizeB} bytes (${(sizeB / 1e6).toFixed(2)} MB), saved ${sizeA - sizeB} bytes`);
    // Nothing but the binary: no shell, no Go toolchain.
    const history = await docker.getImage(b.id).history();
    assert.ok(sizeB < 5e6, `the scratch image is ${sizeB} bytes (${history.length} layers)`);
    assert.ok(sizeA - sizeB > 200e6, `saved only ${sizeA - sizeB} bytes`);
    record({ fix: 'multi-stage-go-scratch', before: sizeA, after: sizeB });
  });
});
