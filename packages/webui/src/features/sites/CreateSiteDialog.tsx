// "New site": a name and an optional description; the engine makes its enrolment code.
import type { Site } from '@borealis/protocol';
import { Button, Group, Modal, Stack, Textarea, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiErrorAlert } from '../../shared/ApiErrorAlert';
import { fieldErrorsOf, isOnAField } from '../../shared/form-errors';
import { useRetained } from '../../shared/use-retained';
import { createSite } from './sites-api';
import { SITES_KEY } from './sites-queries';

export interface CreateSiteDialogProps {
  readonly opened: boolean;
  readonly onClose: () => void;
  readonly onCreated: (site: Site) => void;
}

export function CreateSiteDialog({ opened, onClose, onCreated }: CreateSiteDialogProps) {
  const { shown, onExited } = useRetained(opened || null);
  return (
    <Modal opened={opened} onClose={onClose} onExitTransitionEnd={onExited} title="New site" centered data-testid="site-create-dialog">
      {shown && <CreateSiteForm onClose={onClose} onCreated={onCreated} />}
    </Modal>
  );
}

function CreateSiteForm({ onClose, onCreated }: Omit<CreateSiteDialogProps, 'opened'>) {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [nameError, setNameError] = useState<string>();
  const create = useMutation({
    mutationFn: createSite,
    onSuccess: (site) => {
      void queryClient.invalidateQueries({ queryKey: SITES_KEY });
      onCreated(site);
    },
  });
  const errors = fieldErrorsOf(create.error, { name: 'name', description: 'description' }, { conflict: 'name' });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) {
      setNameError('Give the site a name');
      return;
    }
    create.mutate({ name: name.trim(), description: description.trim() || null });
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <TextInput
          label="Name"
          description="Shown to operators; each site's name is unique."
          value={name}
          onChange={(event) => {
            setName(event.currentTarget.value);
            setNameError(undefined);
            create.reset();
          }}
          error={nameError ?? errors.name}
          maxLength={128}
          required
          data-autofocus
          data-testid="site-name-input"
        />
        <Textarea
          label="Description"
          value={description}
          onChange={(event) => setDescription(event.currentTarget.value)}
          error={errors.description}
          autosize
          minRows={2}
          maxLength={1024}
          data-testid="site-description-input"
        />
        {create.isError && !isOnAField(errors) && <ApiErrorAlert error={create.error} />}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending} data-testid="site-create-submit">
            Create site
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
