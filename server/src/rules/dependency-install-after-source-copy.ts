import type { Inst } from '../model/model';
import { broadCopyBefore, commandSpan, copyLabel, dependencyInstall, instructionsBefore, type DependencyInstall } from './lib/language-packages';
import { defineRule } from './rule';

function installsIn(inst: Inst): DependencyInstall[] {
  const run = (inst.trigger ?? inst).run;
  return run ? run.commands.flatMap((c) => dependencyInstall(c) ?? []) : [];
}

export default defineRule(
  {
    id: 'dependency-install-after-source-copy',
    severity: 'warning',
    category: 'cache',
    description: 'Dependencies are installed after the whole source is copied, so every source edit re-installs them.',
    docs: {
      why:
        "Docker reuses a layer only while everything before it is unchanged. `COPY . .` hashes every file it copies: edit one line of " +
        'your code and that layer changes, so every instruction after it runs again. When `npm ci` (or `pip install -r`, ' +
        '`go mod download`, `bundle install`, ...) comes after it, each code change downloads and installs all dependencies again. ' +
        'Copy only the manifest and lock files first, install, then copy the rest: the install layer stays cached until the ' +
        'dependencies really change.\n\n' +
        'Only steps that resolve dependencies are reported: `go build`, `cargo build`, `mvn package` or `dotnet publish` are ' +
        'the build itself and must follow the source. `cargo fetch`, `mvn dependency:go-offline`, `gradle dependencies` and ' +
        '`dotnet restore` are reported, because they exist to make a dependency layer. A later install of the same ecosystem, ' +
        'after the manifests were installed on their own (`pip install -r requirements.txt`, then `COPY . .`, then ' +
        '`pip install .`), is the recommended pattern and is not reported, also when the first install is in a stage this one ' +
        'is built FROM. Installs of named packages (`npm install -g x`) are left ' +
        'to the pinning rules.',
      bad: 'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD ["node", "server.js"]',
      good: 'FROM node:20-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nCMD ["node", "server.js"]',
    },
    aliases: {},
  },
  (ctx) => {
    const model = ctx.model;
    for (const stage of model.stages) {
      const reported = new Set<string>();
      for (const inst of stage.instructions) {
        const target = inst.trigger ?? inst;
        if (target.keyword !== 'RUN' || !target.run) continue;
        for (const cmd of target.run.commands) {
          const dep = dependencyInstall(cmd);
          if (!dep || reported.has(dep.group)) continue;
          const copy = broadCopyBefore(stage, inst.index, model, target.inOnbuild);
          if (!copy) continue;
          // The manifests were installed on their own before the source came in: this is the second, cheap step.
          const before = instructionsBefore(copy.inst.stage, copy.inst.index).filter((i) => !!i.trigger === target.inOnbuild);
          if (before.some((i) => installsIn(i).some((d) => d.group === dep.group))) continue;
          reported.add(dep.group);
          const line = copy.inst.range.start.line + 1;
          const then = dep.advice ?? 'install';
          ctx.report({
            range: commandSpan(model, target.run, cmd, dep.word),
            message: `\`${dep.label}\` re-runs on every source change because \`${copyLabel(copy.inst)}\` (line ${line}) comes before it; copy ${dep.manifests} first and ${then} before copying the rest.`,
          });
        }
      }
    }
  },
);
