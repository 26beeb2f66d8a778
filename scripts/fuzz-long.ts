/**
 * The long fuzz run: the same seeded documents (mutated real Dockerfiles and generated
 * pathologies, every advertised request at random positions, edits in between) through
 * Layerwise's bundled server and the peer dockerfile-language-server-nodejs, one after the other.
 * Writes documents, requests, errors, unanswered requests, crashes, p99 latency and peak RSS of
 * both into the `fuzz` section of docs/BENCHMARKS.md, and the failing documents to
 * test-artifacts/fuzz-long/.
 *
 *   node scripts/build.mjs && npx tsx scripts/fuzz-long.ts [--documents 100000] [--seed N] [--minutes M] [--only layerwise|peer] [--first N]
 *
 * Both servers run at the same time (each gets the same documents in the same order); --minutes
 * stops both after that long and reports how many documents each finished. --first N starts at
 * document N (document i is the same in every run of a seed), to go on from where such a run stopped.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { benchMarks, writeBenchSection } from '../test/bench/benchmarks-doc';
import { realFiles, readReal } from '../test/support/corpus';
import { percentile, runFuzz, type FuzzFailure, type RunResult } from '../test/support/fuzz';
import { LspClient } from '../test/support/lsp-client';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const DOCUMENTS = Number(arg('documents', '100000'));
const SEED = Number(arg('seed', '14'));
const ONLY = arg('only', '');
const MINUTES = Number(arg('minutes', '0'));
const FIRST = Number(arg('first', '0'));
const ROOT = path.resolve(__dirname, '..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'fuzz-long');

const SERVERS = [
  { name: 'layerwise', label: 'Layerwise', command: [process.execPath, path.join(ROOT, 'server/out/server.js'), '--stdio'] },
  {
    name: 'peer',
    label: 'dockerfile-language-server-nodejs',
    command: [process.execPath, path.join(ROOT, 'node_modules/dockerfile-language-server-nodejs/bin/docker-langserver'), '--stdio'],
  },
];

function peerVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/dockerfile-language-server-nodejs/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

async function main(): Promise<void> {
  const corpus = realFiles().map(readReal);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const stopAt = MINUTES > 0 ? Date.now() + MINUTES * 60_000 : Infinity;
  const run = async (server: (typeof SERVERS)[number]): Promise<{ label: string; result: RunResult }> => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-fuzz-long-'));
    let kept = 0;
    const started = Date.now();
    const result = await runFuzz(
      {
        seed: SEED,
        documents: DOCUMENTS,
        first: FIRST,
        command: server.command,
        settings: { layerwise: { docker: { host: `unix://${folder}/no-docker.sock` } } },
        folder,
        corpus,
        deadlineMs: 20_000,
        size: { maxChars: 20_000 },
        edits: 2,
        stop: () => Date.now() > stopAt,
        onFailure: (f: FuzzFailure) => {
          console.log(`[${server.name}] document ${f.doc}: ${f.kind} ${f.method}: ${f.message.slice(0, 200).replace(/\s+/g, ' ')}`);
          // Enough examples to reproduce each kind; the counts are in the table.
          if (kept++ < 200) fs.writeFileSync(path.join(ARTIFACTS, `${server.name}-doc-${f.doc}-${f.method.replace(/\W+/g, '_')}.txt`), `${JSON.stringify(f.params)}\n${f.message}\n---\n${f.text}`);
        },
        progress: (s) => {
          if (s.documents % 250 === 0) {
            const rate = s.documents / ((Date.now() - started) / 1000);
            console.log(`[${server.name}] ${s.documents}/${DOCUMENTS} documents, ${s.requests} requests, ${s.errors} errors, ${s.unanswered} unanswered, ${s.crashes} crashes, ${rate.toFixed(2)} documents/s`);
          }
        },
      },
      ([command, ...args], settings) => LspClient.spawn({ command: command!, args, settings }),
    );
    fs.rmSync(folder, { recursive: true, force: true });
    return { label: server.label, result };
  };
  const results: { label: string; result: RunResult }[] = await Promise.all(SERVERS.filter((s) => !ONLY || ONLY === s.name).map(run));
  const mib = (kib: number | undefined): string => (kib === undefined ? '?' : `${(kib / 1024).toFixed(0)} MiB`);
  const rows = results.map(
    ({ label, result: r }) =>
      `| ${label} | ${r.documents} | ${r.requests} | ${r.errors} | ${r.unanswered} | ${r.crashes} | ${r.restarts} | ${percentile(r.latencies, 50).toFixed(1)} ms | ${percentile(r.latencies, 99).toFixed(0)} ms | ${mib(r.peakRssKiB)} | ${(r.durationMs / 60_000).toFixed(0)} min |`,
  );
  const { start, end } = benchMarks('fuzz');
  const section = [
    start,
    '## Fuzz: the same documents through both servers',
    '',
    `\`npx tsx scripts/fuzz-long.ts --documents ${DOCUMENTS} --seed ${SEED}${MINUTES ? ` --minutes ${MINUTES}` : ''}${FIRST ? ` --first ${FIRST}` : ''}\` (after \`node scripts/build.mjs\`), ${new Date().toISOString().slice(0, 10)}, ` +
      `both servers at the same time, ${MINUTES ? `stopped after ${MINUTES} minutes, ` : ''}` +
      `${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(1)} at the end (a shared machine: latencies include waiting for a core). ` +
      `Mutated real Dockerfiles of the corpus and generated pathologies (lines up to about 20,000 characters), each opened, ` +
      `asked every request the server advertises at random positions, edited twice (incremental or full) and asked again. ` +
      `An error is an error answer (a cancelled request is not one); unanswered is no answer within 20 s; a crash is the process exiting (it is restarted); a server that left a request unanswered is restarted before the next document. Latencies are of answered requests; peak RSS is the highest VmHWM of the server processes. ` +
      `Peer: dockerfile-language-server-nodejs ${peerVersion()}.`,
    '',
    '| Server | Documents | Requests | Errors | Unanswered | Crashes | Restarts after a hang | p50 | p99 | Peak RSS (VmHWM) | Time |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    end,
  ].join('\n');
  console.log(section);
  writeBenchSection('fuzz', section);
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
