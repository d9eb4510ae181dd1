// "Add a passkey": asks for a name, then hands over to the browser's passkey prompt. Closing that
// prompt leaves the dialog open and quiet, so the person can try again.
import { Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiErrorAlert } from '../../shared/ApiErrorAlert';
import { type Passkey, PASSKEY_LABEL_MAX } from '../auth/passkey-api';
import { addPasskey } from '../auth/passkey-ceremony';

export interface AddPasskeyDialogProps {
  readonly opened: boolean;
  readonly onClose: () => void;
  readonly onAdded: (passkey: Passkey) => void;
  /** The engine names an unnamed passkey "Passkey <n>"; shown as the placeholder. */
  readonly nextNumber: number;
}

export function AddPasskeyDialog({ opened, onClose, onAdded, nextNumber }: AddPasskeyDialogProps) {
  const [label, setLabel] = useState('');
  const add = useMutation({
    mutationFn: (name: string) => addPasskey(name || undefined),
    onSuccess: ({ passkey }) => {
      setLabel('');
      onAdded(passkey);
    },
  });

  const close = () => {
    if (add.isPending) return;
    setLabel('');
    add.reset();
    onClose();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate(label.trim());
  };

  return (
    <Modal opened={opened} onClose={close} title="Add a passkey" centered data-testid="passkey-add-dialog">
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <Text size="sm" c="dimmed">
            Your browser asks where to keep it: this computer (fingerprint, face or screen lock), your phone, or a
            security key.
          </Text>
          <TextInput
            label="Name"
            description="Helps you tell your passkeys apart later."
            placeholder={`Passkey ${nextNumber}`}
            maxLength={PASSKEY_LABEL_MAX}
            value={label}
            onChange={(event) => {
              setLabel(event.currentTarget.value);
              add.reset();
            }}
            autoFocus
            data-autofocus
            data-testid="passkey-label-input"
          />
          <ApiErrorAlert error={add.error} testId="passkey-add-error" />
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={close} disabled={add.isPending}>
              Cancel
            </Button>
            <Button type="submit" loading={add.isPending} data-testid="passkey-add-submit">
              Continue
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
