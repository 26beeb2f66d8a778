import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VarScope } from '../../server/src/model/variables';

const arg = (value: string | undefined) => ({ kind: 'arg' as const, value });

/** A scope is a snapshot of its parent, shared in layers instead of copied per declaration. */
describe('VarScope', () => {
  it('a child sees its parent as it was when the child was made, not later writes', () => {
    const parent = new VarScope();
    parent.set('A', arg('1'));
    const child = new VarScope(parent);
    parent.set('A', arg('2'));
    parent.set('B', arg('3'));
    assert.equal(child.get('A')?.value, '1');
    assert.equal(child.has('B'), false);
    assert.equal(parent.get('A')?.value, '2');
  });

  it('a delete in a child hides the name there only, and a later set brings it back', () => {
    const parent = new VarScope();
    parent.set('A', arg('1'));
    parent.set('B', arg('2'));
    const child = new VarScope(parent);
    child.delete('A');
    assert.equal(child.get('A'), undefined);
    assert.deepEqual(child.names(), ['B']);
    assert.equal(parent.get('A')?.value, '1');
    child.set('A', arg('x'));
    assert.deepEqual(child.names().sort(), ['A', 'B']);
    assert.equal(child.expand('$A$B').text, 'x2');
  });

  it('a chain of 50,000 scopes, one declaration each, keeps every value and few layers', () => {
    let scope = new VarScope();
    const kept: VarScope[] = [];
    for (let i = 0; i < 50_000; i++) {
      scope = new VarScope(scope);
      scope.set(`V${i}`, arg(String(i)));
      if (i % 10_000 === 0) kept.push(scope);
    }
    assert.equal(scope.get('V0')?.value, '0');
    assert.equal(scope.get('V49999')?.value, '49999');
    assert.equal(scope.names().length, 50_000);
    assert.equal(kept[1]!.get('V10000')?.value, '10000');
    assert.equal(kept[1]!.has('V10001'), false);
    assert.ok((new VarScope(scope) as unknown as { layers: unknown[] }).layers.length <= 20);
  });

  it('Windows names are looked up case-insensitively across layers', () => {
    const parent = new VarScope();
    parent.set('Path', arg('C:\\x'));
    const child = new VarScope(parent);
    assert.equal(child.expand('$PATH', { windows: true }).text, 'C:\\x');
  });
});
