// A bash editor without a dependency: a transparent textarea over a highlighted <pre> that mirrors
// it (same font, padding and scroll), so typing stays native and the text is coloured as you go.
import { Box, Text, useComputedColorScheme } from '@mantine/core';
import { useRef, type CSSProperties, type UIEvent } from 'react';
import { tokenizeBash, type TokenKind } from './bash-highlight';

const LIGHT: Record<TokenKind, string | undefined> = {
  comment: '#6a737d',
  string: '#0a7f3f',
  variable: '#b35900',
  keyword: '#a626a4',
  builtin: '#1d63c9',
  number: '#986801',
  operator: '#5c6370',
  text: undefined,
};
const DARK: Record<TokenKind, string | undefined> = {
  comment: '#7f8c98',
  string: '#98c379',
  variable: '#e5a65a',
  keyword: '#c678dd',
  builtin: '#61afef',
  number: '#d19a66',
  operator: '#abb2bf',
  text: undefined,
};

const SHARED: CSSProperties = {
  margin: 0,
  padding: '10px 12px',
  fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
  fontSize: 13,
  lineHeight: '20px',
  whiteSpace: 'pre',
  overflowWrap: 'normal',
  tabSize: 4,
  border: 0,
  boxSizing: 'border-box',
};

export interface ScriptEditorProps {
  readonly value: string;
  readonly onChange?: (value: string) => void;
  readonly readOnly?: boolean;
  readonly minRows?: number;
  readonly testId?: string;
}

export function ScriptEditor({ value, onChange, readOnly = false, minRows = 18, testId = 'script-editor' }: ScriptEditorProps) {
  const scheme = useComputedColorScheme('light');
  const colours = scheme === 'dark' ? DARK : LIGHT;
  const pre = useRef<HTMLPreElement>(null);
  const lines = value.split('\n').length;
  const height = Math.max(minRows, Math.min(lines + 1, 40)) * 20 + 22;
  const syncScroll = (event: UIEvent<HTMLTextAreaElement>) => {
    if (!pre.current) return;
    pre.current.scrollTop = event.currentTarget.scrollTop;
    pre.current.scrollLeft = event.currentTarget.scrollLeft;
  };

  return (
    <div>
      <Box
        pos="relative"
        style={{ height, borderRadius: 6, border: '1px solid var(--mantine-color-default-border)', background: 'var(--mantine-color-body)', overflow: 'hidden' }}
        data-testid={`${testId}-frame`}
      >
        <pre ref={pre} aria-hidden style={{ ...SHARED, position: 'absolute', inset: 0, overflow: 'hidden', pointerEvents: 'none', color: 'var(--mantine-color-text)' }} data-testid={`${testId}-highlight`}>
          {tokenizeBash(value).map((token, index) =>
            colours[token.kind] ? (
              <span key={index} style={{ color: colours[token.kind], fontStyle: token.kind === 'comment' ? 'italic' : undefined }} data-token={token.kind}>
                {token.text}
              </span>
            ) : (
              token.text
            ),
          )}
          {/* A trailing newline needs a character after it to take up a line. */}
          {'\n '}
        </pre>
        <textarea
          value={value}
          onChange={(event) => onChange?.(event.currentTarget.value)}
          onScroll={syncScroll}
          readOnly={readOnly}
          spellCheck={false}
          autoCapitalize="off"
          autoComplete="off"
          aria-label="Script"
          style={{ ...SHARED, position: 'absolute', inset: 0, width: '100%', height: '100%', resize: 'none', overflow: 'auto', color: 'transparent', background: 'transparent', caretColor: 'var(--mantine-color-text)', outline: 'none' }}
          onKeyDown={(event) => {
            // Tab indents instead of leaving the field, as in any code editor.
            if (event.key !== 'Tab' || readOnly || event.shiftKey) return;
            event.preventDefault();
            const el = event.currentTarget;
            const { selectionStart: start, selectionEnd: end } = el;
            onChange?.(`${value.slice(0, start)}    ${value.slice(end)}`);
            requestAnimationFrame(() => el.setSelectionRange(start + 4, start + 4));
          }}
          data-testid={testId}
        />
      </Box>
      <Text size="xs" c="dimmed" mt={4}>
        {lines} line{lines === 1 ? '' : 's'} · {new TextEncoder().encode(value).length.toLocaleString()} bytes of at most 1 MiB{readOnly ? ' · read-only' : ' · Tab indents'}
      </Text>
    </div>
  );
}
