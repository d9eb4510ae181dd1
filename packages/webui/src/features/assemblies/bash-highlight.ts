// A small bash tokenizer for the script editor's highlighting: comments, strings, variables,
// keywords, builtins and numbers. Enough to read a script at a glance; not a parser.

export type TokenKind = 'comment' | 'string' | 'variable' | 'keyword' | 'builtin' | 'number' | 'operator' | 'text';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
}

const KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'fi', 'for', 'while', 'until', 'do', 'done', 'case', 'esac', 'in', 'function', 'select', 'time', 'return', 'exit', 'break', 'continue', 'local', 'export', 'readonly', 'declare', 'set', 'unset', 'shift', 'trap']);
const BUILTINS = new Set(['echo', 'printf', 'read', 'cd', 'test', 'source', 'eval', 'exec', 'true', 'false', 'command', 'type', 'wait', 'kill', 'grep', 'awk', 'sed', 'cut', 'sort', 'uniq', 'head', 'tail', 'cat', 'systemctl', 'journalctl', 'apt-get', 'dnf', 'yum', 'df', 'ps', 'ip', 'ss']);

const RULES: ReadonlyArray<[TokenKind, RegExp]> = [
  ['comment', /#[^\n]*/y],
  ['string', /"(?:[^"\\]|\\[\s\S])*"?/y],
  ['string', /'[^']*'?/y],
  ['variable', /\$(?:\{[^}\n]*\}?|\(\(?|[A-Za-z_][A-Za-z0-9_]*|[0-9@#?$!*-])/y],
  ['number', /\b\d+\b/y],
  ['operator', /&&|\|\||;;|[|&;<>()[\]{}=]/y],
];
const WORD = /[A-Za-z_][A-Za-z0-9_.-]*/y;

/** Splits `source` into tokens whose texts concatenate back to `source` exactly. */
export function tokenizeBash(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let text = '';
  const flush = () => {
    if (text) tokens.push({ kind: 'text', text });
    text = '';
  };
  outer: while (i < source.length) {
    // A `#` starts a comment only at a word start (not inside `${#x}` or `a#b`).
    const prev = i === 0 ? '\n' : source[i - 1]!;
    for (const [kind, re] of RULES) {
      if (kind === 'comment' && !/\s|;/.test(prev)) continue;
      re.lastIndex = i;
      const m = re.exec(source);
      if (m && m[0].length > 0) {
        flush();
        tokens.push({ kind, text: m[0] });
        i += m[0].length;
        continue outer;
      }
    }
    WORD.lastIndex = i;
    const w = WORD.exec(source);
    if (w && !/[A-Za-z0-9_]/.test(prev)) {
      const kind: TokenKind = KEYWORDS.has(w[0]) ? 'keyword' : BUILTINS.has(w[0]) ? 'builtin' : 'text';
      if (kind === 'text') text += w[0];
      else {
        flush();
        tokens.push({ kind, text: w[0] });
      }
      i += w[0].length;
      continue;
    }
    text += source[i];
    i += 1;
  }
  flush();
  return tokens;
}
