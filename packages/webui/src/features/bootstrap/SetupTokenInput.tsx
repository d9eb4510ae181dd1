// The one-time setup token field, with where to find the token (security.md §2.3).
import { Code, Text, TextInput } from '@mantine/core';

export interface SetupTokenInputProps {
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly error?: string;
  readonly autoFocus?: boolean;
}

export const SETUP_TOKEN_FILE = 'Engine/Services/api-backend/secrets/setup_token.txt';

export function SetupTokenInput({ value, onChange, error, autoFocus }: SetupTokenInputProps) {
  return (
    <TextInput
      label="Setup token"
      description={
        <Text span inherit>
          Proves you run this engine. It was printed in the engine&apos;s console at start-up and is saved on the
          engine host in <Code>{SETUP_TOKEN_FILE}</Code>
        </Text>
      }
      placeholder="43 characters"
      value={value}
      onChange={(event) => onChange(event.currentTarget.value.trim())}
      error={error}
      required
      autoComplete="off"
      spellCheck={false}
      autoFocus={autoFocus}
      styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
      data-testid="setup-token-input"
    />
  );
}

/** A token is 32 random bytes in base64url: 43 characters, no padding. */
export function checkSetupToken(token: string): string | undefined {
  if (token.length === 0) return 'Paste the setup token from the engine console or the file';
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return 'A setup token is 43 characters of letters, digits, - and _';
  return undefined;
}
