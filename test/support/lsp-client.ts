/**
 * A small LSP client over stdio for protocol tests and benchmarks.
 *
 * It spawns a server command, speaks JSON-RPC with Content-Length framing (vscode-jsonrpc does
 * the framing), answers the requests a server sends to its client (configuration, capability
 * registration, progress creation), and records every `textDocument/publishDiagnostics` with the
 * time it arrived so callers can wait for, and time, the diagnostics of a given document version.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import {
  ConfigurationRequest,
  createMessageConnection,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  LogMessageNotification,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShowMessageNotification,
  ShowMessageRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  TelemetryEventNotification,
  UnregistrationRequest,
  WorkDoneProgressCreateRequest,
  type ClientCapabilities,
  type ConfigurationItem,
  type InitializeParams,
  type InitializeResult,
  type MessageConnection,
  type PublishDiagnosticsParams,
  type Registration,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';
import { COMMAND_IDS } from '../../client/src/command-ids';

/** One received `textDocument/publishDiagnostics`, stamped with `performance.now()` on arrival. */
export interface ReceivedDiagnostics extends PublishDiagnosticsParams {
  receivedAt: number;
  /** Position in the order of all publishes this client received (0-based). */
  seq: number;
}

/**
 * What to answer to `workspace/configuration`: an object looked up by each item's dotted
 * `section` (a missing section gives null), or a function per item. Without it, every item is null.
 */
export type SettingsProvider = Record<string, unknown> | ((item: ConfigurationItem) => unknown);

/** Which publish `waitForDiagnostics` waits for: a predicate, or a document version. */
export type DiagnosticsFilter = ((params: ReceivedDiagnostics) => boolean) | { version: number };

export interface LspClientOptions {
  /** The executable, such as `process.execPath`. */
  command: string;
  args?: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Answers to `workspace/configuration`; see SettingsProvider. */
  settings?: SettingsProvider;
  /** Called with every chunk the server writes to stderr (default: kept in `stderr`). */
  onStderr?: (chunk: string) => void;
  /** Called with `window/logMessage` and `window/showMessage` text. */
  onLog?: (message: string) => void;
}

export interface InitializeOptions {
  rootUri?: string | null;
  capabilities?: ClientCapabilities;
  initializationOptions?: unknown;
  /** Send `initialized` after the response (default true). */
  sendInitialized?: boolean;
  timeoutMs?: number;
}

/** Capabilities close to what VS Code announces for the features a Dockerfile server uses. */
export const DEFAULT_CLIENT_CAPABILITIES: ClientCapabilities = {
  workspace: {
    configuration: true,
    didChangeConfiguration: { dynamicRegistration: true },
    workspaceFolders: true,
    applyEdit: true,
    workspaceEdit: { documentChanges: true },
  },
  textDocument: {
    synchronization: { dynamicRegistration: true, didSave: true },
    publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
    completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] } },
    hover: { contentFormat: ['markdown', 'plaintext'] },
    rename: { prepareSupport: true },
    foldingRange: { lineFoldingOnly: true },
    codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } } },
    semanticTokens: {
      requests: { full: true },
      tokenTypes: [],
      tokenModifiers: [],
      formats: ['relative'],
    },
  },
  window: { workDoneProgress: true },
  // As the VS Code client declares it: the client commands it runs (client/src/extension.ts).
  experimental: { layerwise: { commands: [...COMMAND_IDS] } },
};

interface Waiter {
  uri: string;
  accept: (p: ReceivedDiagnostics) => boolean;
  resolve: (p: ReceivedDiagnostics) => void;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function lookupSection(settings: Record<string, unknown>, section: string | undefined): unknown {
  if (section === undefined || section === '') return settings;
  if (Object.prototype.hasOwnProperty.call(settings, section)) return settings[section];
  let value: unknown = settings;
  for (const part of section.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, part)) return null;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

export class LspClient {
  readonly process: ChildProcess;
  readonly connection: MessageConnection;
  /** Every publishDiagnostics received, in order. */
  readonly diagnostics: ReceivedDiagnostics[] = [];
  /** The latest publish per uri. */
  readonly latestDiagnostics = new Map<string, ReceivedDiagnostics>();
  /** Registrations the server made with `client/registerCapability` and has not withdrawn. */
  readonly registrations = new Map<string, Registration>();
  /** Every `workspace/configuration` item the server asked for, in order. */
  readonly configurationRequests: ConfigurationItem[] = [];
  /** `window/logMessage` / `window/showMessage` texts. */
  readonly logs: string[] = [];
  /** The subset of `logs` sent with MessageType.Error. */
  readonly errorLogs: string[] = [];
  stderr = '';
  initializeResult: InitializeResult | undefined;
  settings: SettingsProvider | undefined;

  private readonly waiters = new Set<Waiter>();
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private nextSeq = 0;

  constructor(options: LspClientOptions) {
    this.settings = options.settings;
    this.process = spawn(options.command, options.args ?? [], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const child = this.process;
    if (!child.stdin || !child.stdout || !child.stderr) throw new Error('spawn did not give stdio pipes');
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
      child.once('error', () => {
        this.exitInfo = { code: null, signal: null };
        resolve(this.exitInfo);
      });
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (options.onStderr) options.onStderr(chunk);
      else this.stderr += chunk;
    });
    // A server that dies makes writes fail with EPIPE; that surfaces through requests instead.
    child.stdin.on('error', () => undefined);

    this.connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    const c = this.connection;

    c.onNotification(PublishDiagnosticsNotification.type, (params) => {
      const received: ReceivedDiagnostics = { ...params, receivedAt: performance.now(), seq: this.nextSeq++ };
      this.diagnostics.push(received);
      this.latestDiagnostics.set(params.uri, received);
      for (const w of [...this.waiters]) {
        if (w.uri === params.uri && w.accept(received)) {
          this.waiters.delete(w);
          w.resolve(received);
        }
      }
    });
    const log = (m: { type: number; message: string }): void => {
      this.logs.push(m.message);
      if (m.type === 1) this.errorLogs.push(m.message);
      options.onLog?.(m.message);
    };
    c.onNotification(LogMessageNotification.type, log);
    c.onNotification(ShowMessageNotification.type, log);
    c.onNotification(TelemetryEventNotification.type, () => undefined);

    c.onRequest(ConfigurationRequest.type, (params) => params.items.map((item) => this.answerConfiguration(item)));
    c.onRequest(RegistrationRequest.type, (params) => {
      for (const r of params.registrations) this.registrations.set(r.id, r);
      return null;
    });
    c.onRequest(UnregistrationRequest.type, (params) => {
      for (const u of params.unregisterations) this.registrations.delete(u.id);
      return null;
    });
    c.onRequest(WorkDoneProgressCreateRequest.type, () => null);
    c.onRequest(ShowMessageRequest.type, () => null);
    c.listen();
  }

  /** Spawns `command args` and connects to it. */
  static spawn(options: LspClientOptions): LspClient {
    return new LspClient(options);
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get hasExited(): boolean {
    return this.exitInfo !== undefined;
  }

  private answerConfiguration(item: ConfigurationItem): unknown {
    this.configurationRequests.push(item);
    const s = this.settings;
    if (s === undefined) return null;
    if (typeof s === 'function') return s(item) ?? null;
    return lookupSection(s, item.section) ?? null;
  }

  async initialize(options: InitializeOptions = {}): Promise<InitializeResult> {
    const params: InitializeParams = {
      processId: process.pid,
      clientInfo: { name: 'layerwise-test-client' },
      rootUri: options.rootUri ?? null,
      workspaceFolders: null,
      capabilities: options.capabilities ?? DEFAULT_CLIENT_CAPABILITIES,
      ...(options.initializationOptions !== undefined ? { initializationOptions: options.initializationOptions } : {}),
    };
    const result = await withTimeout(this.request(InitializeRequest.type.method, params) as Promise<InitializeResult>, options.timeoutMs ?? 10_000, 'initialize');
    this.initializeResult = result;
    if (options.sendInitialized !== false) await this.notify(InitializedNotification.type.method, {});
    return result;
  }

  /** Sends a request; the promise settles with the server's response. */
  request<R = unknown>(method: string, params?: unknown): Promise<R> {
    return this.connection.sendRequest<R>(method, params);
  }

  /** Sends a notification. */
  notify(method: string, params?: unknown): Promise<void> {
    return this.connection.sendNotification(method, params);
  }

  /** How the server wants document changes: 0 none, 1 full text, 2 incremental. */
  get textDocumentSyncKind(): 0 | 1 | 2 {
    const sync = this.initializeResult?.capabilities.textDocumentSync;
    if (sync === undefined) return 0;
    if (typeof sync === 'number') return sync;
    return sync.change ?? 0;
  }

  didOpen(uri: string, text: string, version = 1, languageId = 'dockerfile'): Promise<void> {
    return this.notify(DidOpenTextDocumentNotification.type.method, { textDocument: { uri, languageId, version, text } });
  }

  didChange(uri: string, version: number, contentChanges: TextDocumentContentChangeEvent[]): Promise<void> {
    return this.notify(DidChangeTextDocumentNotification.type.method, { textDocument: { uri, version }, contentChanges });
  }

  didClose(uri: string): Promise<void> {
    return this.notify(DidCloseTextDocumentNotification.type.method, { textDocument: { uri } });
  }

  /**
   * Resolves with the next publishDiagnostics for `uri` that arrives after this call and matches
   * `filter` (a predicate, or `{ version }`: that version, or an unversioned publish from a
   * server that does not send versions). Register the wait BEFORE sending the message that
   * triggers the publish. Rejects after `timeoutMs`.
   */
  waitForDiagnostics(uri: string, filter?: DiagnosticsFilter, timeoutMs = 10_000): Promise<ReceivedDiagnostics> {
    let accept: (p: ReceivedDiagnostics) => boolean;
    if (filter === undefined) accept = () => true;
    else if (typeof filter === 'function') accept = filter;
    else {
      const v = filter.version;
      accept = (p) => p.version === undefined || p.version === null || p.version === v;
    }
    let waiter: Waiter | undefined;
    const promise = new Promise<ReceivedDiagnostics>((resolve) => {
      waiter = { uri, accept, resolve };
      this.waiters.add(waiter);
    });
    return withTimeout(promise, timeoutMs, `publishDiagnostics for ${uri}`).catch((e: unknown) => {
      if (waiter) this.waiters.delete(waiter);
      throw e;
    });
  }

  /** Peak resident set size of the server process in KiB (VmHWM from /proc), if readable. */
  async peakRssKiB(): Promise<number | undefined> {
    return readProcStatusKiB(this.process.pid, 'VmHWM');
  }

  /** CPU time (user + system) the server process has used so far, in ms, if readable. */
  async cpuTimeMs(): Promise<number | undefined> {
    return readProcCpuTimeMs(this.process.pid);
  }

  /**
   * `shutdown` then `exit`; kills the process if it has not exited within `timeoutMs`.
   * Resolves with the exit code and signal.
   */
  async shutdown(timeoutMs = 3_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.hasExited) {
      try {
        await withTimeout(this.request(ShutdownRequest.type.method), timeoutMs, 'shutdown');
        await this.notify(ExitNotification.type.method);
      } catch {
        // fall through to the kill below
      }
      let timer: NodeJS.Timeout | undefined;
      const killed = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          if (!this.hasExited) this.process.kill('SIGKILL');
          resolve();
        }, timeoutMs);
      });
      await Promise.race([this.exited, killed]);
      clearTimeout(timer);
    }
    const info = await this.exited;
    this.connection.dispose();
    for (const w of this.waiters) this.waiters.delete(w);
    return info;
  }
}

/** A field of /proc/<pid>/status in KiB (such as VmHWM or VmRSS), or undefined if unavailable. */
export async function readProcStatusKiB(pid: number | undefined, field: string): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** User + system CPU time of a process in ms, from /proc/<pid>/stat (clock ticks assumed 100/s, as on Linux). */
export async function readProcCpuTimeMs(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}
