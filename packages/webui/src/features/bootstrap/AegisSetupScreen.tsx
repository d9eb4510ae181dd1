// First run, step 1 (phase aegis_setup_required): what Aegis is, then the setup token and the new
// passphrase. On success the engine moves to admin_setup_required.
import { Button, Group, Stack, Text, ThemeIcon } from '@mantine/core';
import type { BootstrapState } from '@borealis/protocol';
import { IconKey, IconLock, IconRefresh } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useState } from 'react';
import { ApiErrorAlert } from '../../shared/ApiErrorAlert';
import { isApiError } from '../../shared/api-client';
import { fieldErrorsOf, isOnAField } from '../../shared/form-errors';
import { setupAegis } from '../auth/auth-api';
import { BOOTSTRAP_STATE_KEY } from '../auth/auth-queries';
import { GateLayout } from '../auth/GateLayout';
import { checkNewSecret, NewSecretFields } from '../auth/NewSecretFields';
import { SETUP_CARD_WIDTH, SetupProgress } from './SetupProgress';
import { checkSetupToken, SetupTokenInput } from './SetupTokenInput';

type Field = 'token' | 'passphrase' | 'confirmation';

export interface AegisSetupScreenProps {
  readonly setupToken: string;
  readonly onSetupToken: (token: string) => void;
}

export function AegisSetupScreen({ setupToken, onSetupToken }: AegisSetupScreenProps) {
  const queryClient = useQueryClient();
  const [passphrase, setPassphrase] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});

  const setup = useMutation({
    mutationFn: setupAegis,
    onSuccess: (state: BootstrapState) => queryClient.setQueryData(BOOTSTRAP_STATE_KEY, state),
    onError: (error) => {
      setErrors(
        fieldErrorsOf<Field>(
          error,
          { cipher: 'passphrase', setup_token: 'token' },
          { setup_token_required: 'token', setup_token_invalid: 'token', aegis_passphrase_too_weak: 'passphrase' },
        ),
      );
      if (isApiError(error, 'aegis_already_initialized', 'invalid_phase')) {
        void queryClient.invalidateQueries({ queryKey: BOOTSTRAP_STATE_KEY });
      }
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const secret = checkNewSecret(passphrase, confirmation, 'passphrase');
    const next = { token: checkSetupToken(setupToken), passphrase: secret.value, confirmation: secret.confirmation };
    setErrors(next);
    if (Object.values(next).some(Boolean)) return;
    setup.mutate({ cipher: passphrase, setup_token: setupToken });
  };

  const edit = (field: Field) => {
    setErrors((current) => ({ ...current, [field]: undefined }));
    setup.reset();
  };

  return (
    <GateLayout
      phase="aegis_setup_required"
      step="aegis_setup"
      title="Protect this engine with Aegis"
      description="Choose the passphrase that encrypts this engine's secrets. You need it every time the engine starts."
      header={<SetupProgress current="aegis" />}
      width={SETUP_CARD_WIDTH}
    >
      <Stack gap="sm" data-testid="aegis-facts">
        <Fact icon={<IconKey size={15} />} title="It encrypts every secret the engine stores:">
          operator passwords, authenticator keys and the credentials used to reach your devices.
        </Fact>
        <Fact icon={<IconRefresh size={15} />} title="It is needed after every engine restart.">
          Until someone types it, nobody can sign in; devices stay connected.
        </Fact>
        <Fact icon={<IconLock size={15} />} color="red" title="It cannot be recovered.">
          If it is lost, so are the stored secrets. Keep it in a password manager or another safe place.
        </Fact>
      </Stack>

      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <SetupTokenInput
            value={setupToken}
            onChange={(token) => {
              onSetupToken(token);
              edit('token');
            }}
            error={errors.token}
            autoFocus
          />
          <NewSecretFields
            label="Aegis passphrase"
            description="At least 12 characters; a few unrelated words are strong and easy to type."
            confirmationLabel="Type the passphrase again"
            value={passphrase}
            confirmation={confirmation}
            onValueChange={(value) => {
              setPassphrase(value);
              edit('passphrase');
            }}
            onConfirmationChange={(value) => {
              setConfirmation(value);
              edit('confirmation');
            }}
            error={errors.passphrase}
            confirmationError={errors.confirmation}
            valueTestId="passphrase-input"
            confirmationTestId="passphrase-confirm-input"
          />
          {setup.isError && !isOnAField(errors) && <ApiErrorAlert error={setup.error} />}
          <Button type="submit" loading={setup.isPending} fullWidth data-testid="aegis-setup-submit">
            Encrypt and continue
          </Button>
        </Stack>
      </form>
    </GateLayout>
  );
}

interface FactProps {
  readonly icon: ReactNode;
  readonly title: string;
  readonly color?: string;
  readonly children: ReactNode;
}

function Fact({ icon, title, color, children }: FactProps) {
  return (
    <Group gap="sm" wrap="nowrap" align="flex-start">
      <ThemeIcon variant="light" color={color} size={26} radius="xl" style={{ flexShrink: 0 }}>
        {icon}
      </ThemeIcon>
      <Text size="sm">
        <Text span inherit fw={600}>
          {title}
        </Text>{' '}
        {children}
      </Text>
    </Group>
  );
}
