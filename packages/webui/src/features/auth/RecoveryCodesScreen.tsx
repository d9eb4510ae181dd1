// Full-screen stop after a sign-in that created recovery codes (first admin, first TOTP): the codes
// are shown once, and the app opens only after "I have saved them".
import { GateLayout } from './GateLayout';
import { RecoveryCodesPanel } from './RecoveryCodesPanel';
import { SETUP_CARD_WIDTH, SetupProgress } from '../bootstrap/SetupProgress';

export interface RecoveryCodesScreenProps {
  readonly codes: readonly string[];
  /** The gate phase the flow started in, for data-phase. */
  readonly phase: string;
  readonly isFirstRun: boolean;
  readonly onDone: () => void;
}

export function RecoveryCodesScreen({ codes, phase, isFirstRun, onDone }: RecoveryCodesScreenProps) {
  return (
    <GateLayout
      phase={phase}
      step="recovery_codes"
      title="Save your recovery codes"
      description="If your phone is lost or reset, a recovery code replaces the authenticator code once."
      header={isFirstRun ? <SetupProgress current="recovery" /> : undefined}
      width={isFirstRun ? SETUP_CARD_WIDTH : 520}
    >
      <RecoveryCodesPanel codes={codes} onDone={onDone} doneLabel="Continue to Borealis" />
    </GateLayout>
  );
}
