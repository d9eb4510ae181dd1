// Provides useStepUp(): a dialog that asks for an authenticator code (or a recovery code, or the
// password for an account without a second factor) whenever a request needs a fresh check.
import { Button, Modal, PasswordInput, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useCallback, useRef, useState } from 'react';
import { ApiErrorAlert } from '../../shared/ApiErrorAlert';
import { CancelledError } from '../../shared/cancelled-error';
import { isApiError } from '../../shared/api-client';
import { type SecondFactor, stepUp } from './auth-api';
import { ME_KEY } from './auth-queries';
import { useCurrentUser } from './current-user';
import { passkeyAvailability } from './passkey-availability';
import { PasskeyUnavailableHint } from './PasskeyUnavailableHint';
import { signInWithPasskey } from './passkey-ceremony';
import { SecondFactorForm } from './SecondFactorForm';
import { StepUpContext, type StepUpRunner } from './step-up';

interface Waiting {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

export function StepUpProvider({ children }: { readonly children: ReactNode }) {
  const [isOpen, setIsOpen] = useState(false);
  const waiting = useRef<Waiting[]>([]);

  const run = useCallback<StepUpRunner>(async (request) => {
    try {
      return await request();
    } catch (error) {
      if (!isApiError(error, 'mfa_required')) throw error;
      await new Promise<void>((resolve, reject) => {
        waiting.current.push({ resolve, reject });
        setIsOpen(true);
      });
      return request();
    }
  }, []);

  const settle = (outcome: 'verified' | 'cancelled') => {
    const all = waiting.current;
    waiting.current = [];
    setIsOpen(false);
    for (const w of all) {
      if (outcome === 'verified') w.resolve();
      else w.reject(new CancelledError('The second-factor check was cancelled'));
    }
  };

  return (
    <StepUpContext.Provider value={run}>
      {children}
      <Modal
        opened={isOpen}
        onClose={() => settle('cancelled')}
        title="Confirm it is you"
        centered
        // Above the dialog that started the action (a confirmation is usually still open).
        zIndex={400}
        data-testid="step-up-modal"
      >
        {isOpen && <StepUpForm onVerified={() => settle('verified')} />}
      </Modal>
    </StepUpContext.Provider>
  );
}

function StepUpForm({ onVerified }: { readonly onVerified: () => void }) {
  const queryClient = useQueryClient();
  const me = useCurrentUser();
  const verify = useMutation({
    mutationFn: (factor: SecondFactor) => stepUp(factor),
    onSuccess: (_answer, factor) => {
      // A spent recovery code changes the count shown on Account security.
      if ('recovery_code' in factor) void queryClient.invalidateQueries({ queryKey: ME_KEY });
      onVerified();
    },
  });
  // Signed in, the passkey ceremony refreshes this session's check instead of starting a new one.
  const passkey = useMutation({
    mutationFn: () => signInWithPasskey(),
    onSuccess: () => onVerified(),
  });
  const hasCode = me.mfa.totp || me.mfa.recovery_codes_left > 0;
  const canUsePasskey = me.mfa.passkeys > 0 && passkeyAvailability().kind === 'available';

  return (
    <Stack gap="md">
      <Text size="sm" c="dimmed">
        This is a sensitive action, and your last second-factor check is more than 15 minutes old, so the engine asks for a fresh one.
      </Text>
      {canUsePasskey && (
        <>
          <Button variant="light" onClick={() => passkey.mutate()} loading={passkey.isPending} data-testid="step-up-passkey">
            Use a passkey
          </Button>
          {!(passkey.error instanceof CancelledError) && <ApiErrorAlert error={passkey.error} />}
        </>
      )}
      {hasCode ? (
        <SecondFactorForm
          testIdPrefix="step-up"
          canUseRecoveryCode={me.mfa.recovery_codes_left > 0}
          onSubmit={(factor) => verify.mutate(factor)}
          isPending={verify.isPending}
          error={verify.error}
          onEdit={() => verify.reset()}
          submitLabel="Confirm"
        />
      ) : me.mfa.passkeys > 0 ? (
        !canUsePasskey && <PasskeyUnavailableHint availability={passkeyAvailability()} />
      ) : (
        <PasswordCheck onSubmit={(password) => verify.mutate({ password })} isPending={verify.isPending} error={verify.error} />
      )}
    </Stack>
  );
}

interface PasswordCheckProps {
  readonly onSubmit: (password: string) => void;
  readonly isPending: boolean;
  readonly error: unknown;
}

function PasswordCheck({ onSubmit, isPending, error }: PasswordCheckProps) {
  const [password, setPassword] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (password) onSubmit(password);
  };
  const isWrong = isApiError(error, 'invalid_credentials');
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <PasswordInput
          label="Your password"
          value={password}
          onChange={(event) => setPassword(event.currentTarget.value)}
          error={isWrong ? 'That password is not correct' : undefined}
          autoComplete="current-password"
          autoFocus
          data-testid="step-up-password-input"
        />
        {!isWrong && <ApiErrorAlert error={error} />}
        <Button type="submit" loading={isPending} data-testid="step-up-submit">
          Confirm
        </Button>
      </Stack>
    </form>
  );
}
