// Phase login_required without a session: user name and password (or a passkey alone), then the
// second factor (or, for an account without one yet, authenticator enrolment). The page keeps its
// URL, so the operator lands where they were going once signed in.
import { Alert, Anchor, Button, Divider, PasswordInput, Stack, TextInput } from '@mantine/core';
import type { LoginResponse, SignedIn } from '@borealis/protocol';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useState } from 'react';
import { ApiErrorAlert } from '../../shared/ApiErrorAlert';
import { isApiError } from '../../shared/api-client';
import { login, type SecondFactor, startTotpSetup, verifyTicket, confirmTotpWithTicket } from './auth-api';
import { BOOTSTRAP_STATE_KEY } from './auth-queries';
import { GateLayout } from './GateLayout';
import { passkeyAvailability } from './passkey-availability';
import { PasskeySignInButton } from './PasskeySignInButton';
import { PasskeyUnavailableHint } from './PasskeyUnavailableHint';
import { SecondFactorForm } from './SecondFactorForm';
import { type TotpEnrolment, TotpEnrolmentForm } from './TotpEnrolmentForm';

type Step =
  | { readonly kind: 'password' }
  | { readonly kind: 'mfa'; readonly pendingToken: string; readonly methods: readonly SecondFactorMethod[] }
  | { readonly kind: 'enrol'; readonly pendingToken: string; readonly enrolment: TotpEnrolment };

type SecondFactorMethod = Extract<LoginResponse, { status: 'mfa_required' }>['methods'][number];

const EXPIRED = 'That sign-in took too long. Enter your password again.';

export interface SignInScreenProps {
  readonly onSignedIn: (result: SignedIn) => void;
}

export function SignInScreen({ onSignedIn }: SignInScreenProps) {
  const queryClient = useQueryClient();
  const [step, setStep] = useState<Step>({ kind: 'password' });
  // Kept here so "Back" from the second factor does not make the operator retype it.
  const [username, setUsername] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const passkeys = passkeyAvailability();

  const restart = (message: string) => {
    setNotice(message);
    setStep({ kind: 'password' });
  };
  const onTicketError = (error: Error) => {
    if (isApiError(error, 'invalid_token')) restart(EXPIRED);
    if (isApiError(error, 'bootstrap_required')) void queryClient.invalidateQueries({ queryKey: BOOTSTRAP_STATE_KEY });
  };

  const verify = useMutation({
    mutationFn: ({ pendingToken, factor }: { pendingToken: string; factor: SecondFactor }) =>
      verifyTicket(pendingToken, factor),
    onSuccess: onSignedIn,
    onError: onTicketError,
  });
  const confirm = useMutation({
    mutationFn: ({ pendingToken, code }: { pendingToken: string; code: string }) =>
      confirmTotpWithTicket(pendingToken, code),
    onSuccess: onSignedIn,
    onError: onTicketError,
  });

  if (step.kind === 'mfa') {
    const canUseCode = step.methods.includes('totp') || step.methods.includes('recovery_code');
    const hasPasskey = step.methods.includes('passkey');
    const canUsePasskey = hasPasskey && passkeys.kind === 'available';
    const back = (
      <Anchor
        component="button"
        type="button"
        size="sm"
        c="dimmed"
        onClick={() => setStep({ kind: 'password' })}
        data-testid="mfa-back"
      >
        Back to password
      </Anchor>
    );
    return (
      <GateLayout
        phase="login_required"
        step="mfa"
        title="Two-factor check"
        description={
          !canUseCode
            ? 'Your password was right. Now confirm it is you with your passkey.'
            : canUsePasskey
              ? 'Your password was right. Now enter the code from your authenticator app, or use a passkey.'
              : 'Your password was right. Now enter the code from your authenticator app, or one of your recovery codes.'
        }
      >
        {canUseCode && (
          <SecondFactorForm
            testIdPrefix="mfa"
            canUseRecoveryCode={step.methods.includes('recovery_code')}
            onSubmit={(factor) => verify.mutate({ pendingToken: step.pendingToken, factor })}
            isPending={verify.isPending}
            error={verify.error}
            onEdit={() => verify.reset()}
            submitLabel="Sign in"
            secondaryAction={back}
          />
        )}
        {canUseCode && canUsePasskey && <Divider label="or" labelPosition="center" />}
        {canUsePasskey && (
          <PasskeySignInButton
            label="Use a passkey"
            testId="mfa-use-passkey"
            pendingToken={step.pendingToken}
            onSignedIn={onSignedIn}
            onError={onTicketError}
          />
        )}
        {/* Only passkeys, and this page cannot use them: say where it can. */}
        {!canUseCode && !canUsePasskey && <PasskeyUnavailableHint availability={passkeys} />}
        {!canUseCode && back}
      </GateLayout>
    );
  }

  if (step.kind === 'enrol') {
    return (
      <GateLayout
        phase="login_required"
        step="totp_enrolment"
        title="Set up two-factor sign-in"
        description="Your account needs an authenticator app before you can continue. Pair it now; after that every sign-in asks for a code from it."
        width={560}
      >
        <TotpEnrolmentForm
          enrolment={step.enrolment}
          onConfirm={(code) => confirm.mutate({ pendingToken: step.pendingToken, code })}
          isPending={confirm.isPending}
          error={confirm.error}
          onEdit={() => confirm.reset()}
          submitLabel="Verify and sign in"
          secondaryAction={
            <Anchor component="button" type="button" size="sm" onClick={() => setStep({ kind: 'password' })}>
              Cancel
            </Anchor>
          }
        />
      </GateLayout>
    );
  }

  return (
    <PasswordStep
      username={username}
      onUsernameChange={setUsername}
      notice={notice}
      passkeySignIn={
        passkeys.kind === 'available' && (
          <PasskeySignInButton
            label="Sign in with a passkey"
            testId="login-passkey"
            onSignedIn={(result) => {
              setNotice(null);
              onSignedIn(result);
            }}
          />
        )
      }
      onAnswer={async (answer) => {
        setNotice(null);
        if (answer.status === 'ok') return onSignedIn(answer);
        if (answer.status === 'mfa_required') {
          return setStep({ kind: 'mfa', pendingToken: answer.pending_token, methods: answer.methods });
        }
        const enrolment = await startTotpSetup(answer.pending_token);
        return setStep({ kind: 'enrol', pendingToken: answer.pending_token, enrolment });
      }}
    />
  );
}

interface PasswordStepProps {
  readonly username: string;
  readonly onUsernameChange: (username: string) => void;
  readonly notice: string | null;
  /** Offered below the password form when this page can use passkeys. */
  readonly passkeySignIn: ReactNode;
  /** Moves on with the engine's answer; may itself call the engine (TOTP setup), so it is awaited. */
  readonly onAnswer: (answer: LoginResponse) => Promise<void>;
}

function PasswordStep({ username, onUsernameChange: setUsername, notice, passkeySignIn, onAnswer }: PasswordStepProps) {
  const queryClient = useQueryClient();
  const [password, setPassword] = useState('');
  const [missing, setMissing] = useState<{ username?: string; password?: string }>({});

  const signIn = useMutation({
    mutationFn: async () => onAnswer(await login({ username, password })),
    onError: (error) => {
      if (isApiError(error, 'bootstrap_required')) void queryClient.invalidateQueries({ queryKey: BOOTSTRAP_STATE_KEY });
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const next = {
      username: username.trim() ? undefined : 'Enter your user name',
      password: password ? undefined : 'Enter your password',
    };
    setMissing(next);
    if (next.username || next.password) return;
    signIn.mutate();
  };

  return (
    <GateLayout phase="login_required" step="sign_in" title="Sign in" description="Sign in to manage this Borealis engine.">
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          {notice && (
            <Alert color="yellow" variant="light" data-testid="login-notice">
              {notice}
            </Alert>
          )}
          <TextInput
            label="User name"
            value={username}
            onChange={(event) => {
              setUsername(event.currentTarget.value);
              setMissing((m) => ({ ...m, username: undefined }));
              signIn.reset();
            }}
            error={missing.username}
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            autoFocus={username === ''}
            required
            data-testid="login-username"
          />
          <PasswordInput
            label="Password"
            value={password}
            onChange={(event) => {
              setPassword(event.currentTarget.value);
              setMissing((m) => ({ ...m, password: undefined }));
              signIn.reset();
            }}
            error={missing.password}
            autoComplete="current-password"
            autoFocus={username !== ''}
            required
            data-testid="login-password"
          />
          <ApiErrorAlert error={signIn.error} testId="login-error" />
          <Button type="submit" loading={signIn.isPending} fullWidth data-testid="login-submit">
            Sign in
          </Button>
        </Stack>
      </form>
      {passkeySignIn && (
        <>
          <Divider label="or" labelPosition="center" />
          {passkeySignIn}
        </>
      )}
    </GateLayout>
  );
}
