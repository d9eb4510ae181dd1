// The one list of WebUI areas: it feeds both the navbar and the routes. Add an area here when it exists.
import { IconServer } from '@tabler/icons-react';
import { ServerPage } from './features/server/ServerPage';
import type { Area } from './shared/area';

export const AREAS: readonly Area[] = [{ path: 'server', label: 'Server', icon: IconServer, element: <ServerPage /> }];
