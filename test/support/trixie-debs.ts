import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Packages from Debian 13 ("trixie") for the tests that need what Debian 12 lacks (Engine 26,
 * Helix): their .deb files are downloaded once from the machine's Debian mirror into a cache outside
 * the repository (LAYERWISE_DEB_CACHE; /var/cache/layerwise-test-debs as root, else
 * ~/.cache/layerwise-test-debs), checked against the SHA256 of the mirror's package index, and
 * extracted with dpkg-deb -x into a private folder: no system package changes.
 */
export const DEB_CACHE =
  process.env.LAYERWISE_DEB_CACHE ?? (process.getuid?.() === 0 ? '/var/cache/layerwise-test-debs' : path.join(os.homedir(), '.cache', 'layerwise-test-debs'));

/** The mirror could not be reached (network error, timeout, or a server error): callers skip, they do not fail. */
export class MirrorUnreachable extends Error {}

export interface TrixieDeb {
  name: string;
  version: string;
  file: string;
}

function mirror(): string {
  const sources = ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list'].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
  const uri = /^URIs:\s*(\S+)/m.exec(sources)?.[1] ?? /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)/m.exec(sources)?.[1];
  return (uri ?? 'http://deb.debian.org/debian').replace(/\/+$/, '');
}

class NotOnMirror extends Error {}

function download(url: string, file: string): Promise<void> {
  const part = `${file}.${process.pid}.part`;
  return new Promise((resolve, reject) => {
    const req = (url.startsWith('https:') ? https : http).get(url, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        const message = `GET ${url}: HTTP ${res.statusCode}`;
        reject(res.statusCode === 404 ? new NotOnMirror(message) : new MirrorUnreachable(message));
        return;
      }
      const out = fs.createWriteStream(part);
      res.pipe(out);
      res.on('error', (e) => reject(new MirrorUnreachable(`GET ${url}: ${e.message}`)));
      out.on('finish', () => {
        fs.renameSync(part, file);
        resolve();
      });
      out.on('error', reject);
    });
    req.setTimeout(60_000, () => req.destroy(new Error('no data for 60 s')));
    req.on('error', (e) => reject(new MirrorUnreachable(`GET ${url}: ${e.message}`)));
  });
}

const sha256 = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/**
 * The .deb files of the named trixie packages, from the cache or downloaded and verified. The
 * cached index is read again from the mirror once when it names a file the mirror no longer has
 * (a point release replaced it).
 */
export async function trixieDebs(packages: string[], log: (s: string) => void = () => undefined): Promise<TrixieDeb[]> {
  fs.mkdirSync(DEB_CACHE, { recursive: true });
  const base = mirror();
  const index = path.join(DEB_CACHE, 'trixie-Packages.xz');
  for (let fresh = false; ; fresh = true) {
    if (fresh || !fs.existsSync(index)) {
      log(`downloading trixie's package index from ${base}`);
      await download(`${base}/dists/trixie/main/binary-amd64/Packages.xz`, index).catch((e: Error) => {
        throw e instanceof NotOnMirror ? new MirrorUnreachable(`${e.message} (this mirror has no trixie)`) : e;
      });
    }
    const text = execFileSync('xz', ['-dc', index], { encoding: 'utf8', maxBuffer: 1 << 30 });
    try {
      const out: TrixieDeb[] = [];
      for (const name of packages) {
        const stanza = text.split('\n\n').find((s) => s.startsWith(`Package: ${name}\n`));
        const filename = stanza && /^Filename: (\S+)$/m.exec(stanza)?.[1];
        const sum = stanza && /^SHA256: (\S+)$/m.exec(stanza)?.[1];
        const version = stanza && /^Version: (\S+)$/m.exec(stanza)?.[1];
        if (!filename || !sum || !version) throw new Error(`trixie's index has no ${name}`);
        const file = path.join(DEB_CACHE, path.basename(filename));
        if (!fs.existsSync(file) || sha256(file) !== sum) {
          log(`downloading ${path.basename(filename)}`);
          await download(`${base}/${filename}`, file);
          if (sha256(file) !== sum) throw new Error(`${file}: SHA256 differs from trixie's index`);
        }
        out.push({ name, version, file });
      }
      return out;
    } catch (e) {
      if (!(e instanceof NotOnMirror) || fresh) throw e;
    }
  }
}

/** Extracts the .deb files into `dir` (dpkg-deb -x), unless `dir` already holds exactly these files. */
export function extractDebs(debs: TrixieDeb[], dir: string): void {
  const marker = path.join(dir, '.extracted');
  const want = debs.map((d) => path.basename(d.file)).join('\n');
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === want) return;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const d of debs) execFileSync('dpkg-deb', ['-x', d.file, dir]);
  fs.writeFileSync(marker, want);
}
