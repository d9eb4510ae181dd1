// The WebUI root: providers (Mantine, TanStack Query) and the routes built from the list of areas.
import { MantineProvider } from '@mantine/core';
import { QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { createBrowserRouter, Navigate, RouterProvider, type RouteObject } from 'react-router';
import { AREAS } from './areas';
import type { Area } from './shared/area';
import { AppLayout } from './shared/AppLayout';
import { NotFoundPage } from './shared/NotFoundPage';
import { createQueryClient } from './shared/query-client';
import { createColorSchemeManager, theme } from './shared/theme';

const HOME_PATH = '/server';

export function App() {
  const [queryClient] = useState(createQueryClient);
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

function buildRoutes(areas: readonly Area[]): RouteObject[] {
  return [
    {
      path: '/',
      element: <AppLayout areas={areas} />,
      children: [
        { index: true, element: <Navigate to={HOME_PATH} replace /> },
        ...areas.map((area) => ({ path: `${area.path}/*`, element: area.element })),
        { path: '*', element: <NotFoundPage homePath={HOME_PATH} homeLabel="Server" /> },
      ],
    },
  ];
}
