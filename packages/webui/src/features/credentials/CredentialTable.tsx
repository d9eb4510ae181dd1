// The credentials table: what each credential is for and which secrets it holds (as badges, never
// values), with a warning where an Aegis force reset destroyed secrets that must be entered again.
import { type Credential, CREDENTIAL_SECRET_FIELDS } from '@borealis/protocol';
import { ActionIcon, Badge, Group, Menu, Stack, Table, Text, Tooltip } from '@mantine/core';
import { IconAlertTriangle, IconDots, IconPencil, IconTrash } from '@tabler/icons-react';
import { CONNECTION_TYPE_LABELS, CREDENTIAL_TYPE_LABELS, hasSecret, SECRET_LABELS, secretLabel } from './credential-labels';

export interface CredentialTableProps {
  readonly credentials: readonly Credential[];
  readonly siteNames: ReadonlyMap<number, string>;
  readonly canManage: boolean;
  readonly onEdit: (credential: Credential) => void;
  readonly onDelete: (credential: Credential) => void;
}

export function CredentialTable({ credentials, siteNames, canManage, onEdit, onDelete }: CredentialTableProps) {
  return (
    <Table.ScrollContainer minWidth={1000}>
      <Table verticalSpacing="sm" highlightOnHover data-testid="credentials-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Site</Table.Th>
            <Table.Th>Type</Table.Th>
            <Table.Th>Connection</Table.Th>
            <Table.Th>User name</Table.Th>
            <Table.Th>Stored secrets</Table.Th>
            <Table.Th>State</Table.Th>
            {canManage && <Table.Th w={48} aria-label="Actions" />}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {credentials.map((credential) => (
            <Table.Tr key={credential.id} data-testid="credential-row" data-credential-name={credential.name}>
              <Table.Td maw={260}>
                <Stack gap={0}>
                  <Text size="sm" fw={500}>
                    {credential.name}
                  </Text>
                  {credential.description && (
                    <Text size="xs" c="dimmed" lineClamp={2}>
                      {credential.description}
                    </Text>
                  )}
                </Stack>
              </Table.Td>
              <Table.Td>
                {credential.site_id === null ? (
                  <Tooltip label="Belongs to no site: only admins see and use it" withArrow>
                    <Text size="sm" c="dimmed">
                      No site
                    </Text>
                  </Tooltip>
                ) : (
                  <Text size="sm">{siteNames.get(credential.site_id) ?? `Site ${credential.site_id}`}</Text>
                )}
              </Table.Td>
              <Table.Td>
                <Text size="sm">{CREDENTIAL_TYPE_LABELS[credential.credential_type]}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{CONNECTION_TYPE_LABELS[credential.connection_type]}</Text>
              </Table.Td>
              <Table.Td>
                <Stack gap={0}>
                  <Text size="sm" ff={credential.username ? 'monospace' : undefined} c={credential.username ? undefined : 'dimmed'}>
                    {credential.username ?? '—'}
                  </Text>
                  {credential.become_method && (
                    <Text size="xs" c="dimmed">
                      then {credential.become_method}
                      {credential.become_username ? ` as ${credential.become_username}` : ''}
                    </Text>
                  )}
                </Stack>
              </Table.Td>
              <Table.Td>
                <StoredSecrets credential={credential} />
              </Table.Td>
              <Table.Td>
                <SecretState credential={credential} />
              </Table.Td>
              {canManage && (
                <Table.Td>
                  <Menu position="bottom-end" withinPortal shadow="md">
                    <Menu.Target>
                      <ActionIcon
                        variant="subtle"
                        color="gray"
                        aria-label={`Actions for ${credential.name}`}
                        data-testid="credential-actions"
                      >
                        <IconDots size={18} />
                      </ActionIcon>
                    </Menu.Target>
                    <Menu.Dropdown>
                      <Menu.Item leftSection={<IconPencil size={16} />} onClick={() => onEdit(credential)} data-testid="credential-edit">
                        Edit
                      </Menu.Item>
                      <Menu.Item
                        color="red"
                        leftSection={<IconTrash size={16} />}
                        onClick={() => onDelete(credential)}
                        data-testid="credential-delete"
                      >
                        Delete
                      </Menu.Item>
                    </Menu.Dropdown>
                  </Menu>
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function StoredSecrets({ credential }: { readonly credential: Credential }) {
  const stored = CREDENTIAL_SECRET_FIELDS.filter((field) => hasSecret(credential, field));
  if (stored.length === 0) {
    return (
      <Text size="sm" c="dimmed" data-testid="credential-secrets">
        None
      </Text>
    );
  }
  return (
    <Group gap={4} data-testid="credential-secrets">
      {stored.map((field) => (
        <Badge key={field} size="sm" variant="outline" color="gray" tt="none" data-testid={`credential-secret-${field}`}>
          {SECRET_LABELS[field]}
        </Badge>
      ))}
    </Group>
  );
}

function SecretState({ credential }: { readonly credential: Credential }) {
  if (credential.secret_state === 'ok') {
    return (
      <Badge size="sm" variant="light" color="teal" tt="none" data-testid="credential-state">
        Ready
      </Badge>
    );
  }
  const lost = credential.lost_secret_fields.map(secretLabel).join(', ');
  return (
    <Tooltip
      label="An Aegis force reset destroyed these secrets. Jobs that use this credential were disabled; enter the secrets again, then re-enable the jobs."
      withArrow
      multiline
      maw={300}
    >
      <Badge
        size="sm"
        variant="light"
        color="orange"
        tt="none"
        leftSection={<IconAlertTriangle size={12} />}
        data-testid="credential-state"
        data-state="reset_required"
      >
        Re-enter: {lost || 'secrets'}
      </Badge>
    </Tooltip>
  );
}
