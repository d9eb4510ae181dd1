// A red alert with the engine's own message for an error no form field claims; hidden for errors
// that are not failures (a cancelled second-factor check).
import { Alert } from '@mantine/core';
import { IconAlertCircle } from '@tabler/icons-react';
import { CancelledError } from './cancelled-error';

export interface ApiErrorAlertProps {
  readonly error: unknown;
  readonly title?: string;
  readonly testId?: string;
}

export function ApiErrorAlert({ error, title, testId = 'api-error' }: ApiErrorAlertProps) {
  if (error === null || error === undefined || isQuiet(error)) return null;
  const message = error instanceof Error ? error.message : 'Something went wrong.';
  return (
    <Alert color="red" variant="light" icon={<IconAlertCircle />} title={title} data-testid={testId}>
      {message}
    </Alert>
  );
}

/** Errors that need no alert: the person closed the dialog themselves. */
function isQuiet(error: unknown): boolean {
  return error instanceof CancelledError;
}
