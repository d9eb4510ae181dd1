// My live sessions (GET /api/auth/sessions): where and how each signed in, with revoke for all but
// this one (signing this one out is the user menu's job).
import type { SessionSummarySchema } from '@borealis/protocol';
import { Alert, Badge, Button, Card, Group, Loader, Skeleton, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { IconDevices, IconRefresh } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmDialog } from '../../shared/ConfirmDialog';
import { formatDateTime } from '../../shared/format-date-time';
import { formatDuration } from '../../shared/format-duration';
import { listSessions, revokeSession } from '../auth/auth-api';
import { SESSIONS_KEY } from '../auth/auth-queries';
import { useStepUp } from '../auth/step-up';
import { describeUserAgent } from './describe-user-agent';

type Session = ReturnType<(typeof SessionSummarySchema)['parse']>;

const METHOD_LABELS: Readonly<Record<string, string>> = {
  password: 'Password',
  password_totp: 'Password + authenticator',
  password_recovery_code: 'Password + recovery code',
  password_passkey: 'Password + passkey',
  passkey: 'Passkey',
};

export function SessionsCard() {
  const queryClient = useQueryClient();
  const stepUp = useStepUp();
  const sessions = useQuery({ queryKey: SESSIONS_KEY, queryFn: ({ signal }) => listSessions({ signal }) });
  const [toRevoke, setToRevoke] = useState<Session | null>(null);
  const revoke = useMutation({
    mutationFn: (id: string) => stepUp(() => revokeSession(id)),
    onSuccess: () => {
      setToRevoke(null);
      void queryClient.invalidateQueries({ queryKey: SESSIONS_KEY });
    },
  });

  const close = () => {
    setToRevoke(null);
    revoke.reset();
  };

  return (
    <Card withBorder padding="lg">
      <Group justify="space-between" mb="xs" wrap="nowrap">
        <Group gap="xs">
          <IconDevices size={20} stroke={1.6} />
          <Title order={3} size="h4">
            Sessions
          </Title>
        </Group>
        <Button
          variant="subtle"
          size="xs"
          leftSection={sessions.isFetching ? <Loader size={12} /> : <IconRefresh size={14} />}
          disabled={sessions.isFetching}
          onClick={() => void sessions.refetch()}
          data-testid="sessions-refresh"
        >
          Refresh
        </Button>
      </Group>
      <Text size="sm" c="dimmed" mb="md">
        Browsers signed in to your account. Sign out any you do not recognise, then change your password.
      </Text>

      {sessions.isPending ? (
        <Stack gap="xs" data-testid="sessions-loading" aria-busy>
          {[0, 1, 2].map((row) => (
            <Skeleton key={row} h={28} />
          ))}
        </Stack>
      ) : sessions.isError ? (
        <Alert color="red" variant="light" title="Could not load your sessions" data-testid="sessions-error">
          <Stack gap="xs" align="flex-start">
            <Text size="sm">{sessions.error.message}</Text>
            <Button size="xs" variant="white" color="red" onClick={() => void sessions.refetch()}>
              Try again
            </Button>
          </Stack>
        </Alert>
      ) : sessions.data.sessions.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="sessions-empty">
          No live sessions.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={760}>
          <Table verticalSpacing="sm" highlightOnHover style={{ whiteSpace: 'nowrap' }} data-testid="sessions-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Device</Table.Th>
                <Table.Th>Address</Table.Th>
                <Table.Th>Signed in</Table.Th>
                <Table.Th>Last active</Table.Th>
                <Table.Th>Method</Table.Th>
                <Table.Th aria-label="Actions" />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {sortCurrentFirst(sessions.data.sessions).map((session) => (
                <SessionRow key={session.id} session={session} onRevoke={() => setToRevoke(session)} />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}

      <ConfirmDialog
        opened={toRevoke !== null}
        title="Sign out this session?"
        confirmLabel="Sign it out"
        onConfirm={() => toRevoke && revoke.mutate(toRevoke.id)}
        onCancel={close}
        isPending={revoke.isPending}
        error={revoke.error}
        testId="revoke-session-dialog"
      >
        <Text size="sm">
          {toRevoke ? describeUserAgent(toRevoke.user_agent) : ''}
          {toRevoke?.ip ? ` at ${toRevoke.ip}` : ''} will be signed out at once and has to sign in again.
        </Text>
      </ConfirmDialog>
    </Card>
  );
}

function SessionRow({ session, onRevoke }: { readonly session: Session; readonly onRevoke: () => void }) {
  return (
    <Table.Tr data-testid="session-row" data-current={session.current || undefined}>
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          <Tooltip label={session.user_agent ?? 'The browser sent no User-Agent'} multiline maw={360} withArrow>
            <Text size="sm" fw={500}>
              {describeUserAgent(session.user_agent)}
            </Text>
          </Tooltip>
          {session.current && (
            <Badge size="sm" variant="light" tt="none" color="teal" data-testid="session-current">
              This session
            </Badge>
          )}
        </Group>
      </Table.Td>
      <Table.Td>
        <Text size="sm" ff="monospace">
          {session.ip ?? '—'}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm" title={session.created_at}>
          {formatDateTime(session.created_at)}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm" title={formatDateTime(session.last_seen_at)}>
          {timeAgo(session.last_seen_at)}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{METHOD_LABELS[session.auth_method] ?? session.auth_method}</Text>
      </Table.Td>
      <Table.Td ta="right">
        {!session.current && (
          <Button size="xs" variant="subtle" color="red" onClick={onRevoke} data-testid={`session-revoke-${session.id}`}>
            Sign out
          </Button>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

function sortCurrentFirst(sessions: readonly Session[]): Session[] {
  return [...sessions].sort(
    (a, b) => Number(b.current) - Number(a.current) || b.last_seen_at.localeCompare(a.last_seen_at),
  );
}

function timeAgo(iso: string): string {
  const seconds = (Date.now() - new Date(iso).getTime()) / 1_000;
  if (!Number.isFinite(seconds)) return iso;
  return seconds < 60 ? 'Just now' : `${formatDuration(seconds)} ago`;
}
