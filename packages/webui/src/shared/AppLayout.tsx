// The app shell: header (product name, theme toggle, user menu), a navbar built from the list of areas,
// and the page.
import { AppShell, Burger, Group, Image, NavLink, ScrollArea, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { ReactNode } from 'react';
import { Link, Outlet, useLocation } from 'react-router';
import type { Area } from './area';
import { ColorSchemeToggle } from './ColorSchemeToggle';

export interface AppLayoutProps {
  readonly areas: readonly Area[];
  /** Right end of the header: who is signed in, and their menu. */
  readonly userMenu?: ReactNode;
}

export function AppLayout({ areas, userMenu }: AppLayoutProps) {
  const [isNavbarOpen, { toggle: toggleNavbar, close: closeNavbar }] = useDisclosure(false);
  const { pathname } = useLocation();

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !isNavbarOpen } }}
      padding="lg"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={isNavbarOpen}
              onClick={toggleNavbar}
              hiddenFrom="sm"
              size="sm"
              aria-label="Toggle navigation"
            />
            <Link to="/" aria-label="Borealis home" style={{ display: 'flex' }}>
              <Image src="/favicon.svg" alt="" w={28} h={28} />
            </Link>
            <Title order={1} size="h3" fw={650} data-testid="product-name">
              Borealis
            </Title>
            <Text size="sm" c="dimmed" visibleFrom="xs">
              Engine
            </Text>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <ColorSchemeToggle />
            {userMenu}
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="sm" aria-label="Areas">
        <AppShell.Section grow component={ScrollArea}>
          {areas.map((area) => {
            const to = `/${area.path}`;
            const isActive = pathname === to || pathname.startsWith(`${to}/`);
            return (
              <NavLink
                key={area.path}
                component={Link}
                to={to}
                label={area.label}
                leftSection={<area.icon size={18} stroke={1.6} />}
                rightSection={area.badge}
                active={isActive}
                aria-current={isActive ? 'page' : undefined}
                variant="light"
                onClick={closeNavbar}
                data-testid={`nav-${area.path}`}
              />
            );
          })}
        </AppShell.Section>
      </AppShell.Navbar>

      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
