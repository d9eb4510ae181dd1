// /users (admins): every operator account with its role, second factors and flags, and the admin
// actions on them. The list itself is sensitive, so a stale second factor asks for a fresh one.
import type { User } from '@borealis/protocol';
import { Alert, Button, Card, Stack, Text } from '@mantine/core';
import { IconCircleCheck, IconUserPlus, IconUsers } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmDialog } from '../../shared/ConfirmDialog';
import { EmptyList, QueryStates } from '../../shared/ListStates';
import { PageHeader } from '../../shared/PageHeader';
import { useCurrentUser } from '../auth/current-user';
import { useStepUp } from '../auth/step-up';
import { ChangeRoleDialog } from './ChangeRoleDialog';
import { CreateUserDialog } from './CreateUserDialog';
import { DeleteUserDialog } from './DeleteUserDialog';
import { MfaDialog } from './MfaDialog';
import { ResetPasswordDialog } from './ResetPasswordDialog';
import { SiteAssignmentsDialog } from './SiteAssignmentsDialog';
import { type UserAction, UserTable } from './UserTable';
import { revokeUserSessions } from './users-api';
import { USERS_KEY, useUsers } from './users-queries';

type Dialog = { readonly action: UserAction; readonly user: User } | null;

export function UsersPage() {
  const me = useCurrentUser();
  const users = useUsers();
  const queryClient = useQueryClient();
  const stepUp = useStepUp();
  const [isCreating, setIsCreating] = useState(false);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const revoke = useMutation({
    mutationFn: (user: User) => stepUp(() => revokeUserSessions(user.username)),
    onSuccess: ({ revoked }, user) => {
      void queryClient.invalidateQueries({ queryKey: USERS_KEY });
      done(`${revoked === 0 ? 'No session' : `${revoked} session${revoked === 1 ? '' : 's'}`} of ${user.username} ended.`);
    },
  });
  const close = () => {
    setDialog(null);
    revoke.reset();
  };
  const done = (message: string) => {
    close();
    setNotice(message);
  };
  const dialogUser = (action: UserAction) => (dialog?.action === action ? dialog.user : null);
  const dialogProps = (action: UserAction) => ({ user: dialogUser(action), onClose: close, onDone: done });

  return (
    <Stack gap="lg" maw={1300} data-testid="users-page">
      <PageHeader
        title="Users"
        description="Who may sign in to this engine, with which role, and how they prove it is them."
        actions={
          <Button leftSection={<IconUserPlus size={16} />} onClick={() => setIsCreating(true)} data-testid="users-create">
            New user
          </Button>
        }
      />
      {notice && (
        <Alert
          color="teal"
          variant="light"
          icon={<IconCircleCheck />}
          withCloseButton
          onClose={() => setNotice(null)}
          data-testid="users-notice"
        >
          {notice}
        </Alert>
      )}

      <QueryStates
        query={users}
        testId="users"
        errorTitle="Could not load the users"
        isEmpty={(data) => data.users.length === 0}
        empty={
          <EmptyList
            icon={<IconUsers size={28} stroke={1.5} />}
            title="No users"
            description="Nobody can sign in yet."
            testId="users-empty"
          />
        }
      >
        {(data) => (
          <Card withBorder padding={0}>
            <UserTable users={data.users} myId={me.id} onAction={(action, user) => setDialog({ action, user })} />
          </Card>
        )}
      </QueryStates>

      <CreateUserDialog
        opened={isCreating}
        onClose={() => setIsCreating(false)}
        onCreated={(user) => {
          setIsCreating(false);
          setNotice(
            `${user.username} was created.${user.password_change_required ? ' They choose their own password at first sign-in.' : ''}`,
          );
        }}
      />
      <ChangeRoleDialog {...dialogProps('role')} />
      <SiteAssignmentsDialog {...dialogProps('sites')} />
      <ResetPasswordDialog {...dialogProps('password')} />
      <MfaDialog {...dialogProps('mfa')} />
      <DeleteUserDialog {...dialogProps('delete')} />
      <ConfirmDialog
        opened={dialog?.action === 'sessions'}
        title="Sign this user out everywhere?"
        confirmLabel="Sign out everywhere"
        onConfirm={() => dialog && revoke.mutate(dialog.user)}
        onCancel={close}
        isPending={revoke.isPending}
        error={revoke.error}
        testId="user-sessions-dialog"
      >
        <Text size="sm">
          Every browser signed in as <b>{dialog?.user.username}</b>
          {dialog?.user.id === me.id ? ', this one included,' : ''} is signed out at once and has to sign in again.
        </Text>
      </ConfirmDialog>
    </Stack>
  );
}
