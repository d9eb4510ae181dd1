// A label/value grid for the device tabs: dimmed labels, values that can be copied, a dash for gaps.
import { SimpleGrid, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';

export interface Fact {
  readonly label: string;
  readonly value: ReactNode;
  readonly mono?: boolean;
  readonly testId?: string;
}

export function Facts({ facts, cols = 3 }: { readonly facts: readonly Fact[]; readonly cols?: number }) {
  return (
    <SimpleGrid cols={{ base: 1, sm: 2, lg: cols }} spacing="md" verticalSpacing="sm">
      {facts.map((fact) => (
        <Stack key={fact.label} gap={0} miw={0}>
          <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
            {fact.label}
          </Text>
          <Text size="sm" ff={fact.mono ? 'monospace' : undefined} style={{ overflowWrap: 'anywhere' }} data-testid={fact.testId}>
            {fact.value === null || fact.value === undefined || fact.value === '' ? '—' : fact.value}
          </Text>
        </Stack>
      ))}
    </SimpleGrid>
  );
}
