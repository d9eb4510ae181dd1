// The device's description under its name: click the pencil to edit in place; saving writes it
// through POST /api/device/description/:hostname and refreshes the device and the list.
import type { Device } from '@borealis/protocol';
import { ActionIcon, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { IconPencil } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiErrorAlert } from '../../shared/ApiErrorAlert';
import { setDeviceDescription } from './devices-api';
import { DEVICES_KEY } from './devices-queries';

const MAX_DESCRIPTION = 1024;

export function DescriptionEditor({ device, canEdit }: { readonly device: Device; readonly canEdit: boolean }) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (description: string) => setDeviceDescription(device.hostname, description.trim() === '' ? null : description.trim()),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: DEVICES_KEY });
      setDraft(null);
    },
  });

  if (draft === null) {
    return (
      <Group gap={4} wrap="nowrap">
        <Text size="sm" c={device.description ? undefined : 'dimmed'} data-testid="device-description">
          {device.description ?? 'No description'}
        </Text>
        {canEdit && (
          <ActionIcon variant="subtle" color="gray" size="sm" aria-label="Edit description" onClick={() => setDraft(device.description ?? '')} data-testid="device-description-edit">
            <IconPencil size={14} />
          </ActionIcon>
        )}
      </Group>
    );
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(draft);
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap={6} maw={560}>
        <Group gap="xs" wrap="nowrap" align="flex-start">
          <TextInput
            aria-label="Description"
            value={draft}
            maxLength={MAX_DESCRIPTION}
            onChange={(event) => setDraft(event.currentTarget.value)}
            placeholder="What this machine is for, who owns it"
            autoFocus
            style={{ flex: 1 }}
            data-testid="device-description-input"
          />
          <Button type="submit" loading={save.isPending} data-testid="device-description-save">
            Save
          </Button>
          <Button variant="default" onClick={() => setDraft(null)} disabled={save.isPending}>
            Cancel
          </Button>
        </Group>
        <ApiErrorAlert error={save.error} />
      </Stack>
    </form>
  );
}
