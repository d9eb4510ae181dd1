// The typed confirmation of destructive actions (delete a user, retire a device, force reset):
// the operator types the exact name or phrase shown, which a stray click or Enter cannot do.
import { Code, TextInput } from '@mantine/core';

export interface TypeToConfirmInputProps {
  /** What must be typed, shown in the label. */
  readonly expected: string;
  readonly value: string;
  /** Called with the new text; callers clear a stale error of their mutation here. */
  readonly onChange: (value: string) => void;
  readonly error?: string | null;
  readonly isAutoFocused?: boolean;
  readonly testId: string;
}

export function TypeToConfirmInput({ expected, value, onChange, error, isAutoFocused = true, testId }: TypeToConfirmInputProps) {
  return (
    <TextInput
      label={
        <>
          Type <Code>{expected}</Code> to confirm
        </>
      }
      value={value}
      onChange={(event) => onChange(event.currentTarget.value)}
      error={error ?? undefined}
      autoComplete="off"
      data-autofocus={isAutoFocused ? true : undefined}
      data-testid={testId}
    />
  );
}
