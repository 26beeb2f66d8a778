import type * as Grpc from '@grpc/grpc-js';
import type Dockerode from 'dockerode';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import * as fs from 'node:fs';
import type { Duplex } from 'node:stream';
import * as path from 'node:path';
import { fsBuildContext } from '../model/build-context';

/** What a build context sent: files and bytes. */
export interface ContextStats {
  files: number;
  bytes: number;
}

/**
 * The BuildKit session of a build, the way the docker CLI opens it (`POST /session`, hijacked to
 * HTTP/2, a gRPC server on our side): it serves the build context and the Dockerfile through
 * BuildKit's file sync (`moby.filesync.v1.FileSync/DiffCopy`, fsutil's packet protocol) for a
 * build started with `remote=client-session`, plus the auth service (no credentials) and the
 * health check. Sending the context this way instead of as the request body is what works on
 * Engine 26 with the containerd image store, whose BuildKit worker cannot read an uploaded body
 * ("failed to read downloaded context … build-context-…: no such host"); 20.10 accepts both.
 */

const FILESYNC_DIFFCOPY = '/moby.filesync.v1.FileSync/DiffCopy';
const AUTH_CREDENTIALS = '/moby.filesync.v1.Auth/Credentials';
const HEALTH_CHECK = '/grpc.health.v1.Health/Check';

/** gRPC is carried by the dockerode bundle (server/out/dockerode.js), loaded with it on first use. */
function loadGrpc(): typeof Grpc {
  const m = require('@grpc/grpc-js') as typeof Grpc & { grpc?: typeof Grpc };
  return m.grpc ?? m;
}

// ---------------------------------------------------------------------------------------------
// fsutil's wire types (github.com/tonistiigi/fsutil/types): Packet and Stat, protobuf by hand.

export const enum PacketType {
  Stat = 0,
  Req = 1,
  Data = 2,
  Fin = 3,
  Err = 4,
}

export interface FileStat {
  path: string;
  /** Go's os.FileMode: permission bits, plus 1<<31 for a directory and 1<<27 for a symlink. */
  mode: number;
  size: number;
  modTimeNs: bigint;
  linkname: string;
}

export interface Packet {
  type: PacketType;
  stat?: FileStat;
  id?: number;
  data?: Buffer;
}

function varint(n: bigint): Buffer {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
}
const key = (field: number, wire: number): Buffer => varint(BigInt((field << 3) | wire));
const vfield = (field: number, v: number | bigint): Buffer[] => (v ? [key(field, 0), varint(BigInt(v))] : []);
const lfield = (field: number, b: Buffer): Buffer[] => (b.length ? [key(field, 2), varint(BigInt(b.length)), b] : []);

function encodeStat(s: FileStat): Buffer {
  return Buffer.concat([
    ...lfield(1, Buffer.from(s.path)),
    ...vfield(2, s.mode >>> 0),
    ...vfield(5, s.size),
    ...vfield(6, s.modTimeNs),
    ...lfield(7, Buffer.from(s.linkname)),
  ]);
}

export function encodePacket(p: Packet): Buffer {
  const stat = p.stat ? encodeStat(p.stat) : undefined;
  return Buffer.concat([
    ...vfield(1, p.type),
    ...(stat ? [key(2, 2), varint(BigInt(stat.length)), stat] : []),
    ...vfield(3, p.id ?? 0),
    ...lfield(4, p.data ?? Buffer.alloc(0)),
  ]);
}

/** The packets a receiver sends: REQ, FIN, ERR (type, ID and data; a stat is skipped). */
export function decodePacket(b: Buffer): Packet {
  const p: Packet = { type: PacketType.Stat };
  let i = 0;
  const readVarint = (): bigint => {
    let shift = 0n;
    let v = 0n;
    for (;;) {
      const byte = b[i++];
      if (byte === undefined) throw new Error('truncated packet');
      v |= BigInt(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return v;
      shift += 7n;
    }
  };
  while (i < b.length) {
    const k = Number(readVarint());
    const field = k >> 3;
    const wire = k & 7;
    if (wire === 0) {
      const v = Number(readVarint());
      if (field === 1) p.type = v;
      else if (field === 3) p.id = v;
    } else if (wire === 2) {
      const len = Number(readVarint());
      const bytes = b.subarray(i, i + len);
      i += len;
      if (field === 4) p.data = Buffer.from(bytes);
    } else {
      throw new Error(`unexpected wire type ${wire}`);
    }
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// The files of a local source, in fsutil's walk order (lexical per directory, parents first).

function goMode(st: fs.Stats): number {
  let m = st.mode & 0o777;
  if (st.mode & 0o4000) m |= 1 << 23;
  if (st.mode & 0o2000) m |= 1 << 22;
  if (st.mode & 0o1000) m |= 1 << 20;
  if (st.isDirectory()) m |= 2 ** 31;
  if (st.isSymbolicLink()) m |= 1 << 27;
  return m >>> 0;
}

/** A BuildKit include pattern (`Dockerfile`, `sub/*.txt`) as a test of a relative path. */
function includeTest(patterns: string[]): (rel: string, isDir: boolean) => boolean {
  if (!patterns.length) return () => true;
  const res = patterns.map((p) => {
    const clean = p.replace(/^\.?\/+/, '').replace(/\/+$/, '');
    const re = new RegExp(`^${clean.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*/g, '\u0000').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]').replace(/\u0000/g, '.*')}(/.*)?$`);
    return { clean, re };
  });
  // A directory on the way to an included path is sent too (the receiver needs its parents).
  return (rel, isDir) => res.some(({ clean, re }) => re.test(rel) || (isDir && clean.startsWith(`${rel}/`)));
}

interface LocalEntry {
  stat: FileStat;
  full: string;
  file: boolean;
}

async function listLocal(dir: string, dockerfile: string, include: string[], name: 'context' | 'dockerfile'): Promise<LocalEntry[]> {
  const ctx = fsBuildContext(dir, path.join(dir, dockerfile));
  const negations = (ctx.ignoreFile?.patterns ?? []).some((p) => p.startsWith('!'));
  // The Dockerfile goes as the `dockerfile` source whatever the ignore file says; in the context
  // (what `COPY . .` takes) it follows .dockerignore, as with the docker CLI, so that listing it
  // there keeps an edit of the Dockerfile from re-running `COPY . .`.
  const always = new Set(['.dockerignore', `${dockerfile}.dockerignore`, ...(name === 'dockerfile' ? [dockerfile] : [])]);
  const included = includeTest(include);
  const out: LocalEntry[] = [];
  const walk = async (relDir: string): Promise<void> => {
    const entries = await fs.promises.readdir(path.join(dir, relDir), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const rel = relDir ? `${relDir}/${e.name}` : e.name;
      const full = path.join(dir, rel);
      const st = await fs.promises.lstat(full);
      const ignored = ctx.isIgnored(rel) && !always.has(rel);
      const stat = (linkname = ''): FileStat => ({ path: rel, mode: goMode(st), size: st.isDirectory() ? 0 : st.size, modTimeNs: BigInt(Math.round(st.mtimeMs)) * 1_000_000n, linkname });
      if (st.isDirectory()) {
        if (ignored && !negations) continue;
        const before = out.length;
        if (!ignored && included(rel, true)) out.push({ stat: stat(), full, file: false });
        await walk(rel);
        // An ignored or not included directory still goes when something inside it does.
        if ((ignored || !included(rel, true)) && out.length > before) out.splice(before, 0, { stat: stat(), full, file: false });
      } else if (!ignored && included(rel, false)) {
        if (st.isSymbolicLink()) out.push({ stat: stat(await fs.promises.readlink(full)), full, file: false });
        else if (st.isFile()) out.push({ stat: stat(), full, file: true });
      }
    }
  };
  await walk('');
  return out;
}

/**
 * fsutil's sender: every STAT, an empty STAT to end the listing; each REQ answered with the
 * file's bytes in DATA packets and an empty DATA; the receiver's FIN answered with FIN.
 */
async function sendDiffCopy(call: Grpc.ServerDuplexStream<Packet, Packet>, entries: LocalEntry[]): Promise<void> {
  const write = async (p: Packet): Promise<void> => {
    if (!call.write(p)) await once(call, 'drain');
  };
  for (const e of entries) await write({ type: PacketType.Stat, stat: e.stat });
  await write({ type: PacketType.Stat });
  const queue: number[] = [];
  let sending: Promise<void> = Promise.resolve();
  const sendFile = async (id: number): Promise<void> => {
    const e = entries[id];
    if (!e?.file) throw new Error(`the receiver asked for entry ${id}, which is not a file`);
    for await (const chunk of fs.createReadStream(e.full, { highWaterMark: 32 * 1024 })) await write({ type: PacketType.Data, id, data: chunk as Buffer });
    await write({ type: PacketType.Data, id });
  };
  await new Promise<void>((resolve, reject) => {
    call.on('data', (p: Packet) => {
      if (p.type === PacketType.Req) {
        queue.push(p.id ?? 0);
        sending = sending.then(() => sendFile(queue.shift()!)).catch((e: unknown) => {
          reject(e as Error);
        });
      } else if (p.type === PacketType.Fin) {
        void sending.then(() => write({ type: PacketType.Fin })).then(() => {
          call.end();
          resolve();
        }, reject);
      } else if (p.type === PacketType.Err) {
        reject(new Error(`BuildKit could not receive the files: ${p.data?.toString('utf8') ?? ''}`));
      }
    });
    call.on('error', reject);
    call.on('end', resolve);
  });
}

// ---------------------------------------------------------------------------------------------

export interface BuildSession {
  id: string;
  /** Files and bytes of the context as BuildKit asked for it (its first full listing). */
  stats: ContextStats | undefined;
  close(): void;
}

/**
 * Opens a session that serves `contextDir` as the local sources `context` and `dockerfile`.
 * Errors of the file sync go to `onError` (the build itself then fails with BuildKit's message).
 */
export async function openBuildSession(docker: Dockerode, contextDir: string, dockerfile: string, onError: (e: Error) => void): Promise<BuildSession> {
  const grpc = loadGrpc();
  const id = randomUUID();
  const socket = await new Promise<Duplex>((resolve, reject) => {
    const modem = docker.modem as unknown as { dial(o: Record<string, unknown>, cb: (err: unknown, socket: Duplex) => void): void };
    modem.dial(
      {
        method: 'POST',
        path: '/session?',
        hijack: true,
        headers: {
          Upgrade: 'h2c',
          'X-Docker-Expose-Session-Uuid': id,
          'X-Docker-Expose-Session-Name': 'layerwise',
          'X-Docker-Expose-Session-Sharedkey': randomBytes(16).toString('hex'),
          'X-Docker-Expose-Session-Grpc-Method': [FILESYNC_DIFFCOPY, AUTH_CREDENTIALS, HEALTH_CHECK],
        },
        statusCodes: { 101: true, 200: true, 400: 'bad parameter', 404: 'no session endpoint', 500: 'server error' },
      },
      (err, s) => (err ? reject(err) : resolve(s)),
    );
  });
  const server = new grpc.Server();
  const session: BuildSession = {
    id,
    stats: undefined,
    close: () => {
      server.forceShutdown();
      socket.destroy();
    },
  };
  const packet = { serialize: encodePacket, deserialize: decodePacket };
  server.addService(
    {
      DiffCopy: { path: FILESYNC_DIFFCOPY, requestStream: true, responseStream: true, requestSerialize: packet.serialize, requestDeserialize: packet.deserialize, responseSerialize: packet.serialize, responseDeserialize: packet.deserialize },
    } as Grpc.ServiceDefinition,
    {
      DiffCopy: (call: Grpc.ServerDuplexStream<Packet, Packet>) => {
        const md = call.metadata;
        const values = (k: string): string[] => md.get(k).map(String);
        const name = values('dir-name')[0] ?? '';
        const include = values('include-patterns');
        void (async () => {
          if (name !== 'context' && name !== 'dockerfile') throw new Error(`BuildKit asked for an unknown local source "${name}"`);
          const entries = await listLocal(contextDir, dockerfile, include, name);
          if (name === 'context' && !include.length && !session.stats) {
            session.stats = { files: entries.filter((e) => e.file).length, bytes: entries.reduce((n, e) => n + (e.file ? e.stat.size : 0), 0) };
          }
          await sendDiffCopy(call, entries);
        })().catch((e: unknown) => {
          onError(e as Error);
          call.destroy(e as Error);
        });
      },
    },
  );
  const raw = { serialize: (b: Buffer) => b, deserialize: (b: Buffer) => b };
  server.addService(
    { Credentials: { path: AUTH_CREDENTIALS, requestStream: false, responseStream: false, requestSerialize: raw.serialize, requestDeserialize: raw.deserialize, responseSerialize: raw.serialize, responseDeserialize: raw.deserialize } } as Grpc.ServiceDefinition,
    // No credentials: an empty CredentialsResponse (anonymous pulls only).
    { Credentials: (_call: unknown, cb: (e: null, r: Buffer) => void) => cb(null, Buffer.alloc(0)) },
  );
  server.addService(
    { Check: { path: HEALTH_CHECK, requestStream: false, responseStream: false, requestSerialize: raw.serialize, requestDeserialize: raw.deserialize, responseSerialize: raw.serialize, responseDeserialize: raw.deserialize } } as Grpc.ServiceDefinition,
    // HealthCheckResponse { status: SERVING }
    { Check: (_call: unknown, cb: (e: null, r: Buffer) => void) => cb(null, Buffer.from([0x08, 0x01])) },
  );
  server.createConnectionInjector(grpc.ServerCredentials.createInsecure()).injectConnection(socket);
  return session;
}
