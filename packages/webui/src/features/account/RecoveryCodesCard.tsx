// Recovery codes: how many are left, and a new set (the old ones stop working), shown once.
import { Badge, Button, Card, Group, Modal, Text, Title } from '@mantine/core';
import { IconLifebuoy } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmDialog } from '../../shared/ConfirmDialog';
import { regenerateRecoveryCodes } from '../auth/auth-api';
import { ME_KEY } from '../auth/auth-queries';
import { useCurrentUser } from '../auth/current-user';
import { RecoveryCodesPanel } from '../auth/RecoveryCodesPanel';
import { useStepUp } from '../auth/step-up';

const FEW_LEFT = 3;

export function RecoveryCodesCard() {
  const me = useCurrentUser();
  const queryClient = useQueryClient();
  const stepUp = useStepUp();
  const [isConfirming, setIsConfirming] = useState(false);
  const [codes, setCodes] = useState<string[] | null>(null);
  const left = me.mfa.recovery_codes_left;

  const regenerate = useMutation({
    mutationFn: () => stepUp(regenerateRecoveryCodes),
    onSuccess: ({ recovery_codes }) => {
      setIsConfirming(false);
      setCodes(recovery_codes);
      void queryClient.invalidateQueries({ queryKey: ME_KEY });
    },
  });

  return (
    <Card withBorder padding="lg">
      <Group justify="space-between" mb="xs" wrap="nowrap">
        <Group gap="xs">
          <IconLifebuoy size={20} stroke={1.6} />
          <Title order={3} size="h4">
            Recovery codes
          </Title>
        </Group>
        {me.mfa.totp && (
          <Badge
            variant="light"
            tt="none"
            color={left === 0 ? 'red' : left <= FEW_LEFT ? 'orange' : 'gray'} data-testid="recovery-codes-left">
            {left} of 10 left
          </Badge>
        )}
      </Group>
      <Text size="sm" c="dimmed" mb="md">
        {!me.mfa.totp
          ? 'Recovery codes come with an authenticator app; pair one first.'
          : left <= FEW_LEFT
            ? 'You are running out of codes. Make a new set and store it safely; the remaining old ones stop working.'
            : 'Each code replaces an authenticator code once, if your phone is lost. Making a new set cancels the old one.'}
      </Text>
      <Group>
        <Button
          variant="default"
          disabled={!me.mfa.totp}
          onClick={() => setIsConfirming(true)}
          data-testid="recovery-codes-regenerate"
        >
          Make new codes
        </Button>
      </Group>

      <ConfirmDialog
        opened={isConfirming}
        title="Make new recovery codes?"
        confirmLabel="Make new codes"
        onConfirm={() => regenerate.mutate()}
        onCancel={() => {
          setIsConfirming(false);
          regenerate.reset();
        }}
        isPending={regenerate.isPending}
        error={regenerate.error}
        testId="recovery-codes-dialog"
      >
        <Text size="sm">
          Your current codes ({left} left) stop working at once. The ten new ones are shown only once.
        </Text>
      </ConfirmDialog>

      <Modal
        opened={codes !== null}
        onClose={() => setCodes(null)}
        title="Your new recovery codes"
        centered
        size="md"
        closeOnClickOutside={false}
        closeOnEscape={false}
        withCloseButton={false}
      >
        {codes && <RecoveryCodesPanel codes={codes} onDone={() => setCodes(null)} doneLabel="Done" />}
      </Modal>
    </Card>
  );
}
