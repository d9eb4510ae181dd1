// TOTP enrolment: the QR code to scan, the same secret as text for typing in, and the first code
// that proves the authenticator works. Used by first-run setup, sign-in and Account security.
import { ActionIcon, Anchor, Box, Button, CopyButton, Group, Image, SimpleGrid, Stack, Text, TextInput, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import { type FormEvent, type ReactNode, useState } from 'react';
import { ApiErrorAlert } from '../../shared/ApiErrorAlert';
import { isApiError } from '../../shared/api-client';

export interface TotpEnrolment {
  readonly secret: string;
  readonly otpauth_url: string;
  readonly qr_png_data_url: string;
}

export interface TotpEnrolmentFormProps {
  readonly enrolment: TotpEnrolment;
  readonly onConfirm: (code: string) => void;
  readonly isPending: boolean;
  readonly error: unknown;
  readonly submitLabel?: string;
  /** Shown left of the submit button (e.g. "Back"). */
  readonly secondaryAction?: ReactNode;
  /** Called on every edit, so the parent can clear a stale engine error. */
  readonly onEdit?: () => void;
}

export function TotpEnrolmentForm({
  enrolment,
  onConfirm,
  isPending,
  error,
  submitLabel = 'Verify and continue',
  secondaryAction,
  onEdit,
}: TotpEnrolmentFormProps) {
  const [code, setCode] = useState('');
  const [localError, setLocalError] = useState<string | undefined>();
  const codeError = localError ?? (isApiError(error, 'mfa_code_invalid') ? error.message : undefined);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const digits = code.replace(/\s+/g, '');
    if (!/^\d{6}$/.test(digits)) {
      setLocalError('Enter the 6-digit code your authenticator app shows now');
      return;
    }
    onConfirm(digits);
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="lg">
        <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="lg" verticalSpacing="md">
          <Box
            p="sm"
            bg="white"
            bdrs="md"
            style={{ alignSelf: 'start', border: '1px solid var(--mantine-color-default-border)' }}
            w="fit-content"
            mx={{ base: 'auto', xs: 0 }}
          >
            <Image
              src={enrolment.qr_png_data_url}
              alt="QR code to add this account to an authenticator app"
              w={180}
              h={180}
              fit="contain"
              data-testid="totp-qr"
            />
          </Box>
          <Stack gap="xs">
            <Text size="sm" fw={600}>
              1. Scan the QR code
            </Text>
            <Text size="sm" c="dimmed">
              Use an authenticator app on your phone, such as Aegis, FreeOTP, Google Authenticator or 1Password.
            </Text>
            <Text size="sm" fw={600} mt="xs">
              Cannot scan? Enter this key
            </Text>
            <Group gap={4} wrap="nowrap" align="center">
              <Text
                ff="monospace"
                size="sm"
                fw={600}
                style={{ letterSpacing: '0.05em', wordSpacing: '0.2em' }}
                data-testid="totp-secret"
                aria-label="Secret key"
              >
                {groupInFours(enrolment.secret)}
              </Text>
              <CopyButton value={enrolment.secret} timeout={2_000}>
                {({ copied, copy }) => (
                  <Tooltip label={copied ? 'Copied' : 'Copy key'} withArrow>
                    <ActionIcon
                      variant="subtle"
                      color={copied ? 'teal' : 'gray'}
                      onClick={copy}
                      aria-label="Copy key"
                      data-testid="totp-secret-copy"
                    >
                      {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                    </ActionIcon>
                  </Tooltip>
                )}
              </CopyButton>
            </Group>
            <Anchor href={enrolment.otpauth_url} size="xs" c="dimmed">
              Open in an authenticator app on this device
            </Anchor>
          </Stack>
        </SimpleGrid>

        <TextInput
          label="2. Enter the 6-digit code the app shows"
          placeholder="123456"
          value={code}
          onChange={(event) => {
            setCode(event.currentTarget.value);
            setLocalError(undefined);
            onEdit?.();
          }}
          error={codeError}
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={7}
          required
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', letterSpacing: '0.3em' } }}
          data-testid="totp-code-input"
        />
        {!isApiError(error, 'mfa_code_invalid') && <ApiErrorAlert error={error} />}
        <Group justify={secondaryAction ? 'space-between' : 'flex-end'}>
          {secondaryAction}
          <Button type="submit" loading={isPending} data-testid="totp-submit">
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Base32 keys are easier to type in groups: ABCD EFGH … (the copy button copies them without spaces). */
function groupInFours(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}
