// The danger zone: an Aegis force reset (security.md §3.7) destroys every protected secret. It needs
// the typed phrase and the admin's own password; afterwards the engine is back at its setup gate.
import { Button, Card, Group, List, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { IconAlertOctagon } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { isApiError } from '../../shared/api-client';
import { ApiErrorAlert } from '../../shared/ApiErrorAlert';
import { BOOTSTRAP_STATE_KEY, forgetOperator } from '../auth/auth-queries';
import { useStepUp } from '../auth/step-up';
import { FORCE_RESET_PHRASE, forceResetAegis } from './aegis-api';
import { TypeToConfirmInput } from '../../shared/TypeToConfirmInput';

const DESTROYED: readonly string[] = [
  'Every secret protected by Aegis: every user’s password, authenticator seeds, every credential’s secrets, the engine’s job-signing key, and the stored site enrolment codes (the codes keep working but cannot be shown again).',
  'All passkeys and recovery codes.',
  'Every session, yours included: everyone is signed out at once.',
  'Every user must get a new password: admins recover with the new setup token, other users when an admin resets their password.',
  'Credentials are marked for re-entry and the scheduled jobs that use them are disabled until someone re-enables them.',
  'The job-signing key is retired: devices refuse jobs signed by the new key until they are re-pinned.',
  'A new setup token is issued on the engine host (printed to its console, never to a log file, and kept in Engine/Services/api-backend/secrets/setup_token.txt); you need it to set up Aegis again.',
];

export function ForceResetCard() {
  const queryClient = useQueryClient();
  const stepUp = useStepUp();
  const [phrase, setPhrase] = useState('');
  const [password, setPassword] = useState('');
  const reset = useMutation({
    mutationFn: () => stepUp(() => forceResetAegis({ confirm: phrase, password })),
    onSuccess: async () => {
      // The engine is at aegis_setup_required now: read that first so the gate shows setup, not sign-in.
      await queryClient.invalidateQueries({ queryKey: BOOTSTRAP_STATE_KEY });
      forgetOperator(queryClient);
    },
  });
  const isPhraseTyped = phrase === FORCE_RESET_PHRASE;
  const passwordError = isApiError(reset.error, 'invalid_credentials') ? 'That password is not correct' : undefined;
  const phraseError = isApiError(reset.error, 'confirmation_mismatch') ? reset.error.message : undefined;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (isPhraseTyped && password) reset.mutate();
  };

  return (
    <Card
      withBorder
      padding="lg"
      data-testid="aegis-force-reset"
      style={{ borderColor: 'var(--mantine-color-red-filled)' }}
    >
      <Group gap="xs" mb="xs">
        <IconAlertOctagon size={20} stroke={1.6} color="var(--mantine-color-red-filled)" />
        <Title order={3} size="h4" c="red">
          Danger zone: force reset
        </Title>
      </Group>
      <Text size="sm" mb="sm">
        Use this only when the passphrase is lost or every secret must be assumed stolen. It cannot be undone. It
        destroys:
      </Text>
      <List size="sm" spacing={4} mb="md" data-testid="aegis-force-reset-effects">
        {DESTROYED.map((line) => (
          <List.Item key={line}>{line}</List.Item>
        ))}
      </List>
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <TypeToConfirmInput
            expected={FORCE_RESET_PHRASE}
            value={phrase}
            onChange={(value) => {
              setPhrase(value);
              reset.reset();
            }}
            error={phraseError}
            isAutoFocused={false}
            testId="aegis-force-reset-phrase"
          />
          <PasswordInput
            label="Your password"
            value={password}
            onChange={(event) => {
              setPassword(event.currentTarget.value);
              reset.reset();
            }}
            error={passwordError}
            autoComplete="current-password"
            data-testid="aegis-force-reset-password"
          />
          {reset.isError && !passwordError && !phraseError && <ApiErrorAlert error={reset.error} />}
          <Group justify="flex-end">
            <Button
              color="red"
              type="submit"
              disabled={!isPhraseTyped || !password}
              loading={reset.isPending}
              data-testid="aegis-force-reset-submit"
            >
              Destroy every secret
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
