// /sites: every site the operator may see with its enrolment code; admins create, rename, delete,
// rotate codes and open auto-approval windows.
import type { Site } from '@borealis/protocol';
import { Button, Card, List, Stack, Text } from '@mantine/core';
import { IconBuildingCommunity, IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmDialog } from '../../shared/ConfirmDialog';
import { EmptyList, QueryStates } from '../../shared/ListStates';
import { PageHeader } from '../../shared/PageHeader';
import { useCurrentUser } from '../auth/current-user';
import { AutoApprovalDialog } from './AutoApprovalDialog';
import { CreateSiteDialog } from './CreateSiteDialog';
import { RenameSiteDialog } from './RenameSiteDialog';
import { RotateCodeDialog } from './RotateCodeDialog';
import { type SiteAction, SiteTable } from './SiteTable';
import { deleteSites } from './sites-api';
import { SITES_KEY, useSites } from './sites-queries';

type Dialog = { readonly action: Exclude<SiteAction, 'delete'>; readonly site: Site } | null;

export function SitesPage() {
  const me = useCurrentUser();
  const canManage = me.role === 'admin';
  const sites = useSites();
  const queryClient = useQueryClient();
  const [isCreating, setIsCreating] = useState(false);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [toDelete, setToDelete] = useState<readonly Site[]>([]);
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const [revealed, setRevealed] = useState<ReadonlySet<number>>(new Set());

  const reveal = (id: number, isShown?: boolean) =>
    setRevealed((current) => {
      const next = new Set(current);
      if (isShown ?? !next.has(id)) next.add(id);
      else next.delete(id);
      return next;
    });

  const remove = useMutation({
    mutationFn: (ids: readonly number[]) => deleteSites(ids),
    onSuccess: ({ deleted_ids }) => {
      setSelected((current) => new Set([...current].filter((id) => !deleted_ids.includes(id))));
      setToDelete([]);
      void queryClient.invalidateQueries({ queryKey: SITES_KEY });
    },
  });
  const closeDelete = () => {
    setToDelete([]);
    remove.reset();
  };

  const list = sites.data?.sites ?? [];
  const selectedSites = list.filter((s) => selected.has(s.id));

  return (
    <Stack gap="lg" maw={1300} data-testid="sites-page">
      <PageHeader
        title="Sites"
        description={
          canManage
            ? 'Sites group devices; each has one enrolment code that agents use to join it.'
            : 'The sites you may see. Only admins change them.'
        }
        actions={
          canManage && (
            <>
              {selectedSites.length > 0 && (
                <Button
                  variant="light"
                  color="red"
                  leftSection={<IconTrash size={16} />}
                  onClick={() => setToDelete(selectedSites)}
                  data-testid="sites-delete-selected"
                >
                  Delete {selectedSites.length} selected
                </Button>
              )}
              <Button leftSection={<IconPlus size={16} />} onClick={() => setIsCreating(true)} data-testid="sites-create">
                New site
              </Button>
            </>
          )
        }
      />
      {sites.data?.public_base_url && (
        <Text size="sm" c="dimmed" mt={-8}>
          Agents reach this engine at <Text span ff="monospace" inherit>{sites.data.public_base_url}</Text>.
        </Text>
      )}

      <QueryStates
        query={sites}
        testId="sites"
        errorTitle="Could not load the sites"
        isEmpty={() => list.length === 0}
        empty={
          <EmptyList
            icon={<IconBuildingCommunity size={28} stroke={1.5} />}
            title="No sites yet"
            description={
              canManage
                ? 'Create a site to get an enrolment code for your first agents.'
                : 'No site is assigned to you yet. Ask an admin for access.'
            }
            action={
              canManage && (
                <Button leftSection={<IconPlus size={16} />} onClick={() => setIsCreating(true)}>
                  New site
                </Button>
              )
            }
            testId="sites-empty"
          />
        }
      >
        {() => (
          <Card withBorder padding={0}>
            <SiteTable
              sites={list}
              canManage={canManage}
              selected={selected}
              onSelectedChange={setSelected}
              revealed={revealed}
              onToggleReveal={(id) => reveal(id)}
              onAction={(action, site) => (action === 'delete' ? setToDelete([site]) : setDialog({ action, site }))}
            />
          </Card>
        )}
      </QueryStates>

      <CreateSiteDialog
        opened={isCreating}
        onClose={() => setIsCreating(false)}
        onCreated={(site) => {
          setIsCreating(false);
          reveal(site.id, true);
        }}
      />
      <RenameSiteDialog site={dialog?.action === 'rename' ? dialog.site : null} onClose={() => setDialog(null)} />
      <RotateCodeDialog
        site={dialog?.action === 'rotate' ? dialog.site : null}
        onClose={() => setDialog(null)}
        onRotated={(site) => {
          setDialog(null);
          reveal(site.id, true);
        }}
      />
      <AutoApprovalDialog site={dialog?.action === 'auto-approval' ? dialog.site : null} onClose={() => setDialog(null)} />
      <ConfirmDialog
        opened={toDelete.length > 0}
        title={toDelete.length === 1 ? 'Delete this site?' : `Delete ${toDelete.length} sites?`}
        confirmLabel={toDelete.length === 1 ? 'Delete site' : `Delete ${toDelete.length} sites`}
        onConfirm={() => remove.mutate(toDelete.map((s) => s.id))}
        onCancel={closeDelete}
        isPending={remove.isPending}
        error={remove.error}
        testId="site-delete-dialog"
      >
        <Stack gap="xs">
          <Text size="sm">
            {toDelete.length === 1 ? 'This site and its enrolment code are' : 'These sites and their enrolment codes are'}{' '}
            deleted:
          </Text>
          <List size="sm" spacing={2} data-testid="site-delete-names">
            {toDelete.map((site) => (
              <List.Item key={site.id}>
                <b>{site.name}</b>
                {site.device_count > 0 ? ` (${site.device_count} device${site.device_count === 1 ? '' : 's'})` : ''}
              </List.Item>
            ))}
          </List>
          <Text size="sm" c="dimmed">
            Agents can no longer enrol with {toDelete.length === 1 ? 'its code' : 'their codes'}, operators assigned to{' '}
            {toDelete.length === 1 ? 'it' : 'them'} lose that access, and {toDelete.length === 1 ? 'its' : 'their'} credentials
            are kept without a site (admins only). This cannot be undone.
          </Text>
        </Stack>
      </ConfirmDialog>
    </Stack>
  );
}
