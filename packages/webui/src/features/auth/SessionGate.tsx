// The auth-aware root: asks the engine for its gate phase and shows the full-screen screen that phase
// needs (Aegis setup, first admin, unlock, sign-in, password change); only a signed-in operator gets
// the app. The URL is left alone throughout, so the operator lands where they wanted to go.
import { Button, Center, Loader, Stack, Text } from '@mantine/core';
import type { SignedIn } from '@borealis/protocol';
import { IconRefresh } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Outlet } from 'react-router';
import { isApiError } from '../../shared/api-client';
import { PasswordChangeRequiredScreen } from '../account/PasswordChangeRequiredScreen';
import { AdminSetupScreen } from '../bootstrap/AdminSetupScreen';
import { AegisSetupScreen } from '../bootstrap/AegisSetupScreen';
import { UnlockScreen } from '../bootstrap/UnlockScreen';
import { BOOTSTRAP_STATE_KEY, isGateOpen, ME_KEY, useBootstrapState, useMe } from './auth-queries';
import { CurrentUserContext } from './current-user';
import { GateLayout } from './GateLayout';
import { RecoveryCodesScreen } from './RecoveryCodesScreen';
import { SignInScreen } from './SignInScreen';
import { StepUpProvider } from './StepUpProvider';

interface FreshCodes {
  readonly codes: readonly string[];
  readonly phase: string;
  readonly isFirstRun: boolean;
}

export function SessionGate() {
  const queryClient = useQueryClient();
  const state = useBootstrapState();
  const phase = state.data?.phase;
  const me = useMe(phase !== undefined && isGateOpen(phase));
  // Kept across the first-run steps (Aegis, then admin) so the token is typed once; lost on reload.
  const [setupToken, setSetupToken] = useState('');
  const [freshCodes, setFreshCodes] = useState<FreshCodes | null>(null);

  const signedIn = (flowPhase: string) => (result: SignedIn) => {
    queryClient.setQueryData(ME_KEY, result.user);
    if (result.recovery_codes && result.recovery_codes.length > 0) {
      setFreshCodes({ codes: result.recovery_codes, phase: flowPhase, isFirstRun: flowPhase === 'admin_setup_required' });
    }
    if (flowPhase !== 'login_required') setSetupToken('');
    void queryClient.invalidateQueries({ queryKey: BOOTSTRAP_STATE_KEY });
  };

  if (freshCodes) {
    return <RecoveryCodesScreen {...freshCodes} onDone={() => setFreshCodes(null)} />;
  }
  if (state.data === undefined) {
    return state.isError ? (
      <UnreachableScreen error={state.error} isRetrying={state.isFetching} onRetry={() => void state.refetch()} />
    ) : (
      <LoadingScreen />
    );
  }

  switch (state.data.phase) {
    case 'aegis_setup_required':
      return <AegisSetupScreen setupToken={setupToken} onSetupToken={setSetupToken} />;
    case 'admin_setup_required':
    case 'admin_recovery_required':
      return (
        <AdminSetupScreen
          key={state.data.phase}
          mode={state.data.phase === 'admin_setup_required' ? 'setup' : 'recover'}
          setupToken={setupToken}
          onSetupToken={setSetupToken}
          onSignedIn={signedIn(state.data.phase)}
        />
      );
    case 'aegis_unlock_required':
      return <UnlockScreen />;
    default:
      break;
  }

  if (me.data === undefined) {
    // A 423 here means the gate just closed; the phase is being re-read, so wait for it.
    return me.isError && !isApiError(me.error, 'bootstrap_required') ? (
      <UnreachableScreen error={me.error} isRetrying={me.isFetching} onRetry={() => void me.refetch()} />
    ) : (
      <LoadingScreen />
    );
  }
  if (me.data === null) return <SignInScreen onSignedIn={signedIn('login_required')} />;

  return (
    <CurrentUserContext.Provider value={me.data}>
      {me.data.password_change_required ? (
        <PasswordChangeRequiredScreen />
      ) : (
        <StepUpProvider>
          <Outlet />
        </StepUpProvider>
      )}
    </CurrentUserContext.Provider>
  );
}

function LoadingScreen() {
  return (
    <Center mih="100dvh" data-testid="app-loading" aria-busy>
      <Stack align="center" gap="sm">
        <Loader />
        <Text size="sm" c="dimmed">
          Connecting to the engine…
        </Text>
      </Stack>
    </Center>
  );
}

interface UnreachableScreenProps {
  readonly error: Error;
  readonly isRetrying: boolean;
  readonly onRetry: () => void;
}

function UnreachableScreen({ error, isRetrying, onRetry }: UnreachableScreenProps) {
  return (
    <GateLayout
      phase="unknown"
      step="unreachable"
      title="Cannot reach the engine"
      description="The WebUI could not ask the engine whether it is ready."
    >
      <Text size="sm" data-testid="gate-error">
        {error.message}
      </Text>
      <Button
        variant="light"
        leftSection={<IconRefresh size={16} />}
        loading={isRetrying}
        onClick={onRetry}
        data-testid="gate-retry"
      >
        Try again
      </Button>
    </GateLayout>
  );
}
