// A site's enrolment code: masked until revealed, with a copy button that works either way; "—"
// when the engine withholds it (no enrolment permission, or lost in an Aegis force reset).
import { ActionIcon, CopyButton, Group, Text, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy, IconEye, IconEyeOff } from '@tabler/icons-react';

const MASK = '••••-••••-••••-••••';

export interface EnrollmentCodeProps {
  readonly code: string | null;
  readonly isRevealed: boolean;
  readonly onToggle: () => void;
  /** Why there is no code to show, for the "—" tooltip. */
  readonly missingHint: string;
}

export function EnrollmentCode({ code, isRevealed, onToggle, missingHint }: EnrollmentCodeProps) {
  if (code === null) {
    return (
      <Tooltip label={missingHint} withArrow multiline maw={300}>
        <Text size="sm" c="dimmed" data-testid="site-code">
          —
        </Text>
      </Tooltip>
    );
  }
  return (
    <Group gap={4} wrap="nowrap">
      <Text size="sm" ff="monospace" data-testid="site-code" data-revealed={isRevealed || undefined} miw={isRevealed ? undefined : 150}>
        {isRevealed ? code : MASK}
      </Text>
      <Tooltip label={isRevealed ? 'Hide code' : 'Show code'} withArrow>
        <ActionIcon
          variant="subtle"
          color="gray"
          size="sm"
          onClick={onToggle}
          aria-label={isRevealed ? 'Hide enrolment code' : 'Show enrolment code'}
          data-testid="site-code-toggle"
        >
          {isRevealed ? <IconEyeOff size={16} /> : <IconEye size={16} />}
        </ActionIcon>
      </Tooltip>
      <CopyButton value={code} timeout={1500}>
        {({ copied, copy }) => (
          <Tooltip label={copied ? 'Copied' : 'Copy code'} withArrow>
            <ActionIcon
              variant="subtle"
              color={copied ? 'teal' : 'gray'}
              size="sm"
              onClick={copy}
              aria-label="Copy enrolment code"
              data-testid="site-code-copy"
            >
              {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
            </ActionIcon>
          </Tooltip>
        )}
      </CopyButton>
    </Group>
  );
}
