import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import { COMMAND_IDS } from '../../client/src/command-ids';
import { DEFAULT_SETTINGS, normalizeSettings, SETTINGS_SCHEMA } from '../../server/src/config';
import { isDockerfileName } from '../../server/src/engine/discover';
import { configurationContribution } from '../../scripts/gen-manifest';

const manifest = JSON.parse(fs.readFileSync('package.json', 'utf8'));

describe('extension manifest', () => {
  it('contributes exactly the settings the server declares (run `npm run gen` after changing config.ts)', () => {
    assert.deepEqual(manifest.contributes.configuration, configurationContribution());
  });

  it('scopes every setting to a resource except the trace', () => {
    for (const [key, schema] of Object.entries(SETTINGS_SCHEMA)) assert.equal(schema.scope, key === 'trace.server' ? 'window' : 'resource', key);
  });

  it('contributes exactly the commands the client registers', () => {
    assert.deepEqual(manifest.contributes.commands.map((c: { command: string }) => c.command).sort(), [...COMMAND_IDS].sort());
  });

  it('activates on the dockerfile language and names the files VS Code should treat as Dockerfiles', () => {
    assert.deepEqual(manifest.activationEvents, ['onLanguage:dockerfile']);
    const lang = manifest.contributes.languages.find((l: { id: string }) => l.id === 'dockerfile');
    assert.deepEqual(lang.filenames, ['Dockerfile', 'Containerfile']);
    for (const p of ['Dockerfile.*', 'Containerfile.*', '*.dockerfile', '*.containerfile']) assert.ok(lang.filenamePatterns.includes(p), p);
    const ignore = manifest.contributes.languages.find((l: { id: string }) => l.id === 'dockerignore');
    assert.deepEqual(ignore.filenames, ['.dockerignore', '.containerignore']);
  });

  it('the command line discovers the same names', () => {
    for (const n of ['Dockerfile', 'Containerfile', 'Dockerfile.dev', 'Containerfile.prod', 'api.dockerfile', 'x.containerfile']) assert.ok(isDockerfileName(n), n);
    for (const n of ['Dockerfile.dockerignore'.replace('Dockerfile.', ''), 'dockerfile.md'.replace('dockerfile', 'notes'), 'Makefile', 'README.md']) assert.ok(!isDockerfileName(n), n);
  });

  it('points main and bin at the bundles', () => {
    assert.equal(manifest.main, './client/out/extension.js');
    assert.equal(manifest.bin.layerwise, 'server/out/cli.js');
  });
});

describe('settings', () => {
  it('default settings are what an empty configuration normalizes to', () => {
    assert.deepEqual(normalizeSettings(undefined), DEFAULT_SETTINGS);
    assert.deepEqual(normalizeSettings({}), DEFAULT_SETTINGS);
  });
  it('drops values of the wrong type instead of passing them on', () => {
    const s = normalizeSettings({ validation: { enable: 'no' }, rules: { DL3008: 'loud', 'apt-update-separate': 'off' }, buildArgs: { A: 1, B: 'x' } });
    assert.equal(s.validation.enable, true);
    assert.deepEqual(s.rules, { 'apt-update-separate': 'off' });
    assert.deepEqual(s.buildArgs, { B: 'x' });
  });
});
