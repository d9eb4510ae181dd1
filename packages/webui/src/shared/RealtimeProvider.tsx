// Opens the /operator connection for the signed-in app and closes it when the operator signs out.
import { type ReactNode, useEffect, useState } from 'react';
import { createRealtimeClient, type RealtimeClient } from './realtime';
import { RealtimeContext } from './use-realtime';

export function RealtimeProvider({ children }: { readonly children: ReactNode }) {
  const [client, setClient] = useState<RealtimeClient | null>(null);
  useEffect(() => {
    // Created in an effect, not during render, so React's double-invoked effects in development
    // close the first connection instead of leaking it.
    const created = createRealtimeClient();
    setClient(created);
    return () => {
      created.close();
      setClient(null);
    };
  }, []);
  return <RealtimeContext.Provider value={client}>{children}</RealtimeContext.Provider>;
}
