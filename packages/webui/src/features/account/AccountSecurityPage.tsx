// /account/security: my password, authenticator, recovery codes, passkeys and sessions.
import { Alert, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { IconCircleCheck, IconPassword } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { SESSIONS_KEY } from '../auth/auth-queries';
import { nameOf, useCurrentUser } from '../auth/current-user';
import { PasskeysCard } from './PasskeysCard';
import { PasswordChangeForm } from './PasswordChangeForm';
import { RecoveryCodesCard } from './RecoveryCodesCard';
import { SessionsCard } from './SessionsCard';
import { TotpCard } from './TotpCard';

export function AccountSecurityPage() {
  const me = useCurrentUser();
  return (
    <Stack gap="lg" maw={1100} data-testid="account-security-page">
      <div>
        <Title order={2}>Account security</Title>
        <Text size="sm" c="dimmed">
          How {nameOf(me) === me.username ? me.username : `${nameOf(me)} (${me.username})`} signs in, and where that
          account is signed in now.
        </Text>
      </div>
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        {me.auth_source === 'local' ? <PasswordCard /> : <DirectoryPasswordCard />}
        <Stack gap="lg">
          <TotpCard />
          <RecoveryCodesCard />
        </Stack>
      </SimpleGrid>
      {me.auth_source === 'local' && <PasskeysCard />}
      <SessionsCard />
    </Stack>
  );
}

function PasswordCard() {
  const queryClient = useQueryClient();
  const [isChanged, setIsChanged] = useState(false);
  return (
    <Card withBorder padding="lg">
      <CardTitle />
      <Text size="sm" c="dimmed" mb="md">
        Changing it signs out every other session of this account.
      </Text>
      {isChanged && (
        <Alert
          color="green"
          variant="light"
          icon={<IconCircleCheck />}
          mb="md"
          withCloseButton
          onClose={() => setIsChanged(false)}
          data-testid="password-changed"
        >
          Password changed. Your other sessions were signed out.
        </Alert>
      )}
      <PasswordChangeForm
        onChanged={() => {
          setIsChanged(true);
          void queryClient.invalidateQueries({ queryKey: SESSIONS_KEY });
        }}
      />
    </Card>
  );
}

function DirectoryPasswordCard() {
  return (
    <Card withBorder padding="lg">
      <CardTitle />
      <Text size="sm" c="dimmed">
        This account signs in through a directory service; change the password there.
      </Text>
    </Card>
  );
}

function CardTitle() {
  return (
    <Group gap="xs" mb="xs">
      <IconPassword size={20} stroke={1.6} />
      <Title order={3} size="h4">
        Password
      </Title>
    </Group>
  );
}
