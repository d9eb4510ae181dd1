// First run, step 2 (admin_setup_required), or recovery after a force reset (admin_recovery_required):
// the administrator's name and password, then the authenticator that must confirm it. The engine
// stores nothing until the first code is right; then it signs the administrator in.
import { Alert, Anchor, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import type { SignedIn } from '@borealis/protocol';
import { IconCircleCheck } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiErrorAlert } from '../../shared/ApiErrorAlert';
import { isApiError } from '../../shared/api-client';
import { fieldErrorsOf, isOnAField } from '../../shared/form-errors';
import { recoverAdmin, setupFirstAdmin, verifyBootstrapAdmin } from '../auth/auth-api';
import { BOOTSTRAP_STATE_KEY } from '../auth/auth-queries';
import { GateLayout } from '../auth/GateLayout';
import { checkNewSecret, NewSecretFields } from '../auth/NewSecretFields';
import { type TotpEnrolment, TotpEnrolmentForm } from '../auth/TotpEnrolmentForm';
import { SETUP_CARD_WIDTH, SetupProgress } from './SetupProgress';
import { checkSetupToken, SetupTokenInput } from './SetupTokenInput';

type Field = 'username' | 'displayName' | 'password' | 'confirmation' | 'token';
type Mode = 'setup' | 'recover';

interface Ticket extends TotpEnrolment {
  readonly pending_token: string;
}

export interface AdminSetupScreenProps {
  readonly mode: Mode;
  readonly setupToken: string;
  readonly onSetupToken: (token: string) => void;
  readonly onSignedIn: (result: SignedIn) => void;
}

const TEXT: Readonly<Record<Mode, { phase: string; title: string; description: string; submit: string }>> = {
  setup: {
    phase: 'admin_setup_required',
    title: 'Create the first administrator',
    description:
      'This account manages the engine and everyone else. Next you will pair an authenticator app: signing in takes the password and a code from it.',
    submit: 'Continue to the authenticator',
  },
  recover: {
    phase: 'admin_recovery_required',
    title: 'Recover an administrator',
    description:
      'Aegis was reset, so every administrator must choose a new password and pair a new authenticator app. Enter an existing administrator’s user name.',
    submit: 'Continue to the authenticator',
  },
};

const USERNAME_PATTERN = /^[A-Za-z0-9._@-]{3,64}$/;

export function AdminSetupScreen({ mode, setupToken, onSetupToken, onSignedIn }: AdminSetupScreenProps) {
  const queryClient = useQueryClient();
  const text = TEXT[mode];
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  // A token carried over from the Aegis step is used as is; after a reload (or if it is refused) ask.
  const [isAskingToken, setIsAskingToken] = useState(setupToken === '');
  const [ticket, setTicket] = useState<Ticket | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const onPhaseConflict = (error: Error) => {
    if (isApiError(error, 'invalid_phase')) void queryClient.invalidateQueries({ queryKey: BOOTSTRAP_STATE_KEY });
  };

  const start = useMutation({
    mutationFn: () =>
      mode === 'setup'
        ? setupFirstAdmin({
            username,
            ...(displayName.trim() ? { display_name: displayName.trim() } : {}),
            password,
            setup_token: setupToken,
          })
        : recoverAdmin({ username, password, setup_token: setupToken }),
    onSuccess: (answer) => {
      setNotice(null);
      setTicket(answer);
    },
    onError: (error) => {
      const next = fieldErrorsOf<Field>(
        error,
        { username: 'username', display_name: 'displayName', password: 'password', setup_token: 'token' },
        { setup_token_required: 'token', setup_token_invalid: 'token', password_policy: 'password' },
      );
      if (next.token) setIsAskingToken(true);
      setErrors(next);
      onPhaseConflict(error);
    },
  });

  const verify = useMutation({
    mutationFn: (code: string) =>
      verifyBootstrapAdmin({ pending_token: ticket?.pending_token ?? '', code, setup_token: setupToken }),
    onSuccess: onSignedIn,
    onError: (error) => {
      if (isApiError(error, 'invalid_token', 'setup_token_invalid', 'setup_token_required')) {
        // The enrolment is gone (expired, too many wrong codes) or the token was refused: start over.
        setTicket(null);
        if (error.code !== 'invalid_token') {
          setIsAskingToken(true);
          setErrors({ token: error.message });
        } else {
          setNotice('The authenticator step expired. Submit the form again to get a new QR code.');
        }
      }
      onPhaseConflict(error);
    },
  });

  if (ticket) {
    return (
      <GateLayout
        phase={text.phase}
        step="totp_enrolment"
        title="Pair an authenticator app"
        description={
          <>
            Every sign-in as <b>{username}</b> will ask for a code from this app.
          </>
        }
        header={<SetupProgress current="totp" />}
        width={SETUP_CARD_WIDTH}
      >
        <TotpEnrolmentForm
          enrolment={ticket}
          onConfirm={(code) => verify.mutate(code)}
          isPending={verify.isPending}
          error={verify.error}
          onEdit={() => verify.reset()}
          submitLabel={mode === 'setup' ? 'Create administrator' : 'Recover administrator'}
          secondaryAction={
            <Anchor component="button" type="button" size="sm" onClick={() => setTicket(null)}>
              Back
            </Anchor>
          }
        />
      </GateLayout>
    );
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const secret = checkNewSecret(password, confirmation, 'password');
    const next: Partial<Record<Field, string>> = {
      username: USERNAME_PATTERN.test(username)
        ? undefined
        : '3 to 64 characters: letters, digits and . _ @ - only',
      password:
        secret.value ??
        (password.toLowerCase() === username.toLowerCase() ? 'The password must not be the user name' : undefined),
      confirmation: secret.confirmation,
      token: checkSetupToken(setupToken),
    };
    if (next.token) setIsAskingToken(true);
    setErrors(next);
    if (Object.values(next).some(Boolean)) return;
    start.mutate();
  };

  const edit = (field: Field) => {
    setErrors((current) => ({ ...current, [field]: undefined }));
    start.reset();
  };

  return (
    <GateLayout
      phase={text.phase}
      step={mode === 'setup' ? 'admin_setup' : 'admin_recovery'}
      title={text.title}
      description={text.description}
      header={mode === 'setup' ? <SetupProgress current="admin" /> : undefined}
      width={mode === 'setup' ? SETUP_CARD_WIDTH : 500}
    >
      {notice && (
        <Alert color="yellow" variant="light" data-testid="admin-setup-notice">
          {notice}
        </Alert>
      )}
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <TextInput
            label="User name"
            description={mode === 'setup' ? 'Letters, digits and . _ @ -; used to sign in.' : undefined}
            value={username}
            onChange={(event) => {
              setUsername(event.currentTarget.value.trim());
              edit('username');
            }}
            error={errors.username}
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            required
            autoFocus
            data-testid="admin-username-input"
          />
          {mode === 'setup' && (
            <TextInput
              label="Display name"
              description="Optional; shown in the header and the audit trail."
              value={displayName}
              onChange={(event) => {
                setDisplayName(event.currentTarget.value);
                edit('displayName');
              }}
              error={errors.displayName}
              autoComplete="name"
              maxLength={128}
              data-testid="admin-display-name-input"
            />
          )}
          <NewSecretFields
            label={mode === 'setup' ? 'Password' : 'New password'}
            description="At least 12 characters, not your user name; common passwords are refused."
            confirmationLabel="Type the password again"
            value={password}
            confirmation={confirmation}
            onValueChange={(value) => {
              setPassword(value);
              edit('password');
            }}
            onConfirmationChange={(value) => {
              setConfirmation(value);
              edit('confirmation');
            }}
            error={errors.password}
            confirmationError={errors.confirmation}
            valueTestId="admin-password-input"
            confirmationTestId="admin-password-confirm-input"
          />
          {isAskingToken ? (
            <SetupTokenInput
              value={setupToken}
              onChange={(token) => {
                onSetupToken(token);
                edit('token');
              }}
              error={errors.token}
            />
          ) : (
            <Group gap={6} wrap="nowrap" data-testid="setup-token-kept">
              <IconCircleCheck size={18} color="var(--mantine-color-teal-6)" />
              <Text size="sm" c="dimmed">
                Using the setup token from the previous step.{' '}
                <Anchor component="button" type="button" size="sm" onClick={() => setIsAskingToken(true)}>
                  Change
                </Anchor>
              </Text>
            </Group>
          )}
          {start.isError && !isOnAField(errors) && <ApiErrorAlert error={start.error} />}
          <Button
            type="submit"
            loading={start.isPending}
            fullWidth
            data-testid={mode === 'setup' ? 'admin-setup-submit' : 'admin-recover-submit'}
          >
            {text.submit}
          </Button>
        </Stack>
      </form>
    </GateLayout>
  );
}
