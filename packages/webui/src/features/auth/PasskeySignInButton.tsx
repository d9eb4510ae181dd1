// "Sign in with a passkey": runs the browser's passkey prompt and the engine's check, alone on the
// password step or behind the sign-in ticket as the second factor. Closing the prompt shows nothing.
import { Button, Stack } from '@mantine/core';
import type { SignedIn } from '@borealis/protocol';
import { IconKey } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { ApiErrorAlert } from '../../shared/ApiErrorAlert';
import { isApiError } from '../../shared/api-client';
import { signInWithPasskey } from './passkey-ceremony';

const REFUSED = 'The engine did not accept that passkey. It may have been removed from your account; sign in with your password instead.';

export interface PasskeySignInButtonProps {
  readonly label: string;
  readonly testId: string;
  readonly onSignedIn: (result: SignedIn) => void;
  /** The `mfa` ticket when the password was already checked. */
  readonly pendingToken?: string;
  readonly onError?: (error: Error) => void;
}

export function PasskeySignInButton({ label, testId, onSignedIn, pendingToken, onError }: PasskeySignInButtonProps) {
  const signIn = useMutation({
    mutationFn: () => signInWithPasskey(pendingToken),
    onSuccess: onSignedIn,
    onError,
  });
  const error = isApiError(signIn.error, 'passkey_invalid') ? new Error(REFUSED) : signIn.error;
  return (
    <Stack gap="sm">
      <Button
        variant="default"
        fullWidth
        leftSection={<IconKey size={16} stroke={1.8} />}
        loading={signIn.isPending}
        onClick={() => signIn.mutate()}
        data-testid={testId}
      >
        {label}
      </Button>
      <ApiErrorAlert error={error} testId={`${testId}-error`} />
    </Stack>
  );
}
