// The error of a user action: 409 last_admin gets its own title, since it is a rule to work with
// (make another admin first) rather than a failure; anything else is the engine's message, with the
// per-entry reasons of a 422 listed below it.
import { Alert, List } from '@mantine/core';
import { IconAlertCircle, IconShieldExclamation } from '@tabler/icons-react';
import { isApiError } from '../../shared/api-client';
import { ApiErrorAlert } from '../../shared/ApiErrorAlert';

export function UserActionError({ error }: { readonly error: unknown }) {
  if (isApiError(error, 'last_admin')) {
    return (
      <Alert
        color="orange"
        variant="light"
        icon={<IconShieldExclamation />}
        title="The last admin cannot be removed or demoted"
        data-testid="last-admin-error"
      >
        {error.message}
      </Alert>
    );
  }
  if (isApiError(error) && error.details.length > 0) {
    return (
      <Alert color="red" variant="light" icon={<IconAlertCircle />} title={error.message} data-testid="api-error">
        <List size="sm">
          {error.details.map((detail) => (
            <List.Item key={`${detail.path}:${detail.message}`}>{detail.message}</List.Item>
          ))}
        </List>
      </Alert>
    );
  }
  return <ApiErrorAlert error={error} />;
}
