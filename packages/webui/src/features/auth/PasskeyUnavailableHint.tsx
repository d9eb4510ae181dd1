// Why this page offers no passkeys, and where they do work: an IP address is not a valid RP ID, so a
// loopback engine is reached at localhost; a browser without WebAuthn offers none at all.
import { Alert, Anchor, Text } from '@mantine/core';
import { IconInfoCircle } from '@tabler/icons-react';
import type { PasskeyAvailability } from './passkey-availability';

export function PasskeyUnavailableHint({ availability }: { readonly availability: PasskeyAvailability }) {
  if (availability.kind === 'available') return null;
  return (
    <Alert color="blue" variant="light" icon={<IconInfoCircle />} data-testid="passkey-host-hint">
      {availability.kind === 'unsupported' ? (
        <Text size="sm">
          This browser offers no passkeys here. They need a current browser and an https:// address (or localhost).
        </Text>
      ) : availability.url ? (
        <Text size="sm">
          Passkeys need the engine’s host name, not an IP address. Open{' '}
          <Anchor href={availability.url} size="sm" data-testid="passkey-host-link">
            {availability.url}
          </Anchor>{' '}
          and sign in there to use them.
        </Text>
      ) : (
        <Text size="sm">
          Passkeys need the engine’s host name, not an IP address. Open the WebUI at the engine’s public URL to use them.
        </Text>
      )}
    </Alert>
  );
}
