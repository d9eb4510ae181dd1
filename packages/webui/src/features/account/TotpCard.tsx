// Authenticator app (TOTP): whether one is paired, pairing a (new) one, and removing it. Pairing
// replaces the recovery codes, so the new ones are shown once at the end.
import { Badge, Button, Card, Group, Modal, Text, Title } from '@mantine/core';
import { IconDeviceMobile } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiErrorAlert } from '../../shared/ApiErrorAlert';
import { ConfirmDialog } from '../../shared/ConfirmDialog';
import { confirmTotp, resetMfa, startTotpSetup } from '../auth/auth-api';
import { ME_KEY } from '../auth/auth-queries';
import { useCurrentUser } from '../auth/current-user';
import { RecoveryCodesPanel } from '../auth/RecoveryCodesPanel';
import { useStepUp } from '../auth/step-up';
import { type TotpEnrolment, TotpEnrolmentForm } from '../auth/TotpEnrolmentForm';

type Pairing = { readonly kind: 'scan'; readonly enrolment: TotpEnrolment } | { readonly kind: 'codes'; readonly codes: string[] };

export function TotpCard() {
  const me = useCurrentUser();
  const queryClient = useQueryClient();
  const stepUp = useStepUp();
  const [pairing, setPairing] = useState<Pairing | null>(null);
  const [isConfirmingRemoval, setIsConfirmingRemoval] = useState(false);
  const refreshMe = () => void queryClient.invalidateQueries({ queryKey: ME_KEY });

  const start = useMutation({
    mutationFn: () => stepUp(() => startTotpSetup()),
    onSuccess: (enrolment) => setPairing({ kind: 'scan', enrolment }),
  });
  const confirm = useMutation({
    mutationFn: (code: string) => confirmTotp(code),
    onSuccess: ({ recovery_codes }) => {
      setPairing({ kind: 'codes', codes: recovery_codes });
      refreshMe();
    },
  });
  const remove = useMutation({
    mutationFn: () => stepUp(resetMfa),
    onSuccess: () => {
      setIsConfirmingRemoval(false);
      refreshMe();
    },
  });

  const closePairing = () => {
    setPairing(null);
    confirm.reset();
  };

  return (
    <Card withBorder padding="lg">
      <Group justify="space-between" mb="xs" wrap="nowrap">
        <Group gap="xs">
          <IconDeviceMobile size={20} stroke={1.6} />
          <Title order={3} size="h4">
            Authenticator app
          </Title>
        </Group>
        <Badge variant="light" tt="none" color={me.mfa.totp ? 'green' : 'gray'} data-testid="totp-status">
          {me.mfa.totp ? 'On' : 'Off'}
        </Badge>
      </Group>
      <Text size="sm" c="dimmed" mb="md">
        {me.mfa.totp
          ? 'Every sign-in asks for a 6-digit code from the app on your phone. Pair a new phone here; the old one keeps working until the new one is confirmed.'
          : 'No authenticator is paired. Pair one so that a stolen password alone cannot open your account.'}
      </Text>
      <ApiErrorAlert error={start.error} />
      <Group gap="sm" mt={start.isError ? 'sm' : 0}>
        <Button
          variant={me.mfa.totp ? 'default' : 'filled'}
          onClick={() => start.mutate()}
          loading={start.isPending}
          data-testid="totp-setup"
        >
          {me.mfa.totp ? 'Pair a new phone' : 'Set up an authenticator'}
        </Button>
        {me.mfa.totp && (
          <Button variant="subtle" color="red" onClick={() => setIsConfirmingRemoval(true)} data-testid="totp-remove">
            Remove
          </Button>
        )}
      </Group>

      <Modal
        opened={pairing !== null}
        onClose={closePairing}
        title={pairing?.kind === 'codes' ? 'Save your new recovery codes' : 'Pair an authenticator app'}
        size="lg"
        centered
        closeOnClickOutside={false}
        withCloseButton={pairing?.kind !== 'codes'}
        closeOnEscape={pairing?.kind !== 'codes'}
        data-testid="totp-pairing-modal"
      >
        {pairing?.kind === 'scan' && (
          <TotpEnrolmentForm
            enrolment={pairing.enrolment}
            onConfirm={(code) => confirm.mutate(code)}
            isPending={confirm.isPending}
            error={confirm.error}
            onEdit={() => confirm.reset()}
            submitLabel="Verify and pair"
          />
        )}
        {pairing?.kind === 'codes' && (
          <RecoveryCodesPanel codes={pairing.codes} onDone={closePairing} doneLabel="Done" />
        )}
      </Modal>

      <ConfirmDialog
        opened={isConfirmingRemoval}
        title="Remove the authenticator?"
        confirmLabel="Remove authenticator"
        onConfirm={() => remove.mutate()}
        onCancel={() => {
          setIsConfirmingRemoval(false);
          remove.reset();
        }}
        isPending={remove.isPending}
        error={remove.error}
        testId="totp-remove-dialog"
      >
        <Text size="sm">
          Your recovery codes are deleted with it. Unless your account is exempt, the next sign-in asks you to pair an
          authenticator again before anything else.
        </Text>
      </ConfirmDialog>
    </Card>
  );
}
