// Replace a site's enrolment code, optionally with an expiry and a use limit. The old code stops
// working at once, so this dialog is also the confirmation.
import type { Site } from '@borealis/protocol';
import { Alert, Button, Group, Modal, NumberInput, Stack, Text, TextInput } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiErrorAlert } from '../../shared/ApiErrorAlert';
import { fromLocalInput } from '../../shared/datetime-local';
import { fieldErrorsOf, isOnAField } from '../../shared/form-errors';
import { useRetained } from '../../shared/use-retained';
import type { SiteDialogProps } from './RenameSiteDialog';
import { rotateEnrollmentCode } from './sites-api';
import { SITES_KEY } from './sites-queries';

export interface RotateCodeDialogProps extends SiteDialogProps {
  readonly onRotated: (site: Site) => void;
}

export function RotateCodeDialog({ site, onClose, onRotated }: RotateCodeDialogProps) {
  const { shown, onExited } = useRetained(site);
  return (
    <Modal opened={site !== null} onClose={onClose} onExitTransitionEnd={onExited} title="Rotate enrolment code" centered data-testid="site-rotate-dialog">
      {shown && <RotateCodeForm key={shown.id} site={shown} onClose={onClose} onRotated={onRotated} />}
    </Modal>
  );
}

type Field = 'expires' | 'maxUses';

function RotateCodeForm({ site, onClose, onRotated }: { readonly site: Site } & Omit<RotateCodeDialogProps, 'site'>) {
  const queryClient = useQueryClient();
  const [expires, setExpires] = useState('');
  const [maxUses, setMaxUses] = useState<number | string>('');
  const [localErrors, setLocalErrors] = useState<Partial<Record<Field, string>>>({});
  const rotate = useMutation({
    mutationFn: (body: { expires_at: string | null; max_uses: number | null }) => rotateEnrollmentCode(site.id, body),
    onSuccess: (rotated) => {
      void queryClient.invalidateQueries({ queryKey: SITES_KEY });
      onRotated(rotated);
    },
  });
  const serverErrors = fieldErrorsOf<Field>(rotate.error, { expires_at: 'expires', max_uses: 'maxUses' });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const expiresAt = fromLocalInput(expires);
    const found: Partial<Record<Field, string>> = {
      expires: expires && (expiresAt === null || Date.parse(expiresAt) <= Date.now()) ? 'Pick a time in the future' : undefined,
      maxUses: maxUses !== '' && (typeof maxUses !== 'number' || maxUses < 1) ? 'At least 1, or leave empty' : undefined,
    };
    setLocalErrors(found);
    if (found.expires || found.maxUses) return;
    rotate.mutate({ expires_at: expiresAt, max_uses: typeof maxUses === 'number' ? maxUses : null });
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <Alert color="orange" variant="light" icon={<IconAlertTriangle />}>
          The current code of <b>{site.name}</b> stops working at once. Agents already enrolled are not affected; new
          installs need the new code.
        </Alert>
        <TextInput
          type="datetime-local"
          label="Expires"
          description="Optional, in your local time. Empty: the code does not expire."
          value={expires}
          onChange={(event) => {
            setExpires(event.currentTarget.value);
            setLocalErrors((e) => ({ ...e, expires: undefined }));
          }}
          error={localErrors.expires ?? serverErrors.expires}
          data-testid="site-rotate-expires"
        />
        <NumberInput
          label="Maximum uses"
          description="Optional. Empty: any number of enrolments."
          value={maxUses}
          onChange={(value) => {
            setMaxUses(value);
            setLocalErrors((e) => ({ ...e, maxUses: undefined }));
          }}
          min={1}
          max={1_000_000}
          allowDecimal={false}
          allowNegative={false}
          error={localErrors.maxUses ?? serverErrors.maxUses}
          data-testid="site-rotate-max-uses"
        />
        {rotate.isError && !isOnAField(serverErrors) && <ApiErrorAlert error={rotate.error} />}
        <Text size="xs" c="dimmed">
          The uses count starts again from 0.
        </Text>
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose} disabled={rotate.isPending}>
            Cancel
          </Button>
          <Button color="orange" type="submit" loading={rotate.isPending} data-testid="site-rotate-submit">
            Rotate code
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
