// Ten fresh recovery codes, shown once: a copy button, and "I have saved them" before moving on.
import { Alert, Button, Checkbox, CopyButton, Group, Paper, SimpleGrid, Stack, Text } from '@mantine/core';
import { IconCheck, IconCopy, IconAlertTriangle } from '@tabler/icons-react';
import { useState } from 'react';

export interface RecoveryCodesPanelProps {
  readonly codes: readonly string[];
  readonly onDone: () => void;
  readonly doneLabel?: string;
}

export function RecoveryCodesPanel({ codes, onDone, doneLabel = 'Continue' }: RecoveryCodesPanelProps) {
  const [isSaved, setIsSaved] = useState(false);
  const asText = codes.join('\n');
  return (
    <Stack gap="md">
      <Alert color="yellow" variant="light" icon={<IconAlertTriangle />} title="Shown only this once">
        Each code signs you in once if you lose your authenticator. Keep them somewhere safe, such as a password
        manager. Borealis stores only fingerprints of them and cannot show them again.
      </Alert>
      <Paper withBorder p="md" radius="md" bg="var(--mantine-color-default-hover)">
        <SimpleGrid cols={2} spacing="xs" verticalSpacing={6} data-testid="recovery-codes" component="ol" m={0} p={0}>
          {codes.map((code) => (
            <Text
              key={code}
              component="li"
              ff="monospace"
              size="sm"
              fw={500}
              ta="center"
              style={{ listStyle: 'none', letterSpacing: '0.04em' }}
              data-testid="recovery-code"
            >
              {code}
            </Text>
          ))}
        </SimpleGrid>
      </Paper>
      <CopyButton value={asText} timeout={2_000}>
        {({ copied, copy }) => (
          <Button
            variant="default"
            leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
            onClick={copy}
            data-testid="recovery-codes-copy"
          >
            {copied ? 'Copied to the clipboard' : 'Copy all codes'}
          </Button>
        )}
      </CopyButton>
      <Checkbox
        label="I have saved these recovery codes somewhere safe"
        checked={isSaved}
        onChange={(event) => setIsSaved(event.currentTarget.checked)}
        data-testid="recovery-codes-saved"
      />
      <Group justify="flex-end">
        <Button onClick={onDone} disabled={!isSaved} data-testid="recovery-codes-continue">
          {doneLabel}
        </Button>
      </Group>
    </Stack>
  );
}
