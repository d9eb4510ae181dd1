// The scheduled-job editor: an assembly with its variables, targets (devices, saved filters, sites or all), the
// schedule with start, time zone or cron and a live preview of the next five occurrences in that
// zone, expiration and the missed-run policy.
import { type AssemblyVariable, type CreateScheduledJobRequest, type Schedule, type ScheduledJob, SiteDeviceMapSchema } from '@borealis/protocol';
import { Alert, Button, Card, Checkbox, Group, List, MultiSelect, Select, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { ApiErrorAlert } from '../../shared/ApiErrorAlert';
import { getJson } from '../../shared/api-client';
import { PageHeader } from '../../shared/PageHeader';
import { useAssembly, useAssemblySearch } from '../quick-jobs/quick-jobs-queries';
import { type FormValue, initialValues, overridesOf } from '../quick-jobs/variable-form';
import { useFilterList } from '../filters/filters-queries';
import { useSites } from '../sites/sites-queries';
import { browserTimeZone, EXPIRATION_OPTIONS, needsStart, SCHEDULE_TYPE_OPTIONS } from './schedule-form';
import { createScheduledJob, getScheduledJob, previewSchedule, updateScheduledJob } from './scheduled-jobs-api';
import { SCHEDULED_JOBS_KEY } from './ScheduledJobsPage';

interface Draft {
  name: string;
  assemblyGuid: string | null;
  values: Record<string, FormValue>;
  hostnames: string[];
  filterIds: string[];
  siteIds: string[];
  allDevices: boolean;
  type: Schedule['type'];
  start: string;
  timezone: string;
  cron: string;
  expiration: string;
  missedRunPolicy: 'run_latest' | 'skip';
  enabled: boolean;
}

const EMPTY: Draft = { name: '', assemblyGuid: null, values: {}, hostnames: [], filterIds: [], siteIds: [], allDevices: false, type: 'daily', start: '', timezone: browserTimeZone(), cron: '', expiration: 'no_expire', missedRunPolicy: 'run_latest', enabled: true };

function draftOf(job: ScheduledJob): Draft {
  const component = job.components[0] ?? {};
  const schedule = job.schedule as Partial<Schedule>;
  return {
    name: job.name,
    assemblyGuid: typeof component.assembly_guid === 'string' ? component.assembly_guid : null,
    values: (component.variable_values as Record<string, FormValue> | undefined) ?? {},
    hostnames: job.targets.filter((t) => t.kind === 'device').map((t) => String(t.hostname ?? t.device_guid)),
    filterIds: job.targets.filter((t) => t.kind === 'filter').map((t) => String(t.filter_id)),
    siteIds: job.targets.filter((t) => t.kind === 'site').map((t) => String(t.site_id)),
    allDevices: job.targets.some((t) => t.kind === 'all_devices'),
    type: schedule.type ?? 'immediately',
    start: (schedule.start ?? '').slice(0, 16),
    timezone: schedule.timezone ?? browserTimeZone(),
    cron: schedule.cron ?? '',
    expiration: job.expiration,
    missedRunPolicy: job.missed_run_policy,
    enabled: job.enabled,
  };
}

function scheduleOf(d: Draft): Schedule {
  return { type: d.type, timezone: d.timezone || undefined, ...(needsStart(d.type) && d.start ? { start: d.start } : {}), ...(d.type === 'cron' ? { cron: d.cron } : {}) };
}

export function ScheduledJobEditor() {
  const { id } = useParams();
  const jobId = id ? Number(id) : null;
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const existing = useQuery({ queryKey: [...SCHEDULED_JOBS_KEY, jobId], queryFn: ({ signal }) => getScheduledJob(jobId!, { signal }), enabled: jobId !== null });
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  useEffect(() => {
    if (existing.data) setDraft(draftOf(existing.data));
  }, [existing.data]);

  const [search, setSearch] = useState('');
  const [debouncedSearch] = useDebouncedValue(search, 250);
  const assemblies = useAssemblySearch(debouncedSearch, true);
  const assembly = useAssembly(draft.assemblyGuid);
  const variables: readonly AssemblyVariable[] = useMemo(() => assembly.data?.payload.variables ?? [], [assembly.data]);
  useEffect(() => {
    if (!existing.data) setDraft((d) => ({ ...d, values: initialValues(variables) }));
  }, [variables, existing.data]);

  const sites = useSites();
  const filters = useFilterList(false);
  const deviceMap = useQuery({ queryKey: ['sites', 'device-map'], queryFn: ({ signal }) => getJson('/api/sites/device_map', SiteDeviceMapSchema, { signal }) });
  const hostnames = Object.keys(deviceMap.data?.map ?? {}).sort();

  const [schedule] = useDebouncedValue(scheduleOf(draft), 300);
  const preview = useQuery({
    queryKey: ['schedule-preview', schedule],
    queryFn: ({ signal }) => previewSchedule(schedule, 5, { signal }),
    retry: false,
  });

  const save = useMutation({
    mutationFn: async () => {
      const body: CreateScheduledJobRequest = {
        name: draft.name,
        job_kind: 'automation',
        components: [{ kind: 'script', assembly_guid: draft.assemblyGuid ?? '', variable_values: overridesOf(variables, draft.values) }],
        targets: [...draft.hostnames, ...draft.filterIds.map((f) => ({ kind: 'filter' as const, filter_id: Number(f) })), ...draft.siteIds.map((s) => ({ kind: 'site' as const, site_id: Number(s) })), ...(draft.allDevices ? [{ kind: 'all_devices' as const }] : [])],
        schedule: scheduleOf(draft),
        expiration: draft.expiration,
        execution_context: 'system',
        use_service_account: false,
        missed_run_policy: draft.missedRunPolicy,
        stop_on_failure: true,
        enabled: draft.enabled,
      };
      return existing.data ? updateScheduledJob(existing.data.id, body, existing.data.version) : createScheduledJob(body);
    },
    onSuccess: (job) => {
      void queryClient.invalidateQueries({ queryKey: SCHEDULED_JOBS_KEY });
      void navigate(`/scheduled-jobs/${job.id}`);
    },
  });

  return (
    <Stack gap="lg" maw={900} data-testid="scheduled-job-editor">
      <PageHeader title={jobId ? 'Edit scheduled job' : 'New scheduled job'} description="What runs, where, and when." />
      <Card withBorder>
        <Stack>
          <TextInput label="Name" required value={draft.name} onChange={(e) => set('name', e.currentTarget.value)} data-testid="editor-name" />
          <Select
            label="Assembly"
            required
            searchable
            searchValue={search}
            onSearchChange={setSearch}
            value={draft.assemblyGuid}
            onChange={(v) => set('assemblyGuid', v)}
            data={(assemblies.data?.items ?? []).filter((a) => a.assembly_type === 'script').map((a) => ({ value: a.assembly_guid, label: a.display_name }))}
            nothingFoundMessage={assemblies.isFetching ? 'Searching…' : 'No script matches'}
            data-testid="editor-assembly"
          />
          {variables.map((v) =>
            v.type === 'boolean' ? (
              <Switch key={v.name} label={v.label || v.name} checked={Boolean(draft.values[v.name])} onChange={(e) => set('values', { ...draft.values, [v.name]: e.currentTarget.checked })} />
            ) : (
              <TextInput
                key={v.name}
                label={v.label || v.name}
                description={v.description}
                required={v.required}
                value={String(draft.values[v.name] ?? '')}
                onChange={(e) => set('values', { ...draft.values, [v.name]: e.currentTarget.value })}
                data-testid={`editor-var-${v.name}`}
              />
            ),
          )}
        </Stack>
      </Card>
      <Card withBorder>
        <Stack>
          <Text fw={500}>Targets</Text>
          <MultiSelect label="Devices" searchable data={hostnames} value={draft.hostnames} onChange={(v) => set('hostnames', v)} data-testid="editor-devices" />
          <MultiSelect
            label="Saved filters"
            description="Evaluated again for every occurrence"
            searchable
            data={(filters.data?.filters ?? []).map((f) => ({ value: String(f.id), label: f.name }))}
            value={draft.filterIds}
            onChange={(v) => set('filterIds', v)}
            data-testid="editor-filters"
          />
          <MultiSelect label="Sites" data={(sites.data?.sites ?? []).map((s) => ({ value: String(s.id), label: s.name }))} value={draft.siteIds} onChange={(v) => set('siteIds', v)} data-testid="editor-sites" />
          <Checkbox label="All devices in my scope" checked={draft.allDevices} onChange={(e) => set('allDevices', e.currentTarget.checked)} data-testid="editor-all-devices" />
        </Stack>
      </Card>
      <Card withBorder>
        <Stack>
          <Text fw={500}>Schedule</Text>
          <Group grow align="flex-start">
            <Select label="Repeats" data={SCHEDULE_TYPE_OPTIONS} value={draft.type} onChange={(v) => v && set('type', v as Schedule['type'])} allowDeselect={false} data-testid="editor-schedule-type" />
            <TextInput label="Time zone" description="IANA name, e.g. Europe/Berlin" value={draft.timezone} onChange={(e) => set('timezone', e.currentTarget.value)} data-testid="editor-timezone" />
          </Group>
          {needsStart(draft.type) && (
            <TextInput type="datetime-local" label="Start (wall time in the zone)" required value={draft.start} onChange={(e) => set('start', e.currentTarget.value)} data-testid="editor-start" />
          )}
          {draft.type === 'cron' && <TextInput label="Cron (5 fields)" placeholder="0 9 * * 1-5" value={draft.cron} onChange={(e) => set('cron', e.currentTarget.value)} data-testid="editor-cron" />}
          <div data-testid="editor-preview">
            <Text size="sm" fw={500}>
              Next occurrences
            </Text>
            {preview.isError ? (
              <Text size="sm" c="red" data-testid="editor-preview-error">
                {preview.error instanceof Error ? preview.error.message : 'Not a valid schedule'}
              </Text>
            ) : (
              <List size="sm">
                {(preview.data?.occurrences ?? []).map((o) => (
                  <List.Item key={o.at} data-testid="editor-preview-item">
                    {o.local.replace('T', ' ')}
                  </List.Item>
                ))}
              </List>
            )}
          </div>
          <Group grow>
            <Select label="Devices offline for longer are Expired" data={EXPIRATION_OPTIONS} value={draft.expiration} onChange={(v) => v && set('expiration', v)} allowDeselect={false} data-testid="editor-expiration" />
            <Select
              label="After downtime"
              data={[
                { value: 'run_latest', label: 'Run the latest missed occurrence once' },
                { value: 'skip', label: 'Skip missed occurrences' },
              ]}
              value={draft.missedRunPolicy}
              onChange={(v) => v && set('missedRunPolicy', v as Draft['missedRunPolicy'])}
              allowDeselect={false}
              data-testid="editor-missed"
            />
          </Group>
          <Switch label="Enabled" checked={draft.enabled} onChange={(e) => set('enabled', e.currentTarget.checked)} />
        </Stack>
      </Card>
      {save.error && <ApiErrorAlert error={save.error} title="Could not save the job" />}
      {existing.isError && <Alert color="red">Could not load the job.</Alert>}
      <Group justify="flex-end">
        <Button variant="default" onClick={() => void navigate('/scheduled-jobs')}>
          Cancel
        </Button>
        <Button onClick={() => save.mutate()} loading={save.isPending} disabled={!draft.name || !draft.assemblyGuid} data-testid="editor-save">
          Save
        </Button>
      </Group>
    </Stack>
  );
}
