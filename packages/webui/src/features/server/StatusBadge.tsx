// Green "Healthy" / red "Unavailable" badge for a health status from the engine.
import { Badge, type BadgeProps } from '@mantine/core';
import type { Health } from '@borealis/protocol';

export interface StatusBadgeProps extends Omit<BadgeProps, 'color' | 'children'> {
  readonly status: Health['status'];
  readonly testId: string;
}

export function StatusBadge({ status, testId, ...badgeProps }: StatusBadgeProps) {
  const isOk = status === 'ok';
  return (
    <Badge color={isOk ? 'green' : 'red'} variant="light" tt="none" data-testid={testId} {...badgeProps}>
      {isOk ? 'Healthy' : 'Unavailable'}
    </Badge>
  );
}
