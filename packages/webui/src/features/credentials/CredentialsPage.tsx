// /credentials: the credential store. Operators read what exists for their sites; admins create,
// edit and delete. Secrets are never shown, only which ones are stored.
import type { Credential } from '@borealis/protocol';
import { Alert, Button, Card, Stack, Text } from '@mantine/core';
import { IconCircleCheck, IconKey, IconPlus } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmDialog } from '../../shared/ConfirmDialog';
import { EmptyList, QueryStates } from '../../shared/ListStates';
import { PageHeader } from '../../shared/PageHeader';
import { useCurrentUser } from '../auth/current-user';
import { useStepUp } from '../auth/step-up';
import { useSites } from '../sites/sites-queries';
import { CredentialFormDialog } from './CredentialFormDialog';
import { CredentialTable } from './CredentialTable';
import { deleteCredential } from './credentials-api';
import { CREDENTIALS_KEY, useCredentials } from './credentials-queries';

type Editing = { readonly credential: Credential | null } | null;

export function CredentialsPage() {
  const me = useCurrentUser();
  const canManage = me.role === 'admin';
  const credentials = useCredentials();
  const sites = useSites();
  const queryClient = useQueryClient();
  const stepUp = useStepUp();
  const [editing, setEditing] = useState<Editing>(null);
  const [toDelete, setToDelete] = useState<Credential | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const remove = useMutation({
    mutationFn: (credential: Credential) => stepUp(() => deleteCredential(credential.id)),
    onSuccess: (_none, credential) => {
      setToDelete(null);
      setNotice(`${credential.name} was deleted.`);
      void queryClient.invalidateQueries({ queryKey: CREDENTIALS_KEY });
    },
  });
  const closeDelete = () => {
    setToDelete(null);
    remove.reset();
  };
  const siteNames = new Map((sites.data?.sites ?? []).map((s) => [s.id, s.name]));
  const needsReentry = (credentials.data?.credentials ?? []).filter((c) => c.secret_state === 'reset_required');
  const create = () => setEditing({ credential: null });

  return (
    <Stack gap="lg" maw={1300} data-testid="credentials-page">
      <PageHeader
        title="Credentials"
        description={
          canManage
            ? 'Accounts that jobs use to reach devices. Secrets are stored encrypted under Aegis and never shown again.'
            : 'Accounts that jobs on your sites may use. Only admins change them; secrets are never shown.'
        }
        actions={
          canManage && (
            <Button leftSection={<IconPlus size={16} />} onClick={create} data-testid="credentials-create">
              New credential
            </Button>
          )
        }
      />
      {notice && (
        <Alert
          color="teal"
          variant="light"
          icon={<IconCircleCheck />}
          withCloseButton
          onClose={() => setNotice(null)}
          data-testid="credentials-notice"
        >
          {notice}
        </Alert>
      )}
      {needsReentry.length > 0 && (
        <Alert color="orange" variant="light" title="Secrets to enter again" data-testid="credentials-reset-required">
          An Aegis force reset destroyed the secrets of {needsReentry.length} credential
          {needsReentry.length === 1 ? '' : 's'}. Jobs that use {needsReentry.length === 1 ? 'it' : 'them'} were disabled
          {canManage ? ': edit each one marked below, then re-enable the jobs.' : '; ask an admin to enter them again.'}
        </Alert>
      )}

      <QueryStates
        query={credentials}
        testId="credentials"
        errorTitle="Could not load the credentials"
        isEmpty={(data) => data.credentials.length === 0}
        empty={
          <EmptyList
            icon={<IconKey size={28} stroke={1.5} />}
            title="No credentials"
            description={
              canManage
                ? 'Store an SSH or Windows account here so jobs can use it without anyone seeing the secret.'
                : 'No credential belongs to your sites.'
            }
            action={
              canManage && (
                <Button leftSection={<IconPlus size={16} />} onClick={create}>
                  New credential
                </Button>
              )
            }
            testId="credentials-empty"
          />
        }
      >
        {(data) => (
          <Card withBorder padding={0}>
            <CredentialTable
              credentials={data.credentials}
              siteNames={siteNames}
              canManage={canManage}
              onEdit={(credential) => setEditing({ credential })}
              onDelete={setToDelete}
            />
          </Card>
        )}
      </QueryStates>

      <CredentialFormDialog
        opened={editing !== null}
        credential={editing?.credential ?? null}
        onClose={() => setEditing(null)}
        onSaved={(saved, isNew) => {
          setEditing(null);
          setNotice(`${saved.name} was ${isNew ? 'created' : 'saved'}.`);
        }}
      />
      <ConfirmDialog
        opened={toDelete !== null}
        title="Delete this credential?"
        confirmLabel="Delete credential"
        onConfirm={() => toDelete && remove.mutate(toDelete)}
        onCancel={closeDelete}
        isPending={remove.isPending}
        error={remove.error}
        testId="credential-delete-dialog"
      >
        <Text size="sm">
          <b>{toDelete?.name}</b> and its stored secrets are deleted. This cannot be undone.
        </Text>
      </ConfirmDialog>
    </Stack>
  );
}
