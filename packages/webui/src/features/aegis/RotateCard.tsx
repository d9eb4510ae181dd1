// Change the Aegis passphrase and/or rotate the data key (security.md §3.6). A passphrase change
// alone answers 200; a key rotation answers 202 and runs in the background, shown on the status card.
import { Alert, Button, Card, Checkbox, Group, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { IconCircleCheck, IconKey } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiErrorAlert } from '../../shared/ApiErrorAlert';
import { fieldErrorsOf, isOnAField } from '../../shared/form-errors';
import { checkNewSecret, NewSecretFields } from '../auth/NewSecretFields';
import { useStepUp } from '../auth/step-up';
import { rotateAegis } from './aegis-api';
import { AEGIS_STATUS_KEY } from './aegis-queries';

type Field = 'current' | 'next' | 'confirmation' | 'rotate';

export function RotateCard({ isRotationRunning }: { readonly isRotationRunning: boolean }) {
  const queryClient = useQueryClient();
  const stepUp = useStepUp();
  const [current, setCurrent] = useState('');
  const [isChangingPassphrase, setIsChangingPassphrase] = useState(false);
  const [next, setNext] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [isRotatingKey, setIsRotatingKey] = useState(true);
  const [localErrors, setLocalErrors] = useState<Partial<Record<Field, string>>>({});
  const [notice, setNotice] = useState<string | null>(null);

  const rotate = useMutation({
    mutationFn: (body: Parameters<typeof rotateAegis>[0]) => stepUp(() => rotateAegis(body)),
    onSuccess: (answer, body) => {
      setCurrent('');
      setNext('');
      setConfirmation('');
      setIsChangingPassphrase(false);
      const passphrase = body.new_cipher ? 'Passphrase changed: use the new one at the next unlock. ' : '';
      setNotice(
        answer.status === 'started'
          ? `${passphrase}Data-key rotation started: ${answer.rotation.total} values are re-encrypted in the background.`
          : passphrase.trim(),
      );
      void queryClient.invalidateQueries({ queryKey: AEGIS_STATUS_KEY });
    },
  });
  const serverErrors = fieldErrorsOf<Field>(
    rotate.error,
    { current_cipher: 'current', new_cipher: 'next', cipher: 'next', rotate_data_key: 'rotate' },
    { aegis_passphrase_invalid: 'current', aegis_passphrase_too_weak: 'next' },
  );
  const errorOf = (field: Field) => localErrors[field] ?? serverErrors[field];
  const edited = (field: Field) => {
    setLocalErrors((e) => ({ ...e, [field]: undefined }));
    setNotice(null);
    rotate.reset();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const secret = isChangingPassphrase ? checkNewSecret(next, confirmation, 'passphrase') : {};
    const found: Partial<Record<Field, string>> = {
      current: current ? undefined : 'Enter the current Aegis passphrase',
      next: secret.value ?? (isChangingPassphrase && next === current && next ? 'The new passphrase must differ' : undefined),
      confirmation: secret.confirmation,
      rotate: !isChangingPassphrase && !isRotatingKey ? 'Choose a new passphrase, a data-key rotation, or both' : undefined,
    };
    setLocalErrors(found);
    if (Object.values(found).some(Boolean)) return;
    rotate.mutate({
      current_cipher: current,
      ...(isChangingPassphrase ? { new_cipher: next } : {}),
      rotate_data_key: isRotatingKey,
    });
  };

  return (
    <Card withBorder padding="lg" data-testid="aegis-rotate">
      <Group gap="xs" mb="xs">
        <IconKey size={20} stroke={1.6} />
        <Title order={3} size="h4">
          Change passphrase or rotate the data key
        </Title>
      </Group>
      <Text size="sm" c="dimmed" mb="md">
        A new passphrase only rewraps the keys, at once. A data-key rotation re-encrypts every protected value in the
        background and survives restarts; the old key is destroyed when it is done.
      </Text>
      {notice && (
        <Alert
          color="teal"
          variant="light"
          icon={<IconCircleCheck />}
          mb="md"
          withCloseButton
          onClose={() => setNotice(null)}
          data-testid="aegis-rotate-notice"
        >
          {notice}
        </Alert>
      )}
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <PasswordInput
            label="Current passphrase"
            value={current}
            onChange={(event) => {
              setCurrent(event.currentTarget.value);
              edited('current');
            }}
            error={errorOf('current')}
            autoComplete="current-password"
            required
            data-testid="aegis-current-input"
          />
          <Checkbox
            label="Set a new passphrase"
            checked={isChangingPassphrase}
            onChange={(event) => {
              setIsChangingPassphrase(event.currentTarget.checked);
              edited('rotate');
            }}
            data-testid="aegis-change-passphrase"
          />
          {isChangingPassphrase && (
            <NewSecretFields
              label="New passphrase"
              description="At least 12 characters. Keep it somewhere safe: without it a restarted engine stays locked."
              confirmationLabel="Type the new passphrase again"
              value={next}
              confirmation={confirmation}
              onValueChange={(value) => {
                setNext(value);
                edited('next');
              }}
              onConfirmationChange={(value) => {
                setConfirmation(value);
                edited('confirmation');
              }}
              error={errorOf('next')}
              confirmationError={errorOf('confirmation')}
              valueTestId="aegis-new-input"
              confirmationTestId="aegis-confirm-input"
            />
          )}
          <Checkbox
            label="Rotate the data key"
            description="Recommended after a suspected leak of the database or its backups."
            checked={isRotatingKey}
            onChange={(event) => {
              setIsRotatingKey(event.currentTarget.checked);
              edited('rotate');
            }}
            error={errorOf('rotate')}
            data-testid="aegis-rotate-key"
          />
          {rotate.isError && !isOnAField(serverErrors) && <ApiErrorAlert error={rotate.error} />}
          <Group justify="flex-end">
            <Button
              type="submit"
              loading={rotate.isPending}
              disabled={isRotationRunning && isRotatingKey}
              data-testid="aegis-rotate-submit"
            >
              {isRotationRunning && isRotatingKey ? 'A rotation is running' : 'Apply'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
