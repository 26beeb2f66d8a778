import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { DEFAULT_SETTINGS } from '../../server/src/config';
import { lintDocument } from '../../server/src/engine/lint';
import { blankHeredocFds } from '../../server/src/engine/opaque-heredocs';
import { initShellParser } from '../../server/src/model/shell';
import { docOf } from '../support/docs';

// buildah's tests/bud/heredoc/Containerfile, which both buildah and BuildKit build.
const FDS =
  'FROM alpine\n' +
  'RUN cat /proc/self/fd/5 /proc/self/fd/6 5<<FILE1 6<<FILE2 > test6.txt\n' +
  'this is the output of test6 part1\n' +
  'FILE1\n' +
  'this is the output of test6 part2\n' +
  'FILE2\n' +
  'RUN 5<<file cat /proc/self/fd/5 /proc/self/fd/6 6<<FILE | cat /dev/stdin /proc/self/fd/6 6<<File > test7.txt\n' +
  'this is the output of test7 part1\n' +
  'file\n' +
  'this is the output of test7 part2\n' +
  'FILE\n' +
  'this is the output of test7 part3\n' +
  'File\n';

describe('heredocs on a file descriptor (5<<EOF)', () => {
  before(() => initShellParser());

  for (const crlf of [false, true]) {
    it(`are heredocs: no error on their bodies${crlf ? ' (CRLF)' : ''}`, () => {
      const errors = lintDocument(docOf(FDS, crlf), DEFAULT_SETTINGS).filter((d) => d.severity === 1);
      assert.deepEqual(errors, []);
    });
  }

  it('the model sees the bodies as heredocs of their RUN', () => {
    const model = docOf(FDS).model();
    assert.deepEqual(
      model.runs().map((r) => r.heredocs.map((h) => h.name)),
      [
        ['FILE1', 'FILE2'],
        ['file', 'FILE', 'File'],
      ],
    );
  });

  it('keeps offsets and leaves digits that are not a heredoc fd alone', () => {
    const text = 'FROM alpine\nENV X=5<<A\nRUN echo a5<<EOF\nbody\nEOF\nRUN \\\n  cat 3<<-"X"\n\tx\n\tX\n';
    const blanked = blankHeredocFds(text);
    assert.equal(blanked.length, text.length);
    assert.equal(blanked, 'FROM alpine\nENV X=5<<A\nRUN echo a5<<EOF\nbody\nEOF\nRUN \\\n  cat  <<-"X"\n\tx\n\tX\n');
  });
});
