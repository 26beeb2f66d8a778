import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explainEngineFault } from '../../server/src/docker/build';

describe('build errors the engine causes', () => {
  const SNAPSHOT = 'failed to prepare extraction snapshot "extract-275119122-wqOi sha256:e571ee83" : parent snapshot sha256:bd6518a3 does not exist: not found';
  const cases: { name: string; error: string; hint: boolean }[] = [
    { name: "containerd's lost parent snapshot (Engine 26, seen in CI)", error: SNAPSHOT.replace('" :', '":'), hint: true },
    { name: 'a failing RUN', error: "process \"/bin/sh -c false\" did not complete successfully: exit code: 1", hint: false },
    { name: 'a missing parent elsewhere', error: 'parent snapshot sha256:bd65 does not exist: not found', hint: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const out = explainEngineFault(c.error);
      assert.ok(out.startsWith(c.error));
      assert.equal(/building again usually succeeds/.test(out), c.hint, out);
    });
  }
});
