// Set a new password for a user, which they must change at their next sign-in; optionally also
// remove their second factors (a lost phone). Their sessions end either way.
import type { User } from '@borealis/protocol';
import { Button, Checkbox, Group, Modal, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { fieldErrorsOf, isOnAField } from '../../shared/form-errors';
import { useRetained } from '../../shared/use-retained';
import { useStepUp } from '../auth/step-up';
import { InitialPasswordInput } from './InitialPasswordInput';
import type { UserDialogProps } from './user-dialog';
import { UserActionError } from './UserActionError';
import { resetPassword } from './users-api';
import { USERS_KEY } from './users-queries';

export function ResetPasswordDialog({ user, onClose, onDone }: UserDialogProps) {
  const { shown, onExited } = useRetained(user);
  return (
    <Modal opened={user !== null} onClose={onClose} onExitTransitionEnd={onExited} title="Reset password" centered data-testid="user-password-dialog">
      {shown && <ResetPasswordForm key={shown.id} user={shown} onClose={onClose} onDone={onDone} />}
    </Modal>
  );
}

function ResetPasswordForm({ user, onClose, onDone }: { readonly user: User } & Omit<UserDialogProps, 'user'>) {
  const queryClient = useQueryClient();
  const stepUp = useStepUp();
  const [password, setPassword] = useState('');
  const [isResettingMfa, setIsResettingMfa] = useState(false);
  const [localError, setLocalError] = useState<string>();
  const reset = useMutation({
    mutationFn: () => stepUp(() => resetPassword(user.username, { password, reset_mfa: isResettingMfa })),
    onSuccess: (changed) => {
      void queryClient.invalidateQueries({ queryKey: USERS_KEY });
      onDone(
        `New password set for ${changed.username}${isResettingMfa ? ', second factors removed' : ''}. They must change it at their next sign-in.`,
      );
    },
  });
  const errors = fieldErrorsOf(reset.error, { password: 'password' }, { password_policy: 'password' });
  const hasFactors = user.mfa.totp || user.mfa.passkeys > 0 || user.mfa.recovery_codes_left > 0;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!password) return setLocalError('Set a new password');
    reset.mutate();
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <Text size="sm">
          A new password for <b>{user.username}</b>. They must change it at their next sign-in, and every session they
          have now ends.
        </Text>
        <InitialPasswordInput
          label="New password"
          value={password}
          onChange={(value) => {
            setPassword(value);
            setLocalError(undefined);
            reset.reset();
          }}
          error={localError ?? errors.password}
          testId="user-reset-password-input"
        />
        <Checkbox
          label="Also remove their second factors"
          description={
            hasFactors
              ? 'Authenticator, recovery codes and passkeys are deleted; they set up a new authenticator at sign-in. Use this when they lost their device.'
              : 'They have none enrolled now.'
          }
          checked={isResettingMfa}
          onChange={(event) => setIsResettingMfa(event.currentTarget.checked)}
          data-testid="user-reset-mfa"
        />
        {reset.isError && !isOnAField(errors) && <UserActionError error={reset.error} />}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose} disabled={reset.isPending}>
            Cancel
          </Button>
          <Button color="red" type="submit" loading={reset.isPending} data-testid="user-reset-submit">
            Reset password
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
