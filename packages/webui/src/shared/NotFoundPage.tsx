// Shown inside the shell for any path no area claims (the engine serves index.html for every non-API path).
import { Button, Center, EmptyState } from '@mantine/core';
import { IconCompass } from '@tabler/icons-react';
import { Link, useLocation } from 'react-router';

export interface NotFoundPageProps {
  /** Where the "back" button leads. */
  readonly homePath: string;
  readonly homeLabel: string;
}

export function NotFoundPage({ homePath, homeLabel }: NotFoundPageProps) {
  const { pathname } = useLocation();
  return (
    <Center mih="60vh" data-testid="not-found">
      <EmptyState
        variant="light"
        size="lg"
        icon={<IconCompass size={32} stroke={1.5} />}
        title="Page not found"
        description={`Nothing lives at ${pathname}. It may have moved, or the link may be mistyped.`}
      >
        <EmptyState.Actions>
          <Button component={Link} to={homePath} data-testid="not-found-home">
            Back to {homeLabel}
          </Button>
        </EmptyState.Actions>
      </EmptyState>
    </Center>
  );
}
