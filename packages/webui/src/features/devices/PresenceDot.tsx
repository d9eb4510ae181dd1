// The live presence of a device as a coloured dot with a label for screen readers and a tooltip.
import type { Presence } from '@borealis/protocol';
import { Box, Tooltip } from '@mantine/core';

export interface PresenceDotProps {
  readonly presence: Presence;
  readonly size?: number;
  /** A native title instead of a Mantine tooltip, for long virtualised lists. */
  readonly isPlain?: boolean;
}

export function PresenceDot({ presence, size = 10, isPlain = false }: PresenceDotProps) {
  const isOnline = presence === 'online';
  const label = isOnline ? 'Online: connected now' : 'Offline';
  const dot = (
    <Box
      component="span"
      role="img"
      aria-label={isOnline ? 'Online' : 'Offline'}
      title={isPlain ? label : undefined}
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
  );
  if (isPlain) return dot;
  return (
    <Tooltip label={label} withArrow>
      {dot}
    </Tooltip>
  );
}
