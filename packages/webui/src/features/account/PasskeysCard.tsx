// My passkeys (GET /api/auth/passkeys): add one with the browser's prompt, rename in place, remove
// after a confirmation (and a fresh second-factor check). On an IP address it says where they work.
import { Alert, Badge, Button, Card, Group, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { IconCircleCheck, IconFingerprint, IconPlus } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmDialog } from '../../shared/ConfirmDialog';
import { ME_KEY, PASSKEYS_KEY } from '../auth/auth-queries';
import { useCurrentUser } from '../auth/current-user';
import { listPasskeys, MAX_PASSKEYS, type Passkey, removePasskey } from '../auth/passkey-api';
import { passkeyAvailability } from '../auth/passkey-availability';
import { PasskeyUnavailableHint } from '../auth/PasskeyUnavailableHint';
import { useStepUp } from '../auth/step-up';
import { AddPasskeyDialog } from './AddPasskeyDialog';
import { PasskeyRow } from './PasskeyRow';

export function PasskeysCard() {
  const me = useCurrentUser();
  const queryClient = useQueryClient();
  const stepUp = useStepUp();
  const availability = passkeyAvailability();
  const passkeys = useQuery({ queryKey: PASSKEYS_KEY, queryFn: ({ signal }) => listPasskeys({ signal }) });
  const [isAdding, setIsAdding] = useState(false);
  const [added, setAdded] = useState<string | null>(null);
  const [toRemove, setToRemove] = useState<Passkey | null>(null);
  const count = passkeys.data?.length ?? 0;

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: PASSKEYS_KEY });
    // /me carries the passkey count that sign-in and step-up look at.
    void queryClient.invalidateQueries({ queryKey: ME_KEY });
  };
  const remove = useMutation({
    mutationFn: (id: string) => stepUp(() => removePasskey(id)),
    onSuccess: () => {
      setToRemove(null);
      setAdded(null);
      refresh();
    },
  });
  const closeRemoval = () => {
    setToRemove(null);
    remove.reset();
  };

  return (
    <Card withBorder padding="lg" data-testid="passkeys-card">
      <Group justify="space-between" mb="xs" wrap="nowrap">
        <Group gap="xs">
          <IconFingerprint size={20} stroke={1.6} />
          <Title order={3} size="h4">
            Passkeys
          </Title>
          {count > 0 && (
            <Badge variant="light" tt="none" color="gray" data-testid="passkeys-count">
              {count} of {MAX_PASSKEYS}
            </Badge>
          )}
        </Group>
        {availability.kind === 'available' && (
          <Button
            size="xs"
            leftSection={<IconPlus size={14} />}
            disabled={!passkeys.isSuccess || count >= MAX_PASSKEYS}
            onClick={() => {
              setAdded(null);
              setIsAdding(true);
            }}
            data-testid="passkey-add"
          >
            Add a passkey
          </Button>
        )}
      </Group>
      <Text size="sm" c="dimmed" mb="md">
        {count >= MAX_PASSKEYS
          ? `You have ${MAX_PASSKEYS} passkeys, the most an account may have. Remove one to add another.`
          : 'Sign in with your fingerprint, face, screen lock or a security key instead of a password and code. After a password, a passkey also serves as the second step.'}
      </Text>

      <Stack gap="md">
        <PasskeyUnavailableHint availability={availability} />
        {added && (
          <Alert
            color="green"
            variant="light"
            icon={<IconCircleCheck />}
            withCloseButton
            onClose={() => setAdded(null)}
            data-testid="passkey-added"
          >
            Passkey “{added}” added. Use it on the sign-in page.
          </Alert>
        )}
        {passkeys.isPending ? (
          <Stack gap="xs" aria-busy data-testid="passkeys-loading">
            <Skeleton h={28} />
            <Skeleton h={28} />
          </Stack>
        ) : passkeys.isError ? (
          <Alert color="red" variant="light" title="Could not load your passkeys" data-testid="passkeys-error">
            <Stack gap="xs" align="flex-start">
              <Text size="sm">{passkeys.error.message}</Text>
              <Button size="xs" variant="white" color="red" onClick={() => void passkeys.refetch()}>
                Try again
              </Button>
            </Stack>
          </Alert>
        ) : passkeys.data.length === 0 ? (
          <Text size="sm" c="dimmed" data-testid="passkeys-empty">
            No passkeys yet.{availability.kind === 'available' ? ' Add one to sign in without typing a password.' : ''}
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={720}>
            <Table verticalSpacing="sm" highlightOnHover style={{ whiteSpace: 'nowrap' }} data-testid="passkeys-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Added</Table.Th>
                  <Table.Th>Last used</Table.Th>
                  <Table.Th>Connects by</Table.Th>
                  <Table.Th aria-label="Actions" />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {passkeys.data.map((passkey) => (
                  <PasskeyRow key={passkey.id} passkey={passkey} onRemove={() => setToRemove(passkey)} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>

      <AddPasskeyDialog
        opened={isAdding}
        nextNumber={count + 1}
        onClose={() => setIsAdding(false)}
        onAdded={(passkey) => {
          setIsAdding(false);
          setAdded(passkey.label);
          refresh();
        }}
      />

      <ConfirmDialog
        opened={toRemove !== null}
        title="Remove this passkey?"
        confirmLabel="Remove passkey"
        onConfirm={() => toRemove && remove.mutate(toRemove.id)}
        onCancel={closeRemoval}
        isPending={remove.isPending}
        error={remove.error}
        testId="passkey-remove-dialog"
      >
        <Stack gap="xs">
          <Text size="sm">
            “{toRemove?.label}” stops working for this engine at once. Delete it from the device or password manager
            too, so it is not offered any more.
          </Text>
          {!me.mfa.totp && count === 1 && (
            <Text size="sm" c="orange" data-testid="passkey-last-factor">
              It is your only second factor: the next sign-in asks you to pair an authenticator app.
            </Text>
          )}
        </Stack>
      </ConfirmDialog>
    </Card>
  );
}
