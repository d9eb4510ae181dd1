// "New user": name, role and an initial password, which by default they must change at first
// sign-in. Name clashes and password-policy refusals land on their fields.
import type { User } from '@borealis/protocol';
import { Button, Group, Modal, Select, Stack, Switch, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { fieldErrorsOf, isOnAField } from '../../shared/form-errors';
import { useRetained } from '../../shared/use-retained';
import { useStepUp } from '../auth/step-up';
import { InitialPasswordInput } from './InitialPasswordInput';
import { UserActionError } from './UserActionError';
import { createUser } from './users-api';
import { type Role, ROLE_DESCRIPTIONS, ROLE_LABELS, ROLES, toRole, USERS_KEY } from './users-queries';

const USERNAME_PATTERN = /^[A-Za-z0-9._@-]{3,64}$/;

type Field = 'username' | 'displayName' | 'role' | 'password';

export interface CreateUserDialogProps {
  readonly opened: boolean;
  readonly onClose: () => void;
  readonly onCreated: (user: User) => void;
}

export function CreateUserDialog({ opened, onClose, onCreated }: CreateUserDialogProps) {
  const { shown, onExited } = useRetained(opened || null);
  return (
    <Modal opened={opened} onClose={onClose} onExitTransitionEnd={onExited} title="New user" centered data-testid="user-create-dialog">
      {shown && <CreateUserForm onClose={onClose} onCreated={onCreated} />}
    </Modal>
  );
}

function CreateUserForm({ onClose, onCreated }: Omit<CreateUserDialogProps, 'opened'>) {
  const queryClient = useQueryClient();
  const stepUp = useStepUp();
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<Role>('operator');
  const [password, setPassword] = useState('');
  const [mustChange, setMustChange] = useState(true);
  const [localErrors, setLocalErrors] = useState<Partial<Record<Field, string>>>({});

  const create = useMutation({
    mutationFn: (body: Parameters<typeof createUser>[0]) => stepUp(() => createUser(body)),
    onSuccess: (user) => {
      void queryClient.invalidateQueries({ queryKey: USERS_KEY });
      onCreated(user);
    },
  });
  const serverErrors = fieldErrorsOf<Field>(
    create.error,
    { username: 'username', display_name: 'displayName', role: 'role', password: 'password' },
    { conflict: 'username', password_policy: 'password' },
  );
  const errorOf = (field: Field) => localErrors[field] ?? serverErrors[field];
  const edited = (field: Field) => {
    setLocalErrors((e) => ({ ...e, [field]: undefined }));
    create.reset();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: Partial<Record<Field, string>> = {
      username: USERNAME_PATTERN.test(username)
        ? undefined
        : '3-64 characters: letters, digits and . _ @ - only',
      password: password ? undefined : 'Set an initial password',
    };
    setLocalErrors(found);
    if (found.username || found.password) return;
    create.mutate({
      username,
      display_name: displayName.trim() || undefined,
      role,
      password,
      require_password_change: mustChange,
    });
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <TextInput
          label="User name"
          description="What they type to sign in."
          value={username}
          onChange={(event) => {
            setUsername(event.currentTarget.value.trim());
            edited('username');
          }}
          error={errorOf('username')}
          autoComplete="off"
          required
          data-autofocus
          data-testid="user-username-input"
        />
        <TextInput
          label="Display name"
          value={displayName}
          onChange={(event) => {
            setDisplayName(event.currentTarget.value);
            edited('displayName');
          }}
          error={errorOf('displayName')}
          maxLength={128}
          data-testid="user-display-name-input"
        />
        <Select
          label="Role"
          description={ROLE_DESCRIPTIONS[role]}
          data={ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
          value={role}
          onChange={(value) => {
            const chosen = toRole(value);
            if (chosen) setRole(chosen);
            edited('role');
          }}
          allowDeselect={false}
          error={errorOf('role')}
          comboboxProps={{ withinPortal: true }}
          data-testid="user-role-select"
        />
        <InitialPasswordInput
          label="Initial password"
          value={password}
          onChange={(value) => {
            setPassword(value);
            edited('password');
          }}
          error={errorOf('password')}
          testId="user-password-input"
        />
        <Switch
          label="Require a password change at first sign-in"
          description="Recommended: only they will know their password."
          checked={mustChange}
          onChange={(event) => setMustChange(event.currentTarget.checked)}
          data-testid="user-require-change"
        />
        {create.isError && !isOnAField(serverErrors) && <UserActionError error={create.error} />}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending} data-testid="user-create-submit">
            Create user
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
