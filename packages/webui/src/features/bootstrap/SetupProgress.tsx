// First-run progress above the gate card: Aegis → administrator → authenticator → recovery codes.
// A stepper on wide screens; a one-line "Step 2 of 4" on phones, where four labels do not fit.
import { Stepper, Text } from '@mantine/core';

export type SetupStep = 'aegis' | 'admin' | 'totp' | 'recovery';

/** Card width of the first-run screens, so the stepper above lines up with the card. */
export const SETUP_CARD_WIDTH = 580;

const STEPS: readonly { readonly key: SetupStep; readonly label: string }[] = [
  { key: 'aegis', label: 'Aegis' },
  { key: 'admin', label: 'Administrator' },
  { key: 'totp', label: 'Authenticator' },
  { key: 'recovery', label: 'Recovery codes' },
];

export function SetupProgress({ current }: { readonly current: SetupStep }) {
  const active = STEPS.findIndex((step) => step.key === current);
  return (
    <div data-testid="setup-progress">
      <Stepper active={active} size="xs" wrap={false} allowNextStepsSelect={false} visibleFrom="sm">
        {STEPS.map((step) => (
          <Stepper.Step key={step.key} label={step.label} />
        ))}
      </Stepper>
      <Text size="sm" c="dimmed" fw={500} hiddenFrom="sm">
        First-run setup · step {active + 1} of {STEPS.length}: {STEPS[active]?.label}
      </Text>
    </div>
  );
}
