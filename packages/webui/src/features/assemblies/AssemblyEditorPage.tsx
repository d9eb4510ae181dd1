// /assemblies/new and /assemblies/:guid: the editor. Name, summary, platforms, timeout, warning exit
// codes, variables and the script; Save sends the revision as If-Match and shows the new revision.
// Official assemblies open read-only with a Clone button.
import type { Assembly } from '@borealis/protocol';
import { Alert, Anchor, Badge, Button, Card, Chip, Code, Group, NumberInput, SimpleGrid, Stack, TagsInput, Text, TextInput, Textarea, Title } from '@mantine/core';
import { IconAlertTriangle, IconArrowLeft, IconCircleCheck, IconCopy, IconDeviceFloppy, IconDownload, IconLock, IconTrash } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { ApiErrorAlert } from '../../shared/ApiErrorAlert';
import { ConfirmDialog } from '../../shared/ConfirmDialog';
import { LoadError, TableSkeleton } from '../../shared/ListStates';
import { ApiError, isApiError } from '../../shared/api-client';
import { useCurrentUser } from '../auth/current-user';
import { cloneAssembly, createAssembly, deleteAssembly, exportAssembly, saveAssembly } from './assemblies-api';
import { ASSEMBLIES_KEY, useAssembly } from './assemblies-queries';
import { emptyForm, formOf, writeOf, type AssemblyForm } from './assembly-form';
import { downloadJson, fileNameOf } from './download-json';
import { RevisionsCard } from './RevisionsCard';
import { ScriptEditor } from './ScriptEditor';
import { VariablesEditor } from './VariablesEditor';

export function AssemblyEditorPage() {
  const { guid } = useParams();
  const assembly = useAssembly(guid);
  const location = useLocation();
  const created = (location.state as { notice?: unknown } | null)?.notice;
  // Lives above the keyed editor, so "Saved as revision N" survives the remount a save causes.
  const [notice, setNotice] = useState<{ guid: string | undefined; text: string } | null>(typeof created === 'string' ? { guid, text: created } : null);
  const shown = notice && notice.guid === guid ? notice.text : null;
  const noticeProps = { notice: shown, setNotice: (text: string | null) => setNotice(text === null ? null : { guid, text }) };
  if (guid === undefined) return <Editor key="new" assembly={null} {...noticeProps} />;
  if (assembly.isPending) return <TableSkeleton testId="assembly-loading" rows={8} />;
  if (assembly.isError) {
    return <LoadError title={isApiError(assembly.error, 'not_found') ? 'No such assembly' : 'Could not load the assembly'} error={assembly.error} onRetry={() => void assembly.refetch()} testId="assembly-error" />;
  }
  // Keyed by revision: after a save or restore the form starts again from what the engine stored.
  return <Editor key={`${assembly.data.assembly_guid}@${assembly.data.revision}`} assembly={assembly.data} {...noticeProps} />;
}

interface EditorProps {
  readonly assembly: Assembly | null;
  readonly notice: string | null;
  readonly setNotice: (text: string | null) => void;
}

function Editor({ assembly, notice, setNotice }: EditorProps) {
  const me = useCurrentUser();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const readOnly = me.role === 'viewer' || assembly?.read_only === true;
  const [form, setForm] = useState<AssemblyForm>(() => (assembly ? formOf(assembly) : emptyForm()));
  const [deleting, setDeleting] = useState(false);
  const set = <K extends keyof AssemblyForm>(key: K, value: AssemblyForm[K]) => setForm((f) => ({ ...f, [key]: value }));

  const stored = (saved: Assembly) => {
    queryClient.setQueryData([...ASSEMBLIES_KEY, 'one', saved.assembly_guid], saved);
    void queryClient.invalidateQueries({ queryKey: ASSEMBLIES_KEY });
  };
  const save = useMutation({
    mutationFn: () => (assembly ? saveAssembly(assembly.assembly_guid, writeOf(form, assembly.payload.type), assembly.revision) : createAssembly(writeOf(form))),
    onSuccess: (saved) => {
      stored(saved);
      if (!assembly) void navigate(`/assemblies/${saved.assembly_guid}`, { replace: true, state: { notice: `Created as revision ${saved.revision}.` } });
      else setNotice(saved.revision === assembly.revision ? `No changes to the content: still revision ${saved.revision}.` : `Saved as revision ${saved.revision}.`);
    },
  });
  const clone = useMutation({
    mutationFn: () => cloneAssembly(assembly!.assembly_guid),
    onSuccess: (copy) => {
      stored(copy);
      void navigate(`/assemblies/${copy.assembly_guid}`);
    },
  });
  const remove = useMutation({
    mutationFn: () => deleteAssembly(assembly!.assembly_guid),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ASSEMBLIES_KEY });
      void navigate('/assemblies?tab=user');
    },
  });
  const conflict = isApiError(save.error, 'version_conflict');
  const details = save.error instanceof ApiError ? save.error.details : [];

  return (
    <Stack gap="lg" maw={1300} data-testid="assembly-editor" data-guid={assembly?.assembly_guid ?? ''}>
      <Anchor component={Link} to={assembly?.read_only ? '/assemblies' : '/assemblies?tab=user'} size="sm">
        <Group gap={4}>
          <IconArrowLeft size={14} /> Assemblies
        </Group>
      </Anchor>
      <Group justify="space-between" align="flex-end">
        <div>
          <Group gap="xs">
            <Title order={2} data-testid="assembly-title">
              {assembly ? assembly.display_name : 'New assembly'}
            </Title>
            {assembly && (
              <Badge variant="outline" data-testid="assembly-revision">
                revision {assembly.revision}
              </Badge>
            )}
            {assembly?.read_only && (
              <Badge color="gray" variant="light" leftSection={<IconLock size={12} />}>
                Official
              </Badge>
            )}
          </Group>
          {assembly && (
            <Text size="xs" c="dimmed" mt={4}>
              GUID <Code fz={11}>{assembly.assembly_guid}</Code> · content hash <Code fz={11} data-testid="assembly-hash">{assembly.content_hash}</Code> · signed by the engine for each device at dispatch
            </Text>
          )}
        </div>
        <Group gap="sm">
          {assembly && (
            <Button variant="default" leftSection={<IconDownload size={16} />} onClick={() => void exportAssembly(assembly.assembly_guid).then((doc) => downloadJson(fileNameOf(assembly.display_name, assembly.revision), doc))} data-testid="assembly-export">
              Export
            </Button>
          )}
          {assembly && me.role !== 'viewer' && (
            <Button variant={assembly.read_only ? 'filled' : 'default'} leftSection={<IconCopy size={16} />} onClick={() => clone.mutate()} loading={clone.isPending} data-testid="assembly-clone">
              {assembly.read_only ? 'Clone to My assemblies' : 'Clone'}
            </Button>
          )}
          {assembly && !readOnly && (
            <Button variant="default" color="red" leftSection={<IconTrash size={16} />} onClick={() => setDeleting(true)} data-testid="assembly-delete">
              Delete
            </Button>
          )}
          {!readOnly && (
            <Button leftSection={<IconDeviceFloppy size={16} />} onClick={() => save.mutate()} loading={save.isPending} data-testid="assembly-save">
              {assembly ? 'Save' : 'Create'}
            </Button>
          )}
        </Group>
      </Group>

      {assembly?.read_only && (
        <Alert color="gray" variant="light" icon={<IconLock />} data-testid="assembly-read-only">
          Official assemblies ship with the engine and cannot be changed here. Clone it to get your own copy to edit.
        </Alert>
      )}
      {notice && (
        <Alert color="teal" variant="light" icon={<IconCircleCheck />} withCloseButton onClose={() => setNotice(null)} data-testid="assembly-notice">
          {notice}
        </Alert>
      )}
      {conflict ? (
        <Alert color="orange" variant="light" icon={<IconAlertTriangle />} title="Saved by someone else meanwhile" data-testid="assembly-conflict">
          <Stack gap="xs" align="flex-start">
            <Text size="sm">{save.error?.message}. Your edits are still here; copy what you need, then reload.</Text>
            <Button size="xs" variant="white" color="orange" onClick={() => void queryClient.invalidateQueries({ queryKey: [...ASSEMBLIES_KEY, 'one', assembly?.assembly_guid] })}>
              Reload the stored revision
            </Button>
          </Stack>
        </Alert>
      ) : (
        <>
          <ApiErrorAlert error={save.error ?? clone.error} testId="assembly-save-error" />
          {details.length > 0 && (
            <Stack gap={2}>
              {details.map((d) => (
                <Text key={`${d.path}:${d.message}`} size="xs" c="red">
                  {d.path}: {d.message}
                </Text>
              ))}
            </Stack>
          )}
        </>
      )}

      <Card withBorder padding="lg">
        <Stack gap="md">
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <TextInput label="Name" required value={form.displayName} readOnly={readOnly} maxLength={200} onChange={(e) => set('displayName', e.currentTarget.value)} data-testid="assembly-name" />
            <TextInput label="Summary" value={form.summary} readOnly={readOnly} maxLength={2000} onChange={(e) => set('summary', e.currentTarget.value)} data-testid="assembly-summary" />
          </SimpleGrid>
          <Textarea label="Description" autosize minRows={2} maxRows={6} value={form.description} readOnly={readOnly} onChange={(e) => set('description', e.currentTarget.value)} />
          <SimpleGrid cols={{ base: 1, md: 3 }}>
            <Stack gap={4}>
              <Text size="sm" fw={500}>
                Platforms
              </Text>
              <Chip.Group multiple value={form.platforms} onChange={(v) => !readOnly && v.length > 0 && set('platforms', v)}>
                <Group gap="xs">
                  {['linux', 'windows', 'macos'].map((p) => (
                    <Chip key={p} value={p} size="xs" disabled={readOnly && !form.platforms.includes(p)}>
                      {p}
                    </Chip>
                  ))}
                </Group>
              </Chip.Group>
            </Stack>
            <NumberInput label="Timeout (seconds)" min={1} max={86400} value={form.timeoutSeconds} readOnly={readOnly} onChange={(v) => set('timeoutSeconds', typeof v === 'number' ? v : Number(v) || 1)} data-testid="assembly-timeout" />
            <TagsInput
              label="Warning exit codes"
              description="Exit codes reported as Warning instead of Failed"
              value={form.warningExitCodes}
              readOnly={readOnly}
              maxTags={16}
              onChange={(v) => set('warningExitCodes', v.filter((c) => /^\d{1,3}$/.test(c) && Number(c) >= 1 && Number(c) <= 255))}
              data-testid="assembly-warning-codes"
            />
          </SimpleGrid>
        </Stack>
      </Card>

      <Card withBorder padding="lg">
        <Stack gap="sm">
          <Title order={4}>Variables</Title>
          <VariablesEditor rows={form.variables} readOnly={readOnly} onChange={(rows) => set('variables', rows)} />
        </Stack>
      </Card>

      <Card withBorder padding="lg">
        <Stack gap="sm">
          <Group justify="space-between">
            <Title order={4}>Script</Title>
            <Text size="xs" c="dimmed">
              bash · runs as <Code fz={11}>/bin/bash --noprofile --norc</Code>
            </Text>
          </Group>
          <ScriptEditor value={form.script} readOnly={readOnly} onChange={(script) => set('script', script)} testId="assembly-script" />
          {!readOnly && assembly && <TextInput label="Change note" placeholder="What this save changes (kept with the revision)" value={form.changeNote} maxLength={500} onChange={(e) => set('changeNote', e.currentTarget.value)} data-testid="assembly-change-note" />}
        </Stack>
      </Card>

      {assembly && <RevisionsCard assembly={assembly} canRestore={!readOnly} onRestored={(restored) => {
        stored(restored);
        setNotice(`Restored as revision ${restored.revision}.`);
      }} />}

      {assembly && (
        <ConfirmDialog
          opened={deleting}
          title="Delete this assembly?"
          confirmLabel="Delete"
          onConfirm={() => remove.mutate()}
          onCancel={() => {
            setDeleting(false);
            remove.reset();
          }}
          isPending={remove.isPending}
          error={isApiError(remove.error, 'assembly_in_use') ? new Error(`Still in use: ${remove.error.message}. Remove it from those scheduled jobs first.`) : remove.error}
          testId="assembly-delete-dialog"
        >
          {`${assembly.display_name} and all its revisions will be deleted. Job history keeps what ran.`}
        </ConfirmDialog>
      )}
    </Stack>
  );
}
