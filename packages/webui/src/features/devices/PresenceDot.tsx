// The live presence of a device as a coloured dot with a label for screen readers and a tooltip.
import type { Presence } from '@borealis/protocol';
import { Box, Tooltip } from '@mantine/core';

export function PresenceDot({ presence, size = 10 }: { readonly presence: Presence; readonly size?: number }) {
  const isOnline = presence === 'online';
  return (
    <Tooltip label={isOnline ? 'Online: connected now' : 'Offline'} withArrow>
      <Box
        component="span"
        role="img"
        aria-label={isOnline ? 'Online' : 'Offline'}
        data-testid="device-presence"
        data-presence={presence}
        style={{
          display: 'inline-block',
          width: size,
          height: size,
          borderRadius: '50%',
          flex: 'none',
          background: isOnline ? 'var(--mantine-color-teal-6)' : 'var(--mantine-color-gray-5)',
          boxShadow: isOnline ? '0 0 0 3px var(--mantine-color-teal-light)' : undefined,
        }}
      />
    </Tooltip>
  );
}
