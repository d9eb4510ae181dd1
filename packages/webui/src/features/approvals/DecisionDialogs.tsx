// Approve and deny, each confirmed in a dialog: approve offers only the conflict resolutions valid
// for the row (merge / overwrite / keep both); deny takes an optional reason.
import type { ConflictResolution, DeviceApproval } from '@borealis/protocol';
import { Button, Group, Modal, Radio, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiErrorAlert } from '../../shared/ApiErrorAlert';
import { useRetained } from '../../shared/use-retained';
import { approveDevice, denyDevice } from './approvals-api';
import { APPROVALS_KEY } from './approvals-queries';
import { describeConflict, RESOLUTION_LABELS } from './conflict-text';

export interface DecisionDialogProps {
  readonly approval: DeviceApproval | null;
  readonly onClose: () => void;
}

function useDecision<T>(run: (input: T) => Promise<DeviceApproval>, onClose: () => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: APPROVALS_KEY });
      onClose();
    },
    // A decided or changed row answers 409: show the newest state behind the dialog.
    onError: () => void queryClient.invalidateQueries({ queryKey: APPROVALS_KEY }),
  });
}

export function ApproveDialog({ approval, onClose }: DecisionDialogProps) {
  const { shown, onExited } = useRetained(approval);
  return (
    <Modal opened={approval !== null} onClose={onClose} onExitTransitionEnd={onExited} title="Approve this device?" centered data-testid="approve-dialog">
      {shown && <ApproveForm approval={shown} onClose={onClose} />}
    </Modal>
  );
}

function ApproveForm({ approval, onClose }: { readonly approval: DeviceApproval; readonly onClose: () => void }) {
  const [resolution, setResolution] = useState<ConflictResolution | null>(approval.default_resolution);
  const approve = useDecision(() => approveDevice(approval.id, {
    ...(resolution ? { conflict_resolution: resolution } : {}),
    ...(approval.conflict_device && resolution !== 'coexist' ? { guid: approval.conflict_device.guid } : {}),
  }), onClose);
  const conflict = describeConflict(approval);
  const needsChoice = approval.allowed_resolutions.length > 0;
  return (
    <Stack gap="md">
      <Text size="sm">
        <b>{approval.hostname_claimed}</b> joins <b>{approval.site_name ?? 'no site'}</b> and gets its tokens at its next poll.
      </Text>
      {conflict && <Text size="sm">{conflict}</Text>}
      {needsChoice && (
        <Radio.Group value={resolution ?? ''} onChange={(v) => setResolution(v as ConflictResolution)} label="What should happen to the existing device?" data-testid="approve-resolution">
          <Stack gap="xs" mt="xs">
            {approval.allowed_resolutions.map((r) => (
              <Radio key={r} value={r} label={RESOLUTION_LABELS[r].label} description={RESOLUTION_LABELS[r].description} data-testid={`approve-resolution-${r}`} />
            ))}
          </Stack>
        </Radio.Group>
      )}
      <ApiErrorAlert error={approve.error} />
      <Group justify="flex-end" gap="sm">
        <Button variant="default" onClick={onClose} disabled={approve.isPending} data-testid="approve-dialog-cancel">
          Cancel
        </Button>
        <Button onClick={() => approve.mutate(undefined)} loading={approve.isPending} disabled={needsChoice && resolution === null} data-testid="approve-dialog-confirm">
          Approve
        </Button>
      </Group>
    </Stack>
  );
}

export function DenyDialog({ approval, onClose }: DecisionDialogProps) {
  const { shown, onExited } = useRetained(approval);
  return (
    <Modal opened={approval !== null} onClose={onClose} onExitTransitionEnd={onExited} title="Deny this request?" centered data-testid="deny-dialog">
      {shown && <DenyForm approval={shown} onClose={onClose} />}
    </Modal>
  );
}

function DenyForm({ approval, onClose }: { readonly approval: DeviceApproval; readonly onClose: () => void }) {
  const [reason, setReason] = useState('');
  const deny = useDecision(() => denyDevice(approval.id, reason.trim() ? { reason: reason.trim() } : {}), onClose);
  return (
    <Stack gap="md">
      <Text size="sm">
        <b>{approval.hostname_claimed}</b> is told it was denied and may ask again after 24 hours.
      </Text>
      <TextInput label="Reason (optional, kept in the audit trail)" value={reason} onChange={(e) => setReason(e.currentTarget.value)} maxLength={500} data-testid="deny-reason" />
      <ApiErrorAlert error={deny.error} />
      <Group justify="flex-end" gap="sm">
        <Button variant="default" onClick={onClose} disabled={deny.isPending} data-testid="deny-dialog-cancel">
          Cancel
        </Button>
        <Button color="red" onClick={() => deny.mutate(undefined)} loading={deny.isPending} data-testid="deny-dialog-confirm">
          Deny
        </Button>
      </Group>
    </Stack>
  );
}
