// The script editor's bash tokenizer: lossless, and the token kinds a reader relies on.
import { describe, expect, it } from 'vitest';
import { tokenizeBash } from './bash-highlight';

const kinds = (src: string) => tokenizeBash(src).filter((t) => t.kind !== 'text').map((t) => [t.kind, t.text]);

describe('tokenizeBash', () => {
  it('concatenates back to the source exactly', () => {
    const src = '#!/bin/bash\nset -u\nif [ "${WARN:-90}" -gt 5 ]; then echo \'hi\' # done\nfi\nx=$((1+2)) ${#arr[@]} a#b\n';
    expect(tokenizeBash(src).map((t) => t.text).join('')).toBe(src);
  });

  it('marks comments, strings, variables, keywords and builtins', () => {
    expect(kinds('# note\necho "a $B" $C; exit 2')).toEqual([
      ['comment', '# note'],
      ['builtin', 'echo'],
      ['string', '"a $B"'],
      ['variable', '$C'],
      ['operator', ';'],
      ['keyword', 'exit'],
      ['number', '2'],
    ]);
    expect(kinds('a#b ${#x}')).toEqual([['variable', '${#x}']]);
  });
});
