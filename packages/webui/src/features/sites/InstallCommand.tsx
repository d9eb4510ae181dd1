// A site's one-line Linux install command (it embeds the enrolment code): a copy button always,
// the full text once the code is revealed.
import { ActionIcon, Code, CopyButton, Group, Tooltip } from '@mantine/core';
import { IconCheck, IconTerminal2 } from '@tabler/icons-react';

export interface InstallCommandProps {
  readonly command: string | null | undefined;
  readonly isRevealed: boolean;
}

export function InstallCommand({ command, isRevealed }: InstallCommandProps) {
  if (!command) return null;
  return (
    <Group gap={4} wrap="nowrap" align="flex-start" mt={4}>
      <CopyButton value={command} timeout={1500}>
        {({ copied, copy }) => (
          <Tooltip label={copied ? 'Copied' : 'Copy the Linux install command'} withArrow>
            <ActionIcon
              variant="subtle"
              color={copied ? 'teal' : 'gray'}
              size="sm"
              onClick={copy}
              aria-label="Copy install command"
              data-testid="site-install-copy"
            >
              {copied ? <IconCheck size={16} /> : <IconTerminal2 size={16} />}
            </ActionIcon>
          </Tooltip>
        )}
      </CopyButton>
      {isRevealed && (
        <Code block maw={520} style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all', fontSize: 11 }} data-testid="site-install-command">
          {command}
        </Code>
      )}
    </Group>
  );
}
