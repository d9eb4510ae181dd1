// Phase aegis_unlock_required: the engine restarted and holds no key until someone types the Aegis
// passphrase. Wrong passphrases are counted by the engine; after too many it answers 429.
import { Alert, Button, Code, PasswordInput, Stack, Text } from '@mantine/core';
import type { BootstrapState } from '@borealis/protocol';
import { IconClockPause } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiErrorAlert } from '../../shared/ApiErrorAlert';
import { isApiError } from '../../shared/api-client';
import { useCountdown } from '../../shared/use-countdown';
import { unlockAegis } from '../auth/auth-api';
import { BOOTSTRAP_STATE_KEY, forgetOperator } from '../auth/auth-queries';
import { GateLayout } from '../auth/GateLayout';

export function UnlockScreen() {
  const queryClient = useQueryClient();
  const [passphrase, setPassphrase] = useState('');
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [retryAt, setRetryAt] = useState<number | null>(null);
  const secondsLeft = useCountdown(retryAt);

  const unlock = useMutation({
    mutationFn: unlockAegis,
    onSuccess: (state: BootstrapState) => {
      // A passphrase unlock starts a new epoch, so every session from before it is dead (security.md
      // §2.4): go straight to the sign-in page instead of asking /me.
      forgetOperator(queryClient);
      queryClient.setQueryData(BOOTSTRAP_STATE_KEY, state);
    },
    onError: (error) => {
      if (isApiError(error, 'aegis_passphrase_invalid')) {
        setFieldError('That is not the Aegis passphrase of this engine.');
      } else if (isApiError(error, 'rate_limited')) {
        setRetryAt(Date.now() + (error.retryAfter ?? 60) * 1_000);
      } else if (isApiError(error, 'invalid_phase')) {
        void queryClient.invalidateQueries({ queryKey: BOOTSTRAP_STATE_KEY });
      }
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (passphrase.length === 0) {
      setFieldError('Enter the Aegis passphrase');
      return;
    }
    unlock.mutate({ cipher: passphrase });
  };

  const isWaiting = secondsLeft > 0;
  const isOtherError = unlock.isError && !isApiError(unlock.error, 'aegis_passphrase_invalid', 'rate_limited');

  return (
    <GateLayout
      phase="aegis_unlock_required"
      step="unlock"
      title="Unlock the engine"
      description="The engine restarted and is locked. Enter the Aegis passphrase chosen at setup to decrypt its secrets; until then nobody can sign in, while devices stay connected."
    >
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <PasswordInput
            label="Aegis passphrase"
            value={passphrase}
            onChange={(event) => {
              setPassphrase(event.currentTarget.value);
              setFieldError(undefined);
              unlock.reset();
            }}
            error={fieldError}
            autoComplete="current-password"
            autoFocus
            required
            data-testid="unlock-passphrase-input"
          />
          {isWaiting && (
            <Alert color="orange" variant="light" icon={<IconClockPause />} data-testid="unlock-rate-limited">
              Too many attempts. Try again in {secondsLeft} s.
            </Alert>
          )}
          {isOtherError && <ApiErrorAlert error={unlock.error} />}
          <Button type="submit" loading={unlock.isPending} disabled={isWaiting} fullWidth data-testid="unlock-submit">
            Unlock
          </Button>
          <Text size="xs" c="dimmed">
            Lost the passphrase? It cannot be recovered. On the engine host, <Code>borealis aegis force-reset</Code>{' '}
            starts over: it erases the secrets Aegis protected and asks every administrator to set up again.
          </Text>
        </Stack>
      </form>
    </GateLayout>
  );
}
