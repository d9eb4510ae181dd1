// One write-only secret of a credential: empty keeps what is stored, a value replaces it, and a
// "clear" box (only when something is stored) removes it. The stored value is never shown.
import type { CredentialSecretField } from '@borealis/protocol';
import { Checkbox, PasswordInput, Stack, Textarea } from '@mantine/core';
import { SECRET_LABELS } from './credential-labels';

export interface SecretFieldInputProps {
  readonly field: CredentialSecretField;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly isStored: boolean;
  readonly isLost: boolean;
  readonly isCleared: boolean;
  readonly onClearedChange: (isCleared: boolean) => void;
  readonly error?: string;
}

export function SecretFieldInput(props: SecretFieldInputProps) {
  const { field, isStored, isLost, isCleared } = props;
  const label = SECRET_LABELS[field];
  const placeholder = isCleared
    ? 'Will be removed'
    : isStored
      ? 'Stored. Leave empty to keep it'
      : isLost
        ? 'Lost in the Aegis reset: enter it again'
        : 'Not set';
  const common = {
    label,
    placeholder,
    value: props.value,
    error: props.error,
    disabled: isCleared,
    autoComplete: 'off',
    'data-testid': `credential-secret-input-${field}`,
  } as const;
  return (
    <Stack gap={4}>
      {field === 'private_key' ? (
        <Textarea
          {...common}
          onChange={(event) => props.onChange(event.currentTarget.value)}
          autosize
          minRows={2}
          maxRows={8}
          spellCheck={false}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } }}
        />
      ) : (
        <PasswordInput {...common} onChange={(event) => props.onChange(event.currentTarget.value)} />
      )}
      {isStored && (
        <Checkbox
          size="xs"
          label={`Remove the stored ${label.toLowerCase()}`}
          checked={isCleared}
          onChange={(event) => {
            props.onClearedChange(event.currentTarget.checked);
            if (event.currentTarget.checked) props.onChange('');
          }}
          data-testid={`credential-secret-clear-${field}`}
        />
      )}
    </Stack>
  );
}
