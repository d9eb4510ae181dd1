// The WebUI root: providers (Mantine, TanStack Query), the session gate in front of everything, and
// the routes built from the list of areas plus the account pages reached from the user menu.
import { MantineProvider } from '@mantine/core';
import { QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { createBrowserRouter, Navigate, RouterProvider, type RouteObject } from 'react-router';
import { AREAS, areasFor, type RoleArea } from './areas';
import { AccountSecurityPage } from './features/account/AccountSecurityPage';
import { reactToAuthError } from './features/auth/auth-queries';
import { useCurrentUser } from './features/auth/current-user';
import { SessionGate } from './features/auth/SessionGate';
import { UserMenu } from './features/auth/UserMenu';
import { useLivePresence } from './features/devices/devices-queries';
import { AppLayout } from './shared/AppLayout';
import { NotFoundPage } from './shared/NotFoundPage';
import { RealtimeProvider } from './shared/RealtimeProvider';
import { createQueryClient } from './shared/query-client';
import { createColorSchemeManager, theme } from './shared/theme';

const HOME_PATH = '/server';

export function App() {
  const [queryClient] = useState(() => createQueryClient(reactToAuthError));
  const [colorSchemeManager] = useState(createColorSchemeManager);
  const [router] = useState(() => createBrowserRouter(buildRoutes(AREAS)));

  return (
    <MantineProvider theme={theme} colorSchemeManager={colorSchemeManager} defaultColorScheme="auto">
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </MantineProvider>
  );
}

function buildRoutes(areas: readonly RoleArea[]): RouteObject[] {
  return [
    {
      // Not signed in, or the gate is closed: SessionGate shows that screen at the requested URL.
      element: <SessionGate />,
      children: [
        {
          path: '/',
          element: <SignedInLayout />,
          children: [
            { index: true, element: <Navigate to={HOME_PATH} replace /> },
            ...areas.map((area) => ({ path: `${area.path}/*`, element: <AreaForRole area={area} /> })),
            {
              path: 'account',
              children: [
                { index: true, element: <Navigate to="security" replace /> },
                { path: 'security', element: <AccountSecurityPage /> },
              ],
            },
            { path: '*', element: <NotFoundPage homePath={HOME_PATH} homeLabel="Server" /> },
          ],
        },
      ],
    },
  ];
}

/** The shell with the areas the signed-in operator's role may use. */
function SignedInLayout() {
  const me = useCurrentUser();
  return (
    <RealtimeProvider>
      <LivePresence />
      <AppLayout areas={areasFor(me.role)} userMenu={<UserMenu />} />
    </RealtimeProvider>
  );
}

/** Presence changes are followed on every page, so the device pages open with the current state. */
function LivePresence() {
  useLivePresence();
  return null;
}

/** An area outside the operator's role is, for them, a page that does not exist. */
function AreaForRole({ area }: { readonly area: RoleArea }) {
  const me = useCurrentUser();
  return area.roles.includes(me.role) ? area.element : <NotFoundPage homePath={HOME_PATH} homeLabel="Server" />;
}
