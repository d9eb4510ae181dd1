// Create or edit a credential. Secrets are write-only; an edit sends only what changed, with the
// version as If-Match, and a 409 version_conflict asks to reload rather than overwrite.
import { type Credential, CREDENTIAL_SECRET_FIELDS, type CredentialSecretField } from '@borealis/protocol';
import {
  Alert,
  Autocomplete,
  Button,
  Divider,
  Group,
  Modal,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { IconAlertTriangle, IconRefresh } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { isApiError } from '../../shared/api-client';
import { ApiErrorAlert } from '../../shared/ApiErrorAlert';
import { fieldErrorsOf, isOnAField } from '../../shared/form-errors';
import { useRetained } from '../../shared/use-retained';
import { useStepUp } from '../auth/step-up';
import { useSites } from '../sites/sites-queries';
import { CONNECTION_TYPE_LABELS, CREDENTIAL_TYPE_LABELS, hasSecret } from './credential-labels';
import {
  createBody,
  NO_CLEARS,
  NO_SECRETS,
  type PlainValues,
  plainValuesOf,
  type SecretClears,
  type SecretValues,
  updateBody,
} from './credential-form';
import { createCredential, getCredential, updateCredential } from './credentials-api';
import { CREDENTIALS_KEY } from './credentials-queries';
import { SecretFieldInput } from './SecretFieldInput';

const BECOME_METHODS = ['sudo', 'su', 'doas', 'runas'];

type Field = keyof PlainValues | CredentialSecretField;

const PATHS: Readonly<Record<string, Field>> = {
  name: 'name',
  description: 'description',
  site_id: 'siteId',
  credential_type: 'credentialType',
  connection_type: 'connectionType',
  username: 'username',
  become_method: 'becomeMethod',
  become_username: 'becomeUsername',
  password: 'password',
  private_key: 'private_key',
  private_key_passphrase: 'private_key_passphrase',
  become_password: 'become_password',
};

export interface CredentialFormDialogProps {
  readonly opened: boolean;
  /** null creates a new credential. */
  readonly credential: Credential | null;
  readonly onClose: () => void;
  readonly onSaved: (credential: Credential, isNew: boolean) => void;
}

export function CredentialFormDialog({ opened, credential, onClose, onSaved }: CredentialFormDialogProps) {
  // After "reload" the form starts again from the engine's current version.
  const [fresh, setFresh] = useState<Credential | null>(null);
  const latest = fresh && credential && fresh.id === credential.id && fresh.version > credential.version ? fresh : credential;
  const { shown, onExited } = useRetained<Credential | 'new'>(opened ? (latest ?? 'new') : null);
  const current = shown === 'new' ? null : shown;
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      onExitTransitionEnd={onExited}
      title={current ? `Edit ${current.name}` : 'New credential'}
      centered
      size="xl"
      data-testid="credential-dialog"
    >
      {shown && (
        <CredentialForm
          key={current ? `${current.id}:${current.version}` : 'new'}
          credential={current}
          onClose={onClose}
          onSaved={onSaved}
          onReloaded={setFresh}
        />
      )}
    </Modal>
  );
}

interface CredentialFormProps extends Omit<CredentialFormDialogProps, 'opened'> {
  readonly onReloaded: (credential: Credential) => void;
}

function CredentialForm({ credential, onClose, onSaved, onReloaded }: CredentialFormProps) {
  const queryClient = useQueryClient();
  const stepUp = useStepUp();
  const sites = useSites();
  const [values, setValues] = useState<PlainValues>(() => plainValuesOf(credential));
  const [secrets, setSecrets] = useState<SecretValues>(NO_SECRETS);
  const [clears, setClears] = useState<SecretClears>(NO_CLEARS);
  const [nameError, setNameError] = useState<string>();
  const [isUnchanged, setIsUnchanged] = useState(false);

  const save = useMutation({
    mutationFn: () => {
      if (credential === null) return stepUp(() => createCredential(createBody(values, secrets)));
      const body = updateBody(credential, values, secrets, clears);
      return stepUp(() => updateCredential(credential.id, body, credential.version));
    },
    onSuccess: (saved) => {
      void queryClient.invalidateQueries({ queryKey: CREDENTIALS_KEY });
      onSaved(saved, credential === null);
    },
  });
  const reload = useMutation({
    mutationFn: (id: number) => getCredential(id),
    onSuccess: (latest) => {
      void queryClient.invalidateQueries({ queryKey: CREDENTIALS_KEY });
      onReloaded(latest);
    },
  });
  const isConflict = isApiError(save.error, 'version_conflict');
  const errors = fieldErrorsOf<Field>(save.error, PATHS, { conflict: 'name' });

  const edit = () => {
    save.reset();
    setIsUnchanged(false);
  };
  const setValue = <K extends keyof PlainValues>(key: K, value: PlainValues[K]) => {
    setValues((v) => ({ ...v, [key]: value }));
    if (key === 'name') setNameError(undefined);
    edit();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!values.name.trim()) return setNameError('Give the credential a name');
    if (credential && Object.keys(updateBody(credential, values, secrets, clears)).length === 0) {
      return setIsUnchanged(true);
    }
    save.mutate();
  };

  const siteOptions = [
    { value: '', label: 'No site (admins only)' },
    ...(sites.data?.sites ?? []).map((s) => ({ value: String(s.id), label: s.name })),
  ];
  const lost = new Set(credential?.lost_secret_fields ?? []);

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
          <TextInput
            label="Name"
            value={values.name}
            onChange={(event) => setValue('name', event.currentTarget.value)}
            error={nameError ?? errors.name}
            maxLength={128}
            required
            data-autofocus
            data-testid="credential-name-input"
          />
          <Select
            label="Site"
            description="Operators of that site can use it in jobs."
            data={siteOptions}
            value={values.siteId}
            onChange={(value) => setValue('siteId', value ?? '')}
            allowDeselect={false}
            error={errors.siteId ?? (sites.isError ? 'Could not load the sites' : undefined)}
            comboboxProps={{ withinPortal: true }}
            data-testid="credential-site-select"
          />
          <Select
            label="Type"
            data={Object.entries(CREDENTIAL_TYPE_LABELS).map(([value, label]) => ({ value, label }))}
            value={values.credentialType}
            onChange={(value) => {
              const type = value === 'domain' || value === 'token' ? value : 'machine';
              setValue('credentialType', type);
            }}
            allowDeselect={false}
            error={errors.credentialType}
            comboboxProps={{ withinPortal: true }}
            data-testid="credential-type-select"
          />
          <Select
            label="Connection"
            data={Object.entries(CONNECTION_TYPE_LABELS).map(([value, label]) => ({ value, label }))}
            value={values.connectionType}
            onChange={(value) => {
              const type = value === 'windows' || value === 'winrm' ? value : 'ssh';
              setValue('connectionType', type);
            }}
            allowDeselect={false}
            error={errors.connectionType}
            comboboxProps={{ withinPortal: true }}
            data-testid="credential-connection-select"
          />
        </SimpleGrid>
        <Textarea
          label="Description"
          value={values.description}
          onChange={(event) => setValue('description', event.currentTarget.value)}
          error={errors.description}
          autosize
          minRows={1}
          maxLength={1024}
          data-testid="credential-description-input"
        />
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="md">
          <TextInput
            label="User name"
            value={values.username}
            onChange={(event) => setValue('username', event.currentTarget.value)}
            error={errors.username}
            autoComplete="off"
            data-testid="credential-username-input"
          />
          <Autocomplete
            label="Become method"
            placeholder="None"
            data={BECOME_METHODS}
            value={values.becomeMethod}
            onChange={(value) => setValue('becomeMethod', value)}
            error={errors.becomeMethod}
            maxLength={32}
            comboboxProps={{ withinPortal: true }}
            data-testid="credential-become-method-input"
          />
          <TextInput
            label="Become user"
            placeholder="root"
            value={values.becomeUsername}
            onChange={(event) => setValue('becomeUsername', event.currentTarget.value)}
            error={errors.becomeUsername}
            autoComplete="off"
            data-testid="credential-become-user-input"
          />
        </SimpleGrid>

        <Divider
          label={credential ? 'Secrets: write-only, never shown. Leave empty to keep.' : 'Secrets: write-only, never shown again'}
          labelPosition="left"
        />
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
          {CREDENTIAL_SECRET_FIELDS.map((field) => (
            <SecretFieldInput
              key={field}
              field={field}
              value={secrets[field]}
              onChange={(value) => {
                setSecrets((s) => ({ ...s, [field]: value }));
                edit();
              }}
              isStored={credential !== null && hasSecret(credential, field)}
              isLost={lost.has(field)}
              isCleared={clears[field]}
              onClearedChange={(isCleared) => {
                setClears((c) => ({ ...c, [field]: isCleared }));
                edit();
              }}
              error={errors[field]}
            />
          ))}
        </SimpleGrid>

        {isConflict ? (
          <Alert color="orange" variant="light" icon={<IconAlertTriangle />} title="Someone else changed it" data-testid="credential-conflict">
            <Stack gap="xs" align="flex-start">
              <Text size="sm">
                This credential was changed since you opened it. Reload it to see the current version, then make your
                changes again.
              </Text>
              <Button
                size="xs"
                variant="white"
                color="orange"
                leftSection={<IconRefresh size={14} />}
                loading={reload.isPending}
                onClick={() => credential && reload.mutate(credential.id)}
                data-testid="credential-reload"
              >
                Reload
              </Button>
              <ApiErrorAlert error={reload.error} />
            </Stack>
          </Alert>
        ) : (
          save.isError && !isOnAField(errors) && <ApiErrorAlert error={save.error} />
        )}
        {isUnchanged && (
          <Text size="sm" c="dimmed" data-testid="credential-unchanged">
            Nothing changed, so there is nothing to save.
          </Text>
        )}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose} disabled={save.isPending}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending} disabled={isConflict} data-testid="credential-submit">
            {credential ? 'Save changes' : 'Create credential'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
