/**
 * Long work as a generator that yields between steps (a parse, the model, one rule), so the server
 * can answer other documents in between: a worker thread would hold a second V8 heap and a second
 * copy of the shell parser's wasm.
 */
export type Steps<T> = Generator<void, T, void>;

/** Runs every step at once (the command line, tests, fix-all). */
export function drain<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

export interface CooperativeOptions {
  /** Run steps for this long before giving the event loop a turn. */
  sliceMs?: number;
  /** Checked after each turn: true abandons the work (a newer version, a closed document). */
  stale?: () => boolean;
}

/** Runs the steps, giving the event loop a turn (setImmediate) every sliceMs; undefined when it went stale. */
export async function runCooperatively<T>(steps: Steps<T>, { sliceMs = 8, stale }: CooperativeOptions = {}): Promise<T | undefined> {
  let sliceStart = performance.now();
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (performance.now() - sliceStart < sliceMs) continue;
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (stale?.()) {
      steps.return(undefined as T);
      return undefined;
    }
    sliceStart = performance.now();
  }
}
