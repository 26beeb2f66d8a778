/**
 * Takes the README's picture from a real run (docs/images/screenshot.png) and writes what that run
 * found beside it (docs/images/screenshot.json: the Problems panel's rows, the lenses). It packages
 * the extension, starts the private Docker daemon and code-server as the e2e tier does, builds the
 * pictured Dockerfile's image there and shows it (test/e2e/support/readme-shot.ts).
 *   flock /tmp/lw-daemon.lock npx tsx scripts/readme-screenshot.ts
 */
import * as path from 'node:path';
import { connect } from '../test/daemon/docker-fixtures';
import { startPrivateDaemon } from '../test/support/daemon';
import { captureReadmeShot, README_SHOT } from '../test/e2e/support/readme-shot';
import { prepareWorkbench, ROOT } from '../test/e2e/support/workbench';

async function main(): Promise<number> {
  const daemon = await startPrivateDaemon((s) => console.log(`[daemon] ${s}`));
  if (!daemon.ok) {
    console.error(`readme-screenshot: the private daemon did not start: ${daemon.reason}`);
    return 1;
  }
  try {
    const prepared = await prepareWorkbench(path.join(ROOT, 'test', 'e2e', 'fixtures', 'workspace'));
    if (!prepared.ok) {
      console.error(`readme-screenshot: ${prepared.reason}`);
      return 1;
    }
    try {
      const client = await connect(daemon.daemon.host);
      const r = await captureReadmeShot(prepared.workbench, client, daemon.daemon.host, README_SHOT);
      console.log(`${path.relative(ROOT, README_SHOT.png)}: ${r.diagnostics} problems, ${r.lenses.length} lenses`);
      for (const l of r.lenses) console.log(`  line ${l.line}: ${l.text}`);
    } finally {
      await prepared.workbench.close();
    }
  } finally {
    await daemon.daemon.stop();
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error((e as Error).stack ?? String(e));
    process.exit(1);
  },
);
