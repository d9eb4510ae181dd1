// A new passphrase or password with its confirmation and a live strength hint; the same fields
// serve Aegis setup, the first administrator, admin recovery and a password change.
import { Group, PasswordInput, Progress, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { estimateStrength, MIN_SECRET_LENGTH, secretLength } from './passphrase-strength';

export interface NewSecretFieldsProps {
  readonly label: string;
  readonly confirmationLabel: string;
  readonly description?: ReactNode;
  readonly value: string;
  readonly confirmation: string;
  readonly onValueChange: (value: string) => void;
  readonly onConfirmationChange: (value: string) => void;
  readonly error?: string;
  readonly confirmationError?: string;
  readonly valueTestId: string;
  readonly confirmationTestId: string;
  readonly autoFocus?: boolean;
}

export function NewSecretFields(props: NewSecretFieldsProps) {
  const strength = estimateStrength(props.value);
  const length = secretLength(props.value);
  return (
    <Stack gap="sm">
      <Stack gap={6}>
        <PasswordInput
          label={props.label}
          description={props.description}
          value={props.value}
          onChange={(event) => props.onValueChange(event.currentTarget.value)}
          error={props.error}
          autoComplete="new-password"
          required
          autoFocus={props.autoFocus}
          data-testid={props.valueTestId}
        />
        {props.value.length > 0 && !props.error && (
          <Stack gap={4} aria-live="polite">
            <Progress
              value={(strength.score / 4) * 100}
              color={strength.color}
              size="xs"
              aria-label={`Strength: ${strength.label}`}
            />
            <Group justify="space-between" gap="xs">
              <Text size="xs" c={strength.color} fw={500} data-testid={`${props.valueTestId}-strength`}>
                {strength.label}
              </Text>
              <Text size="xs" c="dimmed">
                {length < MIN_SECRET_LENGTH
                  ? `${MIN_SECRET_LENGTH - length} more character${MIN_SECRET_LENGTH - length === 1 ? '' : 's'} needed`
                  : `${length} characters`}
              </Text>
            </Group>
          </Stack>
        )}
      </Stack>
      <PasswordInput
        label={props.confirmationLabel}
        value={props.confirmation}
        onChange={(event) => props.onConfirmationChange(event.currentTarget.value)}
        error={props.confirmationError}
        autoComplete="new-password"
        required
        data-testid={props.confirmationTestId}
      />
    </Stack>
  );
}

/** Client-side checks before anything is sent: long enough, and typed the same twice. */
export function checkNewSecret(
  value: string,
  confirmation: string,
  noun: 'passphrase' | 'password',
): { value?: string; confirmation?: string } {
  const errors: { value?: string; confirmation?: string } = {};
  if (secretLength(value) < MIN_SECRET_LENGTH) {
    errors.value = `Use at least ${MIN_SECRET_LENGTH} characters. A few unrelated words work well.`;
  }
  if (confirmation.length === 0) errors.confirmation = `Type the ${noun} again to confirm it`;
  else if (confirmation !== value) errors.confirmation = `The two ${noun}s do not match`;
  return errors;
}
