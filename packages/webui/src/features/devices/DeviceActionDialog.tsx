// Confirms a containment action on one device. Quarantine and its release take an optional reason;
// revoke, retire and purge cannot be undone from here, so they ask for the device's name typed out.
import type { DeviceListItem } from '@borealis/protocol';
import { Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiErrorAlert } from '../../shared/ApiErrorAlert';
import { useRetained } from '../../shared/use-retained';
import type { RowAction } from './DeviceRowMenu';
import { purgeDevice, runDeviceAction } from './devices-api';
import { DEVICES_KEY } from './devices-queries';
import { TypeToConfirmInput } from '../../shared/TypeToConfirmInput';

export interface DeviceActionTarget {
  readonly action: RowAction;
  readonly device: Pick<DeviceListItem, 'guid' | 'hostname'>;
}

export interface DeviceActionDialogProps {
  readonly target: DeviceActionTarget | null;
  readonly onClose: () => void;
  /** A sentence saying what happened, for the page's notice. */
  readonly onDone: (message: string, target: DeviceActionTarget) => void;
}

const TITLES: Readonly<Record<RowAction, string>> = {
  quarantine: 'Quarantine device',
  unquarantine: 'Release from quarantine',
  revoke: 'Revoke device',
  retire: 'Retire device',
  purge: 'Purge device',
};

const CONFIRM_LABELS: Readonly<Record<RowAction, string>> = {
  quarantine: 'Quarantine',
  unquarantine: 'Release',
  revoke: 'Revoke device',
  retire: 'Retire device',
  purge: 'Purge device',
};

const EXPLANATIONS: Readonly<Record<RowAction, string>> = {
  quarantine:
    'The agent stays connected and keeps reporting, but it receives no jobs, remote shells or desktop sessions until it is released. Its access tokens are replaced.',
  unquarantine: 'The device becomes active again: jobs and remote access work as before.',
  revoke:
    'Its tokens and refresh tokens stop working at once and the agent is disconnected. It can only come back by enrolling again, with approval.',
  retire:
    'Its tokens are revoked and it disappears from the lists, but its history (jobs, audit entries) is kept. Use this for a machine that was decommissioned.',
  purge:
    'The device, its inventory, keys and tokens are deleted for good. A barrier stops its old credentials from ever working again. Its audit entries stay.',
};

/** Actions that cannot be taken back from the WebUI: confirmed by typing the device's name. */
export const TYPED_ACTIONS: ReadonlySet<RowAction> = new Set(['revoke', 'retire', 'purge']);

export function DeviceActionDialog({ target, onClose, onDone }: DeviceActionDialogProps) {
  const { shown, onExited } = useRetained(target);
  return (
    <Modal
      opened={target !== null}
      onClose={onClose}
      onExitTransitionEnd={onExited}
      title={shown ? TITLES[shown.action] : ''}
      centered
      data-testid="device-action-dialog"
    >
      {shown && <ActionForm key={`${shown.action}:${shown.device.guid}`} target={shown} onClose={onClose} onDone={onDone} />}
    </Modal>
  );
}

function ActionForm({ target, onClose, onDone }: { readonly target: DeviceActionTarget } & Omit<DeviceActionDialogProps, 'target'>) {
  const { action, device } = target;
  const queryClient = useQueryClient();
  const [typed, setTyped] = useState('');
  const [reason, setReason] = useState('');
  const isTyped = TYPED_ACTIONS.has(action);
  const mutation = useMutation({
    mutationFn: async () => {
      if (action === 'purge') {
        await purgeDevice(device.guid);
        return `${device.hostname} was purged.`;
      }
      const result = await runDeviceAction(action, device.guid, reason.trim() || undefined);
      return resultMessage(action, result.hostname, result.refresh_tokens_revoked);
    },
    onSuccess: (message) => {
      void queryClient.invalidateQueries({ queryKey: DEVICES_KEY });
      onDone(message, target);
    },
  });
  const isConfirmed = !isTyped || typed === device.hostname;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (isConfirmed) mutation.mutate();
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <Text size="sm">
          <b>{device.hostname}</b>: {EXPLANATIONS[action]}
        </Text>
        {(action === 'quarantine' || action === 'unquarantine' || action === 'revoke' || action === 'retire') && (
          <TextInput
            label="Reason (optional, kept in the audit trail)"
            value={reason}
            maxLength={512}
            onChange={(event) => setReason(event.currentTarget.value)}
            data-autofocus={isTyped ? undefined : true}
            data-testid="device-action-reason"
          />
        )}
        {isTyped && (
          <TypeToConfirmInput
            expected={device.hostname}
            value={typed}
            onChange={(value) => {
              setTyped(value);
              mutation.reset();
            }}
            testId="device-action-confirm-input"
          />
        )}
        <ApiErrorAlert error={mutation.error} />
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose} disabled={mutation.isPending}>
            Cancel
          </Button>
          <Button
            type="submit"
            color={action === 'unquarantine' ? undefined : action === 'quarantine' ? 'orange' : 'red'}
            disabled={!isConfirmed}
            loading={mutation.isPending}
            data-testid="device-action-submit"
          >
            {CONFIRM_LABELS[action]}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function resultMessage(action: Exclude<RowAction, 'purge'>, hostname: string, revoked: number): string {
  const tokens = revoked > 0 ? ` ${revoked} refresh token${revoked === 1 ? '' : 's'} revoked.` : '';
  switch (action) {
    case 'quarantine':
      return `${hostname} is quarantined: no jobs or remote access until released.${tokens}`;
    case 'unquarantine':
      return `${hostname} is active again.${tokens}`;
    case 'revoke':
      return `${hostname} was revoked and disconnected; it must enrol again to come back.${tokens}`;
    case 'retire':
      return `${hostname} was retired; its history is kept.${tokens}`;
  }
}
