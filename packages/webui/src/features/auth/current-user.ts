// The signed-in operator for everything inside the app shell (set by SessionGate once /me answered).
import type { Me } from '@borealis/protocol';
import { createContext, useContext } from 'react';

export const CurrentUserContext = createContext<Me | null>(null);

export function useCurrentUser(): Me {
  const me = useContext(CurrentUserContext);
  if (!me) throw new Error('useCurrentUser() is only available inside the signed-in app');
  return me;
}

/** What the header and greetings call the operator. */
export function nameOf(me: Pick<Me, 'display_name' | 'username'>): string {
  return me.display_name?.trim() || me.username;
}
