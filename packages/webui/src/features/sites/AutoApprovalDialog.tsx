// Open a site's auto-approval window until a chosen time, or close it now. While it is open, devices
// that enrol with the site's code are approved without review.
import type { Site } from '@borealis/protocol';
import { Alert, Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { IconInfoCircle } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiErrorAlert } from '../../shared/ApiErrorAlert';
import { fromLocalInput, toLocalInput } from '../../shared/datetime-local';
import { fieldErrorsOf } from '../../shared/form-errors';
import { formatDateTime } from '../../shared/format-date-time';
import { useRetained } from '../../shared/use-retained';
import type { SiteDialogProps } from './RenameSiteDialog';
import { setAutoApproval } from './sites-api';
import { SITES_KEY } from './sites-queries';

const PRESET_HOURS = [1, 8, 24] as const;

export function AutoApprovalDialog({ site, onClose }: SiteDialogProps) {
  const { shown, onExited } = useRetained(site);
  return (
    <Modal opened={site !== null} onClose={onClose} onExitTransitionEnd={onExited} title="Auto-approval window" centered data-testid="site-auto-approval-dialog">
      {shown && <AutoApprovalForm key={shown.id} site={shown} onClose={onClose} />}
    </Modal>
  );
}

function AutoApprovalForm({ site, onClose }: { readonly site: Site; readonly onClose: () => void }) {
  const queryClient = useQueryClient();
  const [until, setUntil] = useState(site.auto_approval_active ? toLocalInput(site.auto_approve_until) : '');
  const [localError, setLocalError] = useState<string>();
  const save = useMutation({
    mutationFn: (value: string | null) => setAutoApproval(site.id, value),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: SITES_KEY });
      onClose();
    },
  });
  const serverError = fieldErrorsOf(save.error, { auto_approve_until: 'until' }).until;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const iso = fromLocalInput(until);
    if (iso === null || Date.parse(iso) <= Date.now()) {
      setLocalError('Pick a time in the future');
      return;
    }
    save.mutate(iso);
  };

  const preset = (hours: number) => {
    setUntil(toLocalInput(new Date(Date.now() + hours * 3_600_000).toISOString()));
    setLocalError(undefined);
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <Alert color="blue" variant="light" icon={<IconInfoCircle />}>
          While the window is open, devices that enrol with the code of <b>{site.name}</b> are approved without review.
          Keep it short.
        </Alert>
        <Text size="sm" data-testid="site-auto-approval-current">
          {site.auto_approval_active && site.auto_approve_until
            ? `Open until ${formatDateTime(site.auto_approve_until)}.`
            : 'Closed now.'}
        </Text>
        <TextInput
          type="datetime-local"
          label="Open until"
          description="In your local time."
          value={until}
          onChange={(event) => {
            setUntil(event.currentTarget.value);
            setLocalError(undefined);
            save.reset();
          }}
          error={localError ?? serverError}
          data-testid="site-auto-approval-until"
        />
        <Group gap="xs">
          {PRESET_HOURS.map((hours) => (
            <Button key={hours} size="xs" variant="light" onClick={() => preset(hours)}>
              {hours} h from now
            </Button>
          ))}
        </Group>
        {save.isError && serverError === undefined && <ApiErrorAlert error={save.error} />}
        <Group justify="space-between" gap="sm">
          {site.auto_approval_active ? (
            <Button
              variant="light"
              color="red"
              onClick={() => save.mutate(null)}
              loading={save.isPending && save.variables === null}
              disabled={save.isPending}
              data-testid="site-auto-approval-close"
            >
              Close window now
            </Button>
          ) : (
            <span />
          )}
          <Group gap="sm">
            <Button variant="default" onClick={onClose} disabled={save.isPending}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending && save.variables !== null} disabled={save.isPending} data-testid="site-auto-approval-submit">
              Open window
            </Button>
          </Group>
        </Group>
      </Stack>
    </form>
  );
}
