// /filters/new and /filters/:id: name, description, which sites, the criteria and a live preview.
// Saving an existing filter sends the version it was loaded at; if someone saved in between, the
// engine answers 409 version_conflict and the page offers to load their version.
import type { DeviceFilter, DeviceFilterEditorMetadata, FilterSiteMode } from '@borealis/protocol';
import { FILTER_SITE_MODES } from '@borealis/protocol';
import { Alert, Anchor, Badge, Breadcrumbs, Button, Card, Grid, Group, MultiSelect, SegmentedControl, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck, IconDeviceFloppy } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { isApiError } from '../../shared/api-client';
import { ApiErrorAlert } from '../../shared/ApiErrorAlert';
import { fieldErrorsOf } from '../../shared/form-errors';
import { LoadError, TableSkeleton } from '../../shared/ListStates';
import { NotFoundPage } from '../../shared/NotFoundPage';
import { useCurrentUser } from '../auth/current-user';
import { useSites } from '../sites/sites-queries';
import { type CriteriaState, describeCriteria, EMPTY_CRITERIA, fromCriteria, toCriteria, validateCriteria } from './criteria-builder';
import { CriteriaEditor } from './CriteriaEditor';
import { FilterPreview } from './FilterPreview';
import { createFilter, updateFilter } from './filters-api';
import { FILTERS_KEY, useFilter, useFilterMetadata, useFilterUsage } from './filters-queries';
import { SITE_MODE_LABELS } from './FiltersPage';

export function FilterEditorPage() {
  const { filterId } = useParams();
  const id = filterId === undefined ? null : Number(filterId);
  const isValidId = id === null || (Number.isInteger(id) && id > 0);
  const filter = useFilter(isValidId ? id : null);
  const metadata = useFilterMetadata();

  if (!isValidId || isApiError(filter.error, 'not_found')) return <NotFoundPage homePath="/filters" homeLabel="Filters" />;
  if (metadata.isPending || (id !== null && filter.isPending)) return <TableSkeleton rows={6} testId="filter-editor-loading" />;
  if (metadata.isError) {
    return <LoadError title="Could not load the filter fields" error={metadata.error} onRetry={() => void metadata.refetch()} testId="filter-editor-error" />;
  }
  if (filter.isError) {
    return <LoadError title="Could not load this filter" error={filter.error} onRetry={() => void filter.refetch()} testId="filter-editor-error" />;
  }
  // Keyed by version: loading someone else's save starts the form afresh from it.
  return <FilterForm key={filter.data ? `${filter.data.id}:${filter.data.version}` : 'new'} filter={filter.data ?? null} metadata={metadata.data} onReload={() => void filter.refetch()} />;
}

type Field = 'name' | 'description';

function FilterForm({ filter, metadata, onReload }: { readonly filter: DeviceFilter | null; readonly metadata: DeviceFilterEditorMetadata; readonly onReload: () => void }) {
  const me = useCurrentUser();
  const isReadOnly = me.role === 'viewer';
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const sites = useSites();
  const usage = useFilterUsage(filter?.id ?? null);
  const jobs = usage.data?.scheduled_jobs ?? [];
  const [name, setName] = useState(filter?.name ?? '');
  const [description, setDescription] = useState(filter?.description ?? '');
  const [siteMode, setSiteMode] = useState<FilterSiteMode>(filter?.site_mode ?? 'global');
  const [siteIds, setSiteIds] = useState<readonly number[]>(filter?.site_ids ?? []);
  const [criteria, setCriteria] = useState<CriteriaState>(() => (filter ? fromCriteria(filter.criteria) : EMPTY_CRITERIA));
  const [saved, setSaved] = useState<string | null>(null);

  const numeric = useMemo(() => new Set(metadata.fields.filter((f) => f.kind === 'number').map((f) => f.field)), [metadata]);
  const problems = useMemo(() => validateCriteria(criteria, { numeric }), [criteria, numeric]);
  const labelOf = (field: string) => metadata.fields.find((f) => f.field === field)?.label ?? field;
  const previewRequest = useMemo(
    () => (problems.length > 0 ? null : { site_mode: siteMode, site_ids: [...siteIds], criteria: toCriteria(criteria) }),
    [problems, siteMode, siteIds, criteria],
  );

  const save = useMutation({
    mutationFn: () => {
      const body = { name: name.trim(), description: description.trim() || null, site_mode: siteMode, site_ids: [...siteIds], criteria: toCriteria(criteria) };
      return filter ? updateFilter(filter.id, filter.version, body) : createFilter(body);
    },
    onSuccess: (result) => {
      void queryClient.invalidateQueries({ queryKey: FILTERS_KEY });
      if (!filter) {
        void navigate(`/filters/${result.id}`, { replace: true });
        return;
      }
      queryClient.setQueryData([...FILTERS_KEY, 'one', result.id], result);
      setSaved(`Saved as version ${result.version}.`);
    },
  });
  const isConflict = isApiError(save.error, 'version_conflict');
  const fieldErrors = fieldErrorsOf<Field>(save.error, { name: 'name', description: 'description' }, { conflict: 'name' });
  const otherError = isConflict || fieldErrors.name || fieldErrors.description ? null : save.error;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(null);
    if (name.trim() !== '' && problems.length === 0) save.mutate();
  };

  return (
    <form onSubmit={submit} noValidate data-testid="filter-editor">
      <Stack gap="md" maw={1400}>
        <Breadcrumbs>
          <Anchor component={Link} to="/filters" size="sm">
            Filters
          </Anchor>
          <Text size="sm">{filter ? filter.name : 'New filter'}</Text>
        </Breadcrumbs>
        <Group justify="space-between" align="flex-end">
          <Group gap="sm">
            <Title order={2}>{filter ? filter.name : 'New filter'}</Title>
            {filter?.archived && (
              <Badge color="gray" variant="light" tt="none">
                Archived: matches nothing
              </Badge>
            )}
            {filter && (
              <Text size="sm" c="dimmed">
                version {filter.version}
              </Text>
            )}
            {filter && usage.data && (
              <Badge variant="light" color={jobs.length > 0 ? 'blue' : 'gray'} tt="none" title={jobs.map((j) => j.name).join(', ') || undefined} data-testid="filter-usage">
                {jobs.length === 0 ? 'Not used by scheduled jobs' : `Used by ${jobs.length} scheduled job${jobs.length === 1 ? '' : 's'}`}
              </Badge>
            )}
          </Group>
          {!isReadOnly && (
            <Button
              type="submit"
              leftSection={<IconDeviceFloppy size={16} />}
              loading={save.isPending}
              disabled={name.trim() === '' || problems.length > 0}
              data-testid="filter-save"
            >
              {filter ? 'Save' : 'Create filter'}
            </Button>
          )}
        </Group>
        {saved && (
          <Alert color="teal" variant="light" icon={<IconCircleCheck />} withCloseButton onClose={() => setSaved(null)} data-testid="filter-saved">
            {saved}
          </Alert>
        )}
        {isConflict && (
          <Alert color="orange" variant="light" icon={<IconAlertTriangle />} title="Someone else saved this filter meanwhile" data-testid="filter-conflict">
            <Stack gap="xs" align="flex-start">
              <Text size="sm">
                Your changes were not saved, because the filter changed after you opened it. Load the current version to see it; your edits here are
                replaced by it.
              </Text>
              <Button size="xs" variant="white" color="orange" onClick={onReload} data-testid="filter-conflict-reload">
                Load the current version
              </Button>
            </Stack>
          </Alert>
        )}
        <ApiErrorAlert error={otherError} testId="filter-save-error" />

        <Grid gap="md">
          <Grid.Col span={{ base: 12, xl: 8 }}>
            <Stack gap="md">
              <Card withBorder padding="lg">
                <Stack gap="sm">
                  <TextInput
                    label="Name"
                    required
                    value={name}
                    onChange={(event) => setName(event.currentTarget.value)}
                    maxLength={128}
                    error={fieldErrors.name}
                    disabled={isReadOnly}
                    data-testid="filter-name-input"
                  />
                  <Textarea
                    label="Description"
                    value={description}
                    onChange={(event) => setDescription(event.currentTarget.value)}
                    maxLength={1024}
                    autosize
                    minRows={1}
                    error={fieldErrors.description}
                    disabled={isReadOnly}
                    data-testid="filter-description-input"
                  />
                  <div>
                    <Text size="sm" fw={500} mb={4}>
                      Sites
                    </Text>
                    <SegmentedControl
                      data={FILTER_SITE_MODES.map((mode) => ({ value: mode, label: SITE_MODE_LABELS[mode] }))}
                      value={siteMode}
                      onChange={(value) => setSiteMode(FILTER_SITE_MODES.find((m) => m === value) ?? 'global')}
                      disabled={isReadOnly}
                      data-testid="filter-site-mode"
                    />
                    <Text size="xs" c="dimmed" mt={4}>
                      {siteMode === 'global'
                        ? 'Devices of every site, and devices without a site.'
                        : siteMode === 'specific_sites'
                          ? 'Only devices of the sites chosen below (devices without a site are left out).'
                          : 'Every device except those of the sites chosen below (devices without a site are included).'}
                    </Text>
                  </div>
                  {siteMode !== 'global' && (
                    <MultiSelect
                      label={siteMode === 'specific_sites' ? 'Include these sites' : 'Exclude these sites'}
                      data={(sites.data?.sites ?? []).map((s) => ({ value: String(s.id), label: s.name }))}
                      value={siteIds.map(String)}
                      onChange={(values) => setSiteIds(values.map(Number))}
                      searchable
                      disabled={isReadOnly}
                      data-testid="filter-sites"
                    />
                  )}
                </Stack>
              </Card>
              <Card withBorder padding="lg">
                <Title order={4} mb={4}>
                  Criteria
                </Title>
                <Text size="xs" c="dimmed" mb="md" ff="monospace" data-testid="filter-summary">
                  {describeCriteria(criteria, labelOf)}
                </Text>
                <CriteriaEditor state={criteria} onChange={setCriteria} metadata={metadata} isReadOnly={isReadOnly} />
              </Card>
            </Stack>
          </Grid.Col>
          <Grid.Col span={{ base: 12, xl: 4 }}>
            <FilterPreview request={previewRequest} problems={problems} isAllowed={!isReadOnly} />
          </Grid.Col>
        </Grid>
      </Stack>
    </form>
  );
}
