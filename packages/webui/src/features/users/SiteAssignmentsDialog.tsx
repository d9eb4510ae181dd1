// Which sites a user reaches, each optionally with a lower role than their own (security.md §7.1).
// Saving replaces the whole set; it applies from their next request.
import type { SiteAssignment, User } from '@borealis/protocol';
import { Alert, Button, Group, Loader, Modal, MultiSelect, Select, Stack, Table, Text } from '@mantine/core';
import { IconInfoCircle } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiErrorAlert } from '../../shared/ApiErrorAlert';
import { useRetained } from '../../shared/use-retained';
import { useSites } from '../sites/sites-queries';
import { useStepUp } from '../auth/step-up';
import type { UserDialogProps } from './user-dialog';
import { UserActionError } from './UserActionError';
import { assignSites } from './users-api';
import { ROLE_LABELS, rolesBelow, toRole, USERS_KEY } from './users-queries';

type AssignedRole = SiteAssignment['role'];

/** The Select's value for "their own role" (null on the wire). */
const OWN_ROLE = 'own';

export function SiteAssignmentsDialog({ user, onClose, onDone }: UserDialogProps) {
  const { shown, onExited } = useRetained(user);
  return (
    <Modal opened={user !== null} onClose={onClose} onExitTransitionEnd={onExited} title="Site assignments" centered size="lg" data-testid="user-sites-dialog">
      {shown && <SiteAssignmentsForm key={shown.id} user={shown} onClose={onClose} onDone={onDone} />}
    </Modal>
  );
}

function SiteAssignmentsForm({ user, onClose, onDone }: { readonly user: User } & Omit<UserDialogProps, 'user'>) {
  const queryClient = useQueryClient();
  const stepUp = useStepUp();
  const sites = useSites();
  const [assigned, setAssigned] = useState<ReadonlyMap<number, AssignedRole>>(
    () => new Map(user.site_assignments.map((a) => [a.site_id, a.role])),
  );
  const save = useMutation({
    mutationFn: (assignments: SiteAssignment[]) => stepUp(() => assignSites(user.username, assignments)),
    onSuccess: (changed) => {
      void queryClient.invalidateQueries({ queryKey: USERS_KEY });
      const n = changed.site_assignments.length;
      onDone(`${changed.username} is assigned to ${n === 0 ? 'no site' : `${n} site${n === 1 ? '' : 's'}`}.`);
    },
  });

  if (sites.isPending) return <Loader size="sm" aria-label="Loading sites" />;
  if (sites.isError) return <ApiErrorAlert error={sites.error} title="Could not load the sites" />;

  const siteName = new Map(sites.data.sites.map((s) => [s.id, s.name]));
  const lower = rolesBelow(user.role);
  const roleOptions = (current: AssignedRole) => [
    { value: OWN_ROLE, label: `${ROLE_LABELS[user.role]} (their role)` },
    ...lower.map((r) => ({ value: r, label: ROLE_LABELS[r] })),
    ...(current !== null && !lower.includes(current) ? [{ value: current, label: ROLE_LABELS[current] }] : []),
  ];

  const select = (ids: string[]) => {
    const next = new Map<number, AssignedRole>();
    for (const id of ids.map(Number)) next.set(id, assigned.get(id) ?? null);
    setAssigned(next);
    save.reset();
  };
  const setRole = (id: number, value: string | null) => {
    const role = toRole(value);
    const next = new Map(assigned);
    next.set(id, role === 'operator' || role === 'viewer' ? role : null);
    setAssigned(next);
    save.reset();
  };

  return (
    <Stack gap="md">
      <Text size="sm">
        Sites <b>{user.username}</b> ({ROLE_LABELS[user.role].toLowerCase()}) may reach. On each, they can be given a lower
        role than their own.
      </Text>
      {user.role === 'admin' && (
        <Alert color="blue" variant="light" icon={<IconInfoCircle />}>
          Admins reach every site whatever is assigned here; assignments matter only if their role is lowered.
        </Alert>
      )}
      <MultiSelect
        label="Sites"
        placeholder={sites.data.sites.length === 0 ? 'No sites exist yet' : 'Pick sites'}
        data={sites.data.sites.map((s) => ({ value: String(s.id), label: s.name }))}
        value={[...assigned.keys()].map(String)}
        onChange={select}
        searchable
        clearable
        nothingFoundMessage="No such site"
        comboboxProps={{ withinPortal: true }}
        data-testid="user-sites-select"
      />
      {assigned.size > 0 && (
        <Table verticalSpacing={6} data-testid="user-sites-roles">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Site</Table.Th>
              <Table.Th w={220}>Role there</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {[...assigned].map(([id, role]) => (
              <Table.Tr key={id}>
                <Table.Td>
                  <Text size="sm">{siteName.get(id) ?? `Site ${id} (deleted)`}</Text>
                </Table.Td>
                <Table.Td>
                  {roleOptions(role).length > 1 ? (
                    <Select
                      size="xs"
                      data={roleOptions(role)}
                      value={role ?? OWN_ROLE}
                      onChange={(value) => setRole(id, value)}
                      allowDeselect={false}
                      aria-label={`Role on ${siteName.get(id) ?? id}`}
                      comboboxProps={{ withinPortal: true }}
                    />
                  ) : (
                    <Text size="sm" c="dimmed">
                      {ROLE_LABELS[user.role]} (their role)
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <UserActionError error={save.error} />
      <Group justify="flex-end" gap="sm">
        <Button variant="default" onClick={onClose} disabled={save.isPending}>
          Cancel
        </Button>
        <Button
          onClick={() => save.mutate([...assigned].map(([site_id, role]) => ({ site_id, role })))}
          loading={save.isPending}
          data-testid="user-sites-submit"
        >
          Save assignments
        </Button>
      </Group>
    </Stack>
  );
}
