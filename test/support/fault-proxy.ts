import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * A unix socket in front of a real daemon that passes everything through, except the requests a
 * rule names, which get the fault a real daemon cannot produce on demand: no answer at all, an
 * answer that stops (hangs) or is cut (socket closed) after some bytes of its body, HTTP 500, or
 * 200 with a body that is not JSON. The upstream can be switched while clients are connected
 * (another engine under the same socket): open connections are closed, as a daemon restart would.
 */

export type Fault = 'hang' | 'hang-mid' | 'close-mid' | '500' | 'garbage';

export interface FaultRule {
  method?: string;
  /** Matched against the path without the `/v1.xx` prefix and query, e.g. /^\/images\/json$/. */
  path: RegExp;
  fault: Fault;
  /** For hang-mid and close-mid: body bytes passed before the fault (default 1; 0: right after the head). */
  afterBytes?: number;
}

export interface FaultProxy {
  host: string;
  socket: string;
  rules: FaultRule[];
  /** Requests whose path matches are passed on after `ms`: a slow daemon that does answer. */
  delays: { path: RegExp; ms: number }[];
  /** `METHOD /path` of every request, in order. */
  requests: string[];
  /** Sends everything to another daemon socket from now on, closing every open connection. */
  switchUpstream(socket: string): void;
  /** Closes every open connection (as a daemon that restarts). */
  dropConnections(): void;
  close(): Promise<void>;
}

export function endpointPath(url: string): string {
  return url.replace(/\?.*$/, '').replace(/^\/v\d+\.\d+(?=\/)/, '');
}

export async function faultProxy(upstreamSocket: string): Promise<FaultProxy> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-fault-'));
  const socket = path.join(dir, 'docker.sock');
  let upstream = upstreamSocket;
  const open = new Set<net.Socket>();
  const rules: FaultRule[] = [];
  const requests: string[] = [];
  const ruleFor = (method: string, url: string): FaultRule | undefined => rules.find((r) => (!r.method || r.method === method) && r.path.test(endpointPath(url)));

  const delays: FaultProxy['delays'] = [];
  const server = http.createServer((req, res) => {
    const delay = delays.find((d) => d.path.test(endpointPath(req.url ?? '')));
    if (delay) setTimeout(() => handle(req, res), delay.ms);
    else handle(req, res);
  });
  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    requests.push(`${req.method} ${endpointPath(req.url ?? '')}`);
    const rule = ruleFor(req.method ?? 'GET', req.url ?? '');
    if (rule?.fault === 'hang') {
      req.resume();
      return;
    }
    if (rule?.fault === '500') {
      req.resume();
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: `injected fault: ${req.method} ${endpointPath(req.url ?? '')} failed` }));
      return;
    }
    if (rule?.fault === 'garbage') {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"Id": sha256:<<not json>>\u0000\u00ff garbage');
      return;
    }
    const up = http.request({ socketPath: upstream, method: req.method, path: req.url, headers: req.headers });
    up.on('error', () => res.destroy());
    req.pipe(up);
    up.on('response', (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      // A stream (events) may have no body for a long while: its head must reach the client now.
      res.flushHeaders();
      if (!rule) {
        r.pipe(res);
        return;
      }
      let sent = 0;
      const limit = rule.afterBytes ?? 1;
      if (limit === 0) {
        // Right after the head: a stream (events) that fails before its first event.
        if (rule.fault === 'close-mid') setImmediate(() => req.socket.destroy());
        r.resume();
        return;
      }
      r.on('data', (chunk: Buffer) => {
        if (sent >= limit) return;
        const part = chunk.subarray(0, limit - sent);
        sent += part.length;
        res.write(part);
        if (sent >= limit) {
          if (rule.fault === 'close-mid') req.socket.destroy();
          // hang-mid: the rest is read from the daemon and dropped; the client's connection stays open.
        }
      });
    });
  };
  server.on('connection', (s: net.Socket) => {
    open.add(s);
    s.on('close', () => open.delete(s));
  });
  // BuildKit's session (`POST /session`, upgraded to h2c): a raw tunnel.
  server.on('upgrade', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    requests.push(`${req.method} ${endpointPath(req.url ?? '')}`);
    const rule = ruleFor(req.method ?? 'GET', req.url ?? '');
    if (rule) {
      if (rule.fault !== 'hang') client.destroy();
      return;
    }
    const up = net.connect(upstream);
    open.add(up);
    up.on('close', () => open.delete(up));
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    up.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length) up.write(head);
    up.pipe(client).pipe(up);
    const end = (): void => {
      up.destroy();
      client.destroy();
    };
    up.on('error', end).on('close', end);
    client.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  const dropConnections = (): void => {
    for (const s of open) s.destroy();
  };
  return {
    host: `unix://${socket}`,
    socket,
    rules,
    delays,
    requests,
    switchUpstream: (s: string) => {
      upstream = s;
      dropConnections();
    },
    dropConnections,
    close: () =>
      new Promise<void>((resolve) => {
        dropConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Another engine: answers `/_ping`, `/version` (as `engine` with API `apiVersion`), an empty image
 * list, and image events that never come. What a socket serves after the engine behind it changed.
 */
export async function otherEngine(engine: string, apiVersion: string): Promise<{ socket: string; requests: string[]; close(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-other-'));
  const socket = path.join(dir, 'engine.sock');
  const requests: string[] = [];
  const open = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    const p = endpointPath(req.url ?? '');
    requests.push(`${req.method} ${p}`);
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'Content-Type': 'application/json', 'Api-Version': apiVersion });
      res.end(JSON.stringify(body));
    };
    if (p === '/_ping') return json(200, 'OK');
    if (p === '/version') return json(200, { Version: engine, ApiVersion: apiVersion, MinAPIVersion: '1.24', Os: 'linux', Arch: 'amd64' });
    if (p === '/images/json') return json(200, []);
    if (p === '/events') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      return;
    }
    if (/^\/images\/.+\/(json|history|get)$/.test(p)) return json(404, { message: 'no such image' });
    json(404, { message: `page not found: ${p}` });
  });
  server.on('connection', (s: net.Socket) => {
    open.add(s);
    s.on('close', () => open.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    socket,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
