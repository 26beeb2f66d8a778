import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initShellParser } from '../../server/src/model/shell';
import { docOf } from '../support/docs';

/** The commands of the last RUN as rules read them: name and argument texts, and where each argument is in the file. */
function lastRun(text: string, buildArgs: Record<string, string> = {}) {
  const doc = docOf(text);
  const model = doc.model(buildArgs);
  const inst = model.runs().at(-1)!;
  const run = inst.run!;
  return run.commands.map((c) => ({
    name: c.name,
    args: c.args.map((a) => a.text),
    dynamic: c.args.map((a) => a.dynamic),
    written: c.args.map((a) => doc.text.slice(model.offsetAt(model.wordRange(run, a).start), model.offsetAt(model.wordRange(run, a).end))),
  }));
}

describe('RUN words with known ARG/ENV values expanded (shell-expand)', () => {
  before(() => initShellParser());

  it('splits an unquoted value into words, each on the variable written in the file', () => {
    const [wget] = lastRun('FROM debian\nARG WGET_ARGS="-q --progress=dot:giga"\nRUN wget ${WGET_ARGS} https://x/y\n');
    assert.deepEqual(wget!.args, ['-q', '--progress=dot:giga', 'https://x/y']);
    assert.deepEqual(wget!.written, ['${WGET_ARGS}', '${WGET_ARGS}', 'https://x/y']);
    assert.deepEqual(wget!.dynamic, [false, false, false]);
  });

  it('an ARG or ENV value is the word as written with its quotes removed, as BuildKit reads it', () => {
    const [wget] = lastRun('FROM debian\nARG EMPTY=\nARG OPTS=${EMPTY:-"-q"}\nENV MORE=\'--progress=dot:giga\'\nRUN wget ${OPTS} $MORE https://x/y\n');
    assert.deepEqual(wget!.args, ['-q', '--progress=dot:giga', 'https://x/y']);
    assert.deepEqual(wget!.dynamic, [false, false, false]);
  });

  it('a value derived from a name only the base image could set is unknown; from scratch, or before FROM, it is known', () => {
    // Measured with BuildKit on Docker 20.10: a base image with ENV NAME=fromimage makes APP /srv/fromimage.
    const [fromBase] = lastRun('FROM debian\nARG APP=/srv/${NAME:-app}\nENV DIR=${APP}/bin\nRUN ls $DIR $APP\n');
    assert.deepEqual(fromBase!.dynamic, [true, true]);
    const [fromScratch] = lastRun('FROM scratch AS s\nFROM s\nARG APP=/srv/${NAME:-app}\nRUN ls $APP\n');
    assert.deepEqual([fromScratch!.args, fromScratch!.dynamic], [['/srv/app'], [false]]);
    const [global] = lastRun('ARG TAG=${NONE:-3}\nFROM debian\nARG TAG\nRUN echo $TAG\n');
    assert.deepEqual([global!.args, global!.dynamic], [['3'], [false]]);
  });

  it('keeps a quoted value as one word, and an empty unquoted value as no word', () => {
    assert.deepEqual(lastRun('FROM debian\nENV A="x y" E=\nRUN echo "$A" $E "$E" a$A\n')[0]!.args, ['x y', '', 'ax', 'y']);
  });

  it('reads ENV, build args over ARG defaults, and the alternatives BuildKit and the shell agree on', () => {
    assert.deepEqual(lastRun('FROM debian\nARG V=1\nENV P=/opt\nRUN echo $V ${P}/bin ${U:-d} ${V:+set} ${E:-$P}\n', { V: '2' })[0]!.args, ['2', '/opt/bin', '${U:-d}', 'set', '${E:-$P}']);
  });

  it('leaves unknown values as written and dynamic: no default, the base image, the shell, special parameters', () => {
    const [echo] = lastRun('FROM debian\nARG NODEF\nRUN echo $NODEF $HOME $(id -u) $1 ${#NODEF} "${HOME}/x"\n');
    assert.deepEqual(echo!.args, ['$NODEF', '$HOME', '$(id -u)', '$1', '${#NODEF}', '${HOME}/x']);
    assert.ok(echo!.dynamic.every(Boolean));
  });

  it('does not expand what the script sets itself, nor anything after `.`/`source`/`eval`', () => {
    assert.deepEqual(lastRun('FROM debian\nARG V=1\nRUN V=2; echo $V\n').at(-1)!.args, ['$V']);
    assert.deepEqual(lastRun('FROM debian\nARG V=1\nRUN for V in a b; do echo $V; done\n').at(-1)!.args, ['$V']);
    assert.deepEqual(lastRun('FROM debian\nARG V=1\nRUN read V < /f && echo $V\n').at(-1)!.args, ['$V']);
    assert.deepEqual(lastRun('FROM debian\nARG V=1\nRUN . /etc/profile && echo $V\n').at(-1)!.args, ['$V']);
  });

  it('marks an unknown variable the script assigns only plain words as one operand word, not possible options', () => {
    const text = 'FROM alpine\nRUN case "$(uname -m)" in x86_64) URL=\'https://x/a.tgz\' ;; *) URL="https://x/b.tgz" ;; esac; wget -O /a.tgz ${URL}; OPTS="-q -nv"; wget $OPTS x\n';
    const doc = docOf(text);
    const wgets = doc.model().runs()[0]!.run!.commands.filter((c) => c.name === 'wget');
    assert.deepEqual(wgets.map((c) => c.args.map((a) => [a.text, !!a.operand])), [[['-O', false], ['/a.tgz', false], ['${URL}', true]], [['$OPTS', false], ['x', false]]]);
  });

  it('single quotes and escapes are not expanded', () => {
    assert.deepEqual(lastRun("FROM debian\nARG V=1\nRUN echo '$V' \\$V \"\\$V\" $V\n")[0]!.args, ['$V', '$V', '$V', '1']);
  });

  it('a command name from a variable becomes the command; an empty or wrapper name is left alone', () => {
    const [pip] = lastRun('FROM python:3.12\nENV PIP="python3 -m pip"\nRUN $PIP install flask\n');
    assert.equal(pip!.name, 'python3');
    assert.deepEqual(pip!.args, ['-m', 'pip', 'install', 'flask']);
    assert.equal(lastRun('FROM debian\nARG SUDO=sudo\nRUN $SUDO apt-get update\n')[0]!.name, '$SUDO');
  });

  it('exec-form RUN is not expanded (no shell)', () => {
    assert.deepEqual(lastRun('FROM debian\nARG V=1\nRUN ["echo", "$V"]\n')[0]!.args, ['$V']);
  });

  it('a stage sees only the ARGs it declares again; ENV carries over from the parent stage', () => {
    const text = 'ARG G=1\nFROM debian AS a\nENV E=2\nFROM a\nRUN echo $G $E\n';
    assert.deepEqual(lastRun(text)[0]!.args, ['$G', '2']);
  });
});
