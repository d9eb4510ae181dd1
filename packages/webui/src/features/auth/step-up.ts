// Step-up for sensitive actions (security.md §5.4): `useStepUp()` runs a request and, when the engine
// answers 401 mfa_required, asks for a second factor and runs the request once more.
import { createContext, useContext } from 'react';

export type StepUpRunner = <T>(request: () => Promise<T>) => Promise<T>;

export const StepUpContext = createContext<StepUpRunner | null>(null);

export function useStepUp(): StepUpRunner {
  const run = useContext(StepUpContext);
  if (!run) throw new Error('useStepUp() needs a StepUpProvider');
  return run;
}
