// Rename a site; a name another site has is refused with 409 and shown on the field.
import type { Site } from '@borealis/protocol';
import { Button, Group, Modal, Stack, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiErrorAlert } from '../../shared/ApiErrorAlert';
import { fieldErrorsOf, isOnAField } from '../../shared/form-errors';
import { useRetained } from '../../shared/use-retained';
import { renameSite } from './sites-api';
import { SITES_KEY } from './sites-queries';

export interface SiteDialogProps {
  readonly site: Site | null;
  readonly onClose: () => void;
}

export function RenameSiteDialog({ site, onClose }: SiteDialogProps) {
  const { shown, onExited } = useRetained(site);
  return (
    <Modal opened={site !== null} onClose={onClose} onExitTransitionEnd={onExited} title="Rename site" centered data-testid="site-rename-dialog">
      {shown && <RenameSiteForm key={shown.id} site={shown} onClose={onClose} />}
    </Modal>
  );
}

function RenameSiteForm({ site, onClose }: { readonly site: Site; readonly onClose: () => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState(site.name);
  const [nameError, setNameError] = useState<string>();
  const rename = useMutation({
    mutationFn: (newName: string) => renameSite(site.id, newName),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: SITES_KEY });
      onClose();
    },
  });
  const errors = fieldErrorsOf(rename.error, { new_name: 'name' }, { conflict: 'name' });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return setNameError('Give the site a name');
    if (trimmed === site.name) return onClose();
    rename.mutate(trimmed);
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <TextInput
          label="New name"
          value={name}
          onChange={(event) => {
            setName(event.currentTarget.value);
            setNameError(undefined);
            rename.reset();
          }}
          error={nameError ?? errors.name}
          maxLength={128}
          required
          data-autofocus
          data-testid="site-rename-input"
        />
        {rename.isError && !isOnAField(errors) && <ApiErrorAlert error={rename.error} />}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose} disabled={rename.isPending}>
            Cancel
          </Button>
          <Button type="submit" loading={rename.isPending} data-testid="site-rename-submit">
            Rename
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
