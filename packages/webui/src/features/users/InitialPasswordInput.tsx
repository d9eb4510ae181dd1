// A password an admin sets for someone else: typed or generated, visible on demand, with a copy
// button so it can be handed over. The user is made to change it at their next sign-in.
import { Button, CopyButton, Group, PasswordInput, Stack } from '@mantine/core';
import { IconCheck, IconCopy, IconDice5 } from '@tabler/icons-react';
import { useState } from 'react';

const GENERATED_BYTES = 15;

export interface InitialPasswordInputProps {
  readonly label: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly error?: string;
  readonly testId: string;
}

export function InitialPasswordInput({ label, value, onChange, error, testId }: InitialPasswordInputProps) {
  const [isVisible, setIsVisible] = useState(false);
  return (
    <Stack gap={6}>
      <PasswordInput
        label={label}
        description="At least 12 characters; common passwords and the user name are refused."
        value={value}
        onChange={(event) => onChange(event.currentTarget.value)}
        visible={isVisible}
        onVisibilityChange={setIsVisible}
        error={error}
        autoComplete="new-password"
        required
        data-testid={testId}
      />
      <Group gap="xs">
        <Button
          size="compact-xs"
          variant="subtle"
          leftSection={<IconDice5 size={14} />}
          onClick={() => {
            onChange(generatePassword());
            setIsVisible(true);
          }}
          data-testid={`${testId}-generate`}
        >
          Generate
        </Button>
        <CopyButton value={value} timeout={1500}>
          {({ copied, copy }) => (
            <Button
              size="compact-xs"
              variant="subtle"
              color={copied ? 'teal' : 'gray'}
              leftSection={copied ? <IconCheck size={14} /> : <IconCopy size={14} />}
              onClick={copy}
              disabled={!value}
            >
              {copied ? 'Copied' : 'Copy'}
            </Button>
          )}
        </CopyButton>
      </Group>
    </Stack>
  );
}

/** 20 characters of base64url from the browser's CSPRNG (120 bits). */
function generatePassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(GENERATED_BYTES));
  return btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_');
}
