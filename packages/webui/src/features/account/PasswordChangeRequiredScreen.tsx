// Shown instead of the app while the account must change its password (an administrator reset it, or
// the engine answered 423 auth_reset_required): every other operator route is closed until then.
import { Anchor, Group, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { logout } from '../auth/auth-api';
import { forgetOperator, ME_KEY } from '../auth/auth-queries';
import { GateLayout } from '../auth/GateLayout';
import { nameOf, useCurrentUser } from '../auth/current-user';
import { PasswordChangeForm } from './PasswordChangeForm';

export function PasswordChangeRequiredScreen() {
  const me = useCurrentUser();
  const queryClient = useQueryClient();
  const signOut = useMutation({ mutationFn: logout, onSuccess: () => forgetOperator(queryClient) });

  return (
    <GateLayout
      phase="login_required"
      step="password_change_required"
      title="Choose a new password"
      description={`${nameOf(me)}, an administrator reset your password. Choose your own before you continue.`}
      width={480}
    >
      <PasswordChangeForm
        submitLabel="Save and continue"
        onChanged={() => void queryClient.invalidateQueries({ queryKey: ME_KEY })}
      />
      <Group justify="center">
        <Text size="sm" c="dimmed">
          Not {me.username}?{' '}
          <Anchor component="button" type="button" size="sm" onClick={() => signOut.mutate()} data-testid="sign-out">
            Sign out
          </Anchor>
        </Text>
      </Group>
    </GateLayout>
  );
}
