/**
 * ARG and ENV values as BuildKit resolves them: global ARGs feed FROM, a stage's `ARG X`
 * inherits the global default, build-arg values override defaults, ENV follows ARG.
 * A value that cannot be known statically stays `undefined`; callers must not guess.
 */

export type VarKind = 'arg' | 'env' | 'predefined';

export interface VarValue {
  kind: VarKind;
  /** Undefined when it cannot be known (an ARG without default or build-arg, a platform ARG). */
  value: string | undefined;
}

/** Platform ARGs BuildKit defines in the global scope; their values depend on the build. */
export const PLATFORM_ARGS = [
  'TARGETPLATFORM',
  'TARGETOS',
  'TARGETARCH',
  'TARGETVARIANT',
  'BUILDPLATFORM',
  'BUILDOS',
  'BUILDARCH',
  'BUILDVARIANT',
] as const;

/** ARGs usable without declaration in RUN (proxy settings and BuildKit's own). */
export const PREDEFINED_ARGS = [
  'HTTP_PROXY',
  'http_proxy',
  'HTTPS_PROXY',
  'https_proxy',
  'FTP_PROXY',
  'ftp_proxy',
  'NO_PROXY',
  'no_proxy',
  'ALL_PROXY',
  'all_proxy',
  'BUILDKIT_SYNTAX',
  'BUILDKIT_INLINE_CACHE',
  'BUILDKIT_CONTEXT_KEEP_GIT_DIR',
  'BUILDKIT_MULTI_PLATFORM',
  'BUILDKIT_SANDBOX_HOSTNAME',
  'SOURCE_DATE_EPOCH',
] as const;

export class VarScope {
  private readonly vars: Map<string, VarValue>;

  constructor(parent?: VarScope) {
    this.vars = new Map(parent?.vars);
  }

  get(name: string): VarValue | undefined {
    return this.vars.get(name);
  }

  has(name: string): boolean {
    return this.vars.has(name);
  }

  set(name: string, value: VarValue): void {
    this.vars.set(name, value);
  }

  delete(name: string): void {
    this.vars.delete(name);
  }

  names(): string[] {
    return [...this.vars.keys()];
  }

  /**
   * Expands `$X`, `${X}`, `${X:-d}`, `${X-d}`, `${X:+a}`, `${X+a}` the way BuildKit does for
   * instruction arguments. `unresolved` lists the variables whose value is unknown.
   */
  expand(text: string, escape = '\\'): Expansion {
    const unresolved: string[] = [];
    const undeclared: string[] = [];
    let out = '';
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (c === escape && text[i + 1] === '$') {
        out += '$';
        i++;
        continue;
      }
      if (c !== '$') {
        out += c;
        continue;
      }
      let name = '';
      let modifier = '';
      let word = '';
      if (text[i + 1] === '{') {
        const close = text.indexOf('}', i + 2);
        if (close < 0) {
          out += text.slice(i);
          break;
        }
        const inner = text.slice(i + 2, close);
        const m = /^([A-Za-z_][A-Za-z0-9_]*)(:?[-+?])?(.*)$/s.exec(inner);
        if (!m) {
          out += text.slice(i, close + 1);
          i = close;
          continue;
        }
        name = m[1]!;
        modifier = m[2] ?? '';
        word = m[3] ?? '';
        i = close;
      } else {
        const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1));
        if (!m) {
          out += c;
          continue;
        }
        name = m[0];
        i += name.length;
      }
      const v = this.vars.get(name);
      const known = v !== undefined && v.value !== undefined;
      const value = v?.value ?? '';
      const set = v !== undefined && (v.kind !== 'arg' || v.value !== undefined);
      switch (modifier) {
        case ':-':
          if (!v || (known && value === '')) out += this.expand(word, escape).text;
          else if (known) out += value;
          else unresolved.push(name);
          break;
        case '-':
          if (!v) out += this.expand(word, escape).text;
          else if (known) out += value;
          else unresolved.push(name);
          break;
        case ':+':
          if (known && value !== '') out += this.expand(word, escape).text;
          else if (!v || known) out += '';
          else unresolved.push(name);
          break;
        case '+':
          if (set) out += this.expand(word, escape).text;
          else if (!v) out += '';
          else unresolved.push(name);
          break;
        default:
          if (known) out += value;
          else if (v) unresolved.push(name);
          else undeclared.push(name); // BuildKit expands it to the empty string
          break;
      }
    }
    return { text: out, unresolved, undeclared, certain: unresolved.length === 0 && undeclared.length === 0 };
  }
}

export interface Expansion {
  text: string;
  /** Declared variables whose value cannot be known statically. */
  unresolved: string[];
  /** Variables that are not declared at all (BuildKit expands them to ''). */
  undeclared: string[];
  /** Every variable had a known value: safe to draw conclusions from `text`. */
  certain: boolean;
}
