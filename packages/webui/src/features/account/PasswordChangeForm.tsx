// Change my password (POST /api/auth/password/reset): current password, new one twice. The engine
// rotates this session's cookies and signs out the other sessions.
import { Button, Group, PasswordInput, Stack } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiErrorAlert } from '../../shared/ApiErrorAlert';
import { fieldErrorsOf, isOnAField } from '../../shared/form-errors';
import { changePassword } from '../auth/auth-api';
import { checkNewSecret, NewSecretFields } from '../auth/NewSecretFields';

type Field = 'current' | 'next' | 'confirmation';

export interface PasswordChangeFormProps {
  readonly onChanged: () => void;
  readonly submitLabel?: string;
}

export function PasswordChangeForm({ onChanged, submitLabel = 'Change password' }: PasswordChangeFormProps) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});

  const change = useMutation({
    mutationFn: changePassword,
    onSuccess: () => {
      setCurrent('');
      setNext('');
      setConfirmation('');
      setErrors({});
      onChanged();
    },
    onError: (error) =>
      setErrors(
        fieldErrorsOf<Field>(
          error,
          { current_password: 'current', new_password: 'next' },
          { invalid_credentials: 'current', password_policy: 'next' },
        ),
      ),
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const secret = checkNewSecret(next, confirmation, 'password');
    const found: Partial<Record<Field, string>> = {
      current: current ? undefined : 'Enter your current password',
      next: secret.value ?? (next === current && next ? 'The new password must differ from the current one' : undefined),
      confirmation: secret.confirmation,
    };
    setErrors(found);
    if (Object.values(found).some(Boolean)) return;
    change.mutate({ current_password: current, new_password: next });
  };

  const edit = (field: Field) => {
    setErrors((e) => ({ ...e, [field]: undefined }));
    change.reset();
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <PasswordInput
          label="Current password"
          value={current}
          onChange={(event) => {
            setCurrent(event.currentTarget.value);
            edit('current');
          }}
          error={errors.current}
          autoComplete="current-password"
          required
          data-testid="password-current-input"
        />
        <NewSecretFields
          label="New password"
          description="At least 12 characters; common passwords and your user name are refused."
          confirmationLabel="Type the new password again"
          value={next}
          confirmation={confirmation}
          onValueChange={(value) => {
            setNext(value);
            edit('next');
          }}
          onConfirmationChange={(value) => {
            setConfirmation(value);
            edit('confirmation');
          }}
          error={errors.next}
          confirmationError={errors.confirmation}
          valueTestId="password-new-input"
          confirmationTestId="password-confirm-input"
        />
        {change.isError && !isOnAField(errors) && <ApiErrorAlert error={change.error} />}
        <Group justify="flex-end">
          <Button type="submit" loading={change.isPending} data-testid="password-submit">
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
