// Full-screen frame for everything before the app shell: the bootstrap gate, sign-in, a forced
// password change. `data-phase` names the engine phase (or step) so tests and people can tell them apart.
import { Box, Center, Group, Image, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { ColorSchemeToggle } from '../../shared/ColorSchemeToggle';

export interface GateLayoutProps {
  /** The engine's gate phase this screen answers (`aegis_setup_required`, `login_required`, …). */
  readonly phase: string;
  /** Which screen within the phase (`totp_enrolment`, `recovery_codes`, …). */
  readonly step: string;
  readonly title: string;
  readonly description?: ReactNode;
  /** Above the card, e.g. first-run progress. */
  readonly header?: ReactNode;
  readonly children: ReactNode;
  /** Card width; wider for the TOTP and recovery-code screens. */
  readonly width?: number;
}

export function GateLayout({ phase, step, title, description, header, children, width = 460 }: GateLayoutProps) {
  return (
    <Box mih="100dvh" bg="var(--mantine-color-body)" data-testid="gate-screen" data-phase={phase} data-step={step}>
      <Group justify="space-between" px="lg" py="md">
        <Group gap="sm" wrap="nowrap">
          <Image src="/favicon.svg" alt="" w={28} h={28} />
          <Title order={1} size="h3" fw={650} data-testid="product-name">
            Borealis
          </Title>
          <Text size="sm" c="dimmed">
            Engine
          </Text>
        </Group>
        <ColorSchemeToggle />
      </Group>
      <Center px="md" pb="xl" pt={{ base: 'md', sm: 40 }}>
        <Stack gap="lg" w="100%" maw={width}>
          {header}
          <Paper withBorder shadow="sm" radius="lg" p={{ base: 'lg', sm: 'xl' }}>
            <Stack gap="lg">
              <div>
                <Title order={2} size="h3" mb={description ? 6 : 0} data-testid="gate-title">
                  {title}
                </Title>
                {description && (
                  <Text size="sm" c="dimmed" component="div">
                    {description}
                  </Text>
                )}
              </div>
              {children}
            </Stack>
          </Paper>
        </Stack>
      </Center>
    </Box>
  );
}
