// What the app shell needs to know about one area of the WebUI (a navbar link and its route).
import type { TablerIcon } from '@tabler/icons-react';
import type { ReactNode } from 'react';

export interface Area {
  /** Route path below `/`, without a leading slash (`server` serves `/server`). */
  readonly path: string;
  readonly label: string;
  readonly icon: TablerIcon;
  readonly element: ReactNode;
  /** Shown at the link's right end (a count of things waiting there). */
  readonly badge?: ReactNode;
}
