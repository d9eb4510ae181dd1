// Second-factor administration for one user: reset (remove every factor), exempt (password only)
// or require again. Each ends their sessions.
import type { MfaAction, User } from '@borealis/protocol';
import { Button, Group, Modal, Radio, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useRetained } from '../../shared/use-retained';
import { useStepUp } from '../auth/step-up';
import type { UserDialogProps } from './user-dialog';
import { UserActionError } from './UserActionError';
import { changeMfa } from './users-api';
import { USERS_KEY } from './users-queries';

interface Choice {
  readonly action: MfaAction;
  readonly label: string;
  readonly description: string;
  readonly done: string;
}

const CHOICES: readonly Choice[] = [
  {
    action: 'reset',
    label: 'Reset second factors',
    description: 'Deletes their authenticator, recovery codes and passkeys; they enrol again at their next sign-in.',
    done: 'had their second factors removed',
  },
  {
    action: 'exempt',
    label: 'Exempt from second factors',
    description: 'They sign in with their password alone. Use sparingly, e.g. for a break-glass account.',
    done: 'is now exempt from second factors',
  },
  {
    action: 'require',
    label: 'Require a second factor',
    description: 'Ends an exemption: they set up an authenticator at their next sign-in if they have none.',
    done: 'must now use a second factor',
  },
];

export function MfaDialog({ user, onClose, onDone }: UserDialogProps) {
  const { shown, onExited } = useRetained(user);
  return (
    <Modal opened={user !== null} onClose={onClose} onExitTransitionEnd={onExited} title="Second factor" centered data-testid="user-mfa-dialog">
      {shown && <MfaForm key={shown.id} user={shown} onClose={onClose} onDone={onDone} />}
    </Modal>
  );
}

function describeFactors(user: User): string {
  const factors = [
    user.mfa.totp && 'an authenticator',
    user.mfa.passkeys > 0 && `${user.mfa.passkeys} passkey${user.mfa.passkeys === 1 ? '' : 's'}`,
    user.mfa.recovery_codes_left > 0 && `${user.mfa.recovery_codes_left} recovery codes`,
  ].filter(Boolean);
  const has = factors.length > 0 ? `has ${factors.join(', ')}` : 'has no second factor enrolled';
  return `${user.username} ${has}${user.mfa.exempt ? ' and is exempt from needing one' : ''}.`;
}

function MfaForm({ user, onClose, onDone }: { readonly user: User } & Omit<UserDialogProps, 'user'>) {
  const queryClient = useQueryClient();
  const stepUp = useStepUp();
  const hasFactors = user.mfa.totp || user.mfa.passkeys > 0 || user.mfa.recovery_codes_left > 0;
  const isDisabled = (action: MfaAction) =>
    action === 'exempt' ? user.mfa.exempt : action === 'require' ? !user.mfa.exempt : !hasFactors;
  const [action, setAction] = useState<MfaAction>(
    () => CHOICES.find((c) => !isDisabled(c.action))?.action ?? 'reset',
  );
  const change = useMutation({
    mutationFn: (chosen: MfaAction) => stepUp(() => changeMfa(user.username, chosen)),
    onSuccess: (changed, chosen) => {
      void queryClient.invalidateQueries({ queryKey: USERS_KEY });
      const choice = CHOICES.find((c) => c.action === chosen);
      onDone(`${changed.username} ${choice?.done ?? 'had their second-factor settings changed'}; their sessions were ended.`);
    },
  });

  return (
    <Stack gap="md">
      <Text size="sm" data-testid="user-mfa-current">
        {describeFactors(user)}
      </Text>
      <Radio.Group
        value={action}
        onChange={(value) => {
          const chosen = CHOICES.find((c) => c.action === value);
          if (chosen) setAction(chosen.action);
          change.reset();
        }}
        name="mfa-action"
      >
        <Stack gap="sm">
          {CHOICES.map((choice) => (
            <Radio
              key={choice.action}
              value={choice.action}
              label={choice.label}
              description={choice.description}
              disabled={isDisabled(choice.action)}
              data-testid={`user-mfa-${choice.action}`}
            />
          ))}
        </Stack>
      </Radio.Group>
      <Text size="sm" c="dimmed">
        Any of these ends their sessions.
      </Text>
      <UserActionError error={change.error} />
      <Group justify="flex-end" gap="sm">
        <Button variant="default" onClick={onClose} disabled={change.isPending}>
          Cancel
        </Button>
        <Button
          color={action === 'reset' ? 'red' : undefined}
          onClick={() => change.mutate(action)}
          loading={change.isPending}
          disabled={isDisabled(action)}
          data-testid="user-mfa-submit"
        >
          Apply
        </Button>
      </Group>
    </Stack>
  );
}
