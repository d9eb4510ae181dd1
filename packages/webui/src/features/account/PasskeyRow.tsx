// One passkey in the Passkeys table: its name (renamed in place), when it was added and last used,
// how the authenticator connects, and Remove.
import { ActionIcon, Badge, Button, Group, Table, Text, TextInput, Tooltip } from '@mantine/core';
import { IconCheck, IconPencil, IconX } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { isApiError } from '../../shared/api-client';
import { formatDateTime } from '../../shared/format-date-time';
import { PASSKEYS_KEY } from '../auth/auth-queries';
import { type Passkey, PASSKEY_LABEL_MAX, renamePasskey } from '../auth/passkey-api';

const TRANSPORT_LABELS: Readonly<Record<string, string>> = {
  internal: 'Built-in',
  hybrid: 'Phone',
  usb: 'USB',
  nfc: 'NFC',
  ble: 'Bluetooth',
  'smart-card': 'Smart card',
};

export interface PasskeyRowProps {
  readonly passkey: Passkey;
  readonly onRemove: () => void;
}

export function PasskeyRow({ passkey, onRemove }: PasskeyRowProps) {
  const [draft, setDraft] = useState<string | null>(null);
  return (
    <Table.Tr data-testid="passkey-row" data-label={passkey.label}>
      <Table.Td>
        {draft === null ? (
          <Group gap={4} wrap="nowrap">
            <Text size="sm" fw={500} data-testid="passkey-label">
              {passkey.label}
            </Text>
            <Tooltip label="Rename" withArrow>
              <ActionIcon
                variant="subtle"
                color="gray"
                size="sm"
                aria-label={`Rename ${passkey.label}`}
                onClick={() => setDraft(passkey.label)}
                data-testid={`passkey-rename-${passkey.id}`}
              >
                <IconPencil size={14} />
              </ActionIcon>
            </Tooltip>
          </Group>
        ) : (
          <RenameForm passkey={passkey} draft={draft} onDraft={setDraft} onDone={() => setDraft(null)} />
        )}
      </Table.Td>
      <Table.Td>
        <Text size="sm">{formatDateTime(passkey.created_at)}</Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm" c={passkey.last_used_at ? undefined : 'dimmed'}>
          {passkey.last_used_at ? formatDateTime(passkey.last_used_at) : 'Never'}
        </Text>
      </Table.Td>
      <Table.Td>
        {passkey.transports.length === 0 ? (
          <Text size="sm" c="dimmed">
            —
          </Text>
        ) : (
          <Group gap={4} wrap="nowrap">
            {passkey.transports.map((transport) => (
              <Badge key={transport} size="sm" variant="light" color="gray" tt="none">
                {TRANSPORT_LABELS[transport] ?? transport}
              </Badge>
            ))}
          </Group>
        )}
      </Table.Td>
      <Table.Td ta="right">
        <Button size="xs" variant="subtle" color="red" onClick={onRemove} data-testid={`passkey-remove-${passkey.id}`}>
          Remove
        </Button>
      </Table.Td>
    </Table.Tr>
  );
}

interface RenameFormProps {
  readonly passkey: Passkey;
  readonly draft: string;
  readonly onDraft: (draft: string) => void;
  readonly onDone: () => void;
}

function RenameForm({ passkey, draft, onDraft, onDone }: RenameFormProps) {
  const queryClient = useQueryClient();
  const [localError, setLocalError] = useState<string | undefined>();
  const rename = useMutation({
    mutationFn: (label: string) => renamePasskey(passkey.id, label),
    onSuccess: (renamed) => {
      queryClient.setQueryData<Passkey[]>(PASSKEYS_KEY, (list) => list?.map((p) => (p.id === renamed.id ? renamed : p)));
      onDone();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const label = draft.trim();
    if (!label) return setLocalError('Enter a name');
    if (label === passkey.label) return onDone();
    rename.mutate(label);
  };
  const engineError = rename.error ? (isApiError(rename.error, 'validation_failed') ? 'Use 1 to 64 characters' : rename.error.message) : undefined;

  return (
    <form onSubmit={submit} noValidate>
      <Group gap={4} wrap="nowrap" align="flex-start">
        <TextInput
          size="xs"
          aria-label="Passkey name"
          value={draft}
          maxLength={PASSKEY_LABEL_MAX}
          onChange={(event) => {
            onDraft(event.currentTarget.value);
            setLocalError(undefined);
            rename.reset();
          }}
          onKeyDown={(event) => {
            if (event.key === 'Escape') onDone();
          }}
          error={localError ?? engineError}
          autoFocus
          w={220}
          data-testid="passkey-rename-input"
        />
        <ActionIcon type="submit" variant="subtle" size="md" aria-label="Save name" loading={rename.isPending} data-testid="passkey-rename-save">
          <IconCheck size={16} />
        </ActionIcon>
        <ActionIcon variant="subtle" color="gray" size="md" aria-label="Cancel renaming" onClick={onDone} disabled={rename.isPending}>
          <IconX size={16} />
        </ActionIcon>
      </Group>
    </form>
  );
}
