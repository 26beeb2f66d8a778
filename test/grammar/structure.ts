/**
 * Compares the grammar's tokens with what BuildKit makes of each line (buildkit-lines.ts) and
 * returns the disagreements, one readable string each.
 */
import type { IGrammar } from 'vscode-textmate';
import { classifyLines } from './buildkit-lines';
import { splitLines, tokenize, type Token } from './tokenize';

const KNOWN = new Set([
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL',
  'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
]);

const has = (t: Token | undefined, scope: string): boolean => !!t && t.scopes.some((s) => s === scope || s.startsWith(scope + '.'));
const hasPrefix = (t: Token | undefined, prefix: string): boolean => !!t && t.scopes.some((s) => s.startsWith(prefix));

export function structureProblems(grammar: IGrammar, text: string, tokenized?: Token[][]): string[] | undefined {
  const info = classifyLines(text);
  if (!info) return undefined;
  const lines = splitLines(text.replace(/^\uFEFF/, ''));
  const tokens = tokenized ?? tokenize(grammar, text.replace(/^\uFEFF/, ''));
  const problems: string[] = [];
  info.forEach((li, n) => {
    const lineText = lines[n] ?? '';
    const first = lineText.search(/\S/);
    if (first < 0) return;
    const at = (col: number): Token | undefined => tokens[n]?.find((t) => t.start <= col && col < t.end);
    const tok = at(first);
    const fail = (what: string): void => {
      problems.push(`line ${n + 1} (${li.kind}${li.keyword ? ' ' + li.keyword : ''}): ${what}\n    ${lineText.slice(0, 100)}\n    ${tok?.scopes.join(' ')}`);
    };
    switch (li.kind) {
      case 'directive':
        if (!has(tok, 'meta.directive')) fail('not a directive');
        break;
      case 'comment':
        if (!has(tok, 'comment.line.number-sign')) fail('not a comment');
        else if (hasPrefix(tok, 'meta.instruction.')) fail('comment inside an instruction');
        break;
      case 'instruction': {
        const kwTok = at(li.keywordColumn ?? first);
        const known = KNOWN.has(li.keyword!);
        if (known && !has(kwTok, 'keyword.other.special-method.dockerfile') && !has(kwTok, 'keyword.control.onbuild.dockerfile')) fail('keyword not marked');
        if (known && !hasPrefix(kwTok, 'meta.instruction.')) fail('not in an instruction');
        if (!known && has(kwTok, 'keyword.other.special-method.dockerfile')) fail('unknown word marked as a keyword');
        if (hasPrefix(kwTok, 'meta.heredoc') || hasPrefix(kwTok, 'meta.embedded')) fail('instruction inside a heredoc or embedded code');
        break;
      }
      case 'continuation':
        if (!hasPrefix(tok, 'meta.instruction.') && KNOWN.has(li.keyword!)) fail('continuation line outside its instruction');
        if (has(tok, 'keyword.other.special-method.dockerfile') && !hasPrefix(tok, 'meta.embedded') && !(li.keyword === 'HEALTHCHECK' && /^\s*CMD\b/i.test(lineText))) fail('continuation line marked as an instruction');
        break;
      case 'continuation-comment':
        if (!has(tok, 'comment.line.number-sign.dockerfile')) fail('comment line inside a continuation not marked as a Dockerfile comment');
        if (!hasPrefix(tok, 'meta.instruction.') && KNOWN.has(li.keyword!)) fail('comment line in a continuation ends the instruction');
        break;
      case 'heredoc-body':
        if (!has(tok, 'meta.heredoc.dockerfile')) fail('heredoc body outside the heredoc');
        if ((li.keyword === 'COPY' || li.keyword === 'ADD') && tok?.scopes.includes('source.shell')) fail('COPY/ADD heredoc body highlighted as shell');
        if (li.keyword === 'RUN' && li.heredocFirst && !hasPrefix(tok, 'meta.embedded.heredoc.') && !has(tok, 'string.unquoted.heredoc.dockerfile') && !has(tok, 'punctuation.definition.comment.shebang.dockerfile')) fail('RUN <<EOF body neither a script nor text');
        break;
      case 'heredoc-end':
        if (!has(tok, 'entity.name.tag.heredoc.dockerfile')) fail('heredoc delimiter not marked');
        break;
      default:
        break;
    }
  });
  return problems;
}
