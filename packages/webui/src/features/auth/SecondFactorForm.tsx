// Asks for the second factor: a 6-digit authenticator code, or (toggle) a recovery code. Serves the
// sign-in MFA step and the step-up dialog.
import { Anchor, Button, Group, Stack, TextInput } from '@mantine/core';
import { type FormEvent, type ReactNode, useState } from 'react';
import { ApiErrorAlert } from '../../shared/ApiErrorAlert';
import { isApiError } from '../../shared/api-client';
import type { SecondFactor } from './auth-api';

export interface SecondFactorFormProps {
  readonly onSubmit: (factor: SecondFactor) => void;
  readonly isPending: boolean;
  readonly error: unknown;
  readonly canUseRecoveryCode: boolean;
  /** Test-id prefix: `mfa` on the sign-in page, `step-up` in the dialog. */
  readonly testIdPrefix: string;
  readonly submitLabel?: string;
  readonly secondaryAction?: ReactNode;
  /** Called on every edit, so the parent can clear a stale engine error. */
  readonly onEdit?: () => void;
}

type Mode = 'totp' | 'recovery_code';

export function SecondFactorForm({
  onSubmit,
  isPending,
  error,
  canUseRecoveryCode,
  testIdPrefix,
  submitLabel = 'Verify',
  secondaryAction,
  onEdit,
}: SecondFactorFormProps) {
  const [mode, setMode] = useState<Mode>('totp');
  const [value, setValue] = useState('');
  const [localError, setLocalError] = useState<string | undefined>();
  const isCodeError = isApiError(error, 'mfa_code_invalid');
  const fieldError = localError ?? (isCodeError ? codeErrorMessage(mode) : undefined);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (mode === 'totp') {
      const digits = value.replace(/\s+/g, '');
      if (!/^\d{6}$/.test(digits)) return setLocalError('Enter the 6-digit code from your authenticator app');
      return onSubmit({ code: digits });
    }
    const compact = value.replace(/[\s-]+/g, '');
    if (compact.length !== 16) return setLocalError('A recovery code has 16 characters, like ABCD-EFGH-JKMN-PQRS');
    return onSubmit({ recovery_code: value.trim() });
  };

  const switchMode = () => {
    setMode(mode === 'totp' ? 'recovery_code' : 'totp');
    setValue('');
    setLocalError(undefined);
    onEdit?.();
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        {mode === 'totp' ? (
          <TextInput
            key="totp"
            label="Authenticator code"
            placeholder="123456"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={7}
            autoFocus
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', letterSpacing: '0.3em' } }}
            value={value}
            onChange={(event) => {
              setValue(event.currentTarget.value);
              setLocalError(undefined);
              onEdit?.();
            }}
            error={fieldError}
            required
            data-testid={`${testIdPrefix}-code-input`}
          />
        ) : (
          <TextInput
            key="recovery"
            label="Recovery code"
            description="One of the ten codes you saved when you set up your authenticator. Each works once."
            placeholder="XXXX-XXXX-XXXX-XXXX"
            autoComplete="off"
            spellCheck={false}
            autoFocus
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', textTransform: 'uppercase' } }}
            value={value}
            onChange={(event) => {
              setValue(event.currentTarget.value);
              setLocalError(undefined);
              onEdit?.();
            }}
            error={fieldError}
            required
            data-testid={`${testIdPrefix}-recovery-input`}
          />
        )}
        {!isCodeError && <ApiErrorAlert error={error} />}
        <Button type="submit" loading={isPending} fullWidth data-testid={`${testIdPrefix}-submit`}>
          {submitLabel}
        </Button>
        {(secondaryAction || canUseRecoveryCode) && (
          <Group justify="space-between" align="center">
            {secondaryAction ?? <span />}
            {canUseRecoveryCode && (
              <Anchor
                component="button"
                type="button"
                size="sm"
                onClick={switchMode}
                data-testid={`${testIdPrefix}-use-recovery`}
              >
                {mode === 'totp' ? 'Use a recovery code instead' : 'Use the authenticator app instead'}
              </Anchor>
            )}
          </Group>
        )}
      </Stack>
    </form>
  );
}

function codeErrorMessage(mode: Mode): string {
  return mode === 'totp'
    ? 'That code is not valid. Wait for the next code, and check that your phone’s clock is right.'
    : 'That recovery code is not valid, or it was already used.';
}
