/**
 * The extension-host test entry point: VS Code loads this file (bundled) with
 * --extensionTestsPath and calls run(). The suite uses Mocha's programmatic API.
 */
import Mocha from 'mocha';
import { addLayerwiseTests } from './layerwise';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000 });
  addLayerwiseTests(mocha.suite);
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} extension-host test(s) failed`)) : resolve()));
  });
}
