// Search and the filter picker above the devices list: a debounced search box (server-side `q`),
// a saved filter, a site, a status and online/offline. Every choice lives in the URL.
import type { DeviceStatus } from '@borealis/protocol';
import { Button, Group, SegmentedControl, Select, TextInput } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { IconFilterOff, IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import { useSites } from '../sites/sites-queries';
import { useFilterList } from '../filters/filters-queries';
import { type DeviceListQuery, EMPTY_QUERY, hasNarrowing, PRESENCES, STATUSES } from './device-list-query';
import { STATUS_LABELS } from './DeviceStatusBadge';

const SEARCH_DEBOUNCE_MS = 300;

export interface DeviceToolbarProps {
  readonly query: DeviceListQuery;
  readonly onChange: (query: DeviceListQuery) => void;
}

export function DeviceToolbar({ query, onChange }: DeviceToolbarProps) {
  const [search, setSearch] = useState(query.q);
  const sites = useSites();
  const filters = useFilterList(false);
  const pushSearch = useDebouncedCallback((q: string) => onChange({ ...query, q: q.trim() }), SEARCH_DEBOUNCE_MS);
  // The URL changed from outside (back button, "Clear"): the box follows it.
  const [seenQ, setSeenQ] = useState(query.q);
  if (seenQ !== query.q) {
    setSeenQ(query.q);
    if (search.trim() !== query.q) setSearch(query.q);
  }

  return (
    <Group gap="sm" align="flex-end" wrap="wrap" data-testid="devices-toolbar">
      <TextInput
        aria-label="Search devices"
        placeholder="Search name, IP, user…"
        leftSection={<IconSearch size={16} />}
        value={search}
        onChange={(event) => {
          setSearch(event.currentTarget.value);
          pushSearch(event.currentTarget.value);
        }}
        w={260}
        data-testid="devices-search"
      />
      <Select
        aria-label="Saved filter"
        placeholder="Saved filter"
        clearable
        searchable
        data={(filters.data?.filters ?? []).map((f) => ({ value: String(f.id), label: f.name }))}
        value={query.filter_id || null}
        onChange={(value) => onChange({ ...query, filter_id: value ?? '' })}
        w={200}
        data-testid="devices-filter-select"
      />
      <Select
        aria-label="Site"
        placeholder="Any site"
        clearable
        searchable
        data={(sites.data?.sites ?? []).map((s) => ({ value: String(s.id), label: s.name }))}
        value={query.site_id || null}
        onChange={(value) => onChange({ ...query, site_id: value ?? '' })}
        w={180}
        data-testid="devices-site-select"
      />
      <Select
        aria-label="Status"
        placeholder="Any status"
        clearable
        data={STATUSES.map((s: DeviceStatus) => ({ value: s, label: STATUS_LABELS[s] }))}
        value={query.status || null}
        onChange={(value) => onChange({ ...query, status: STATUSES.find((s) => s === value) ?? '' })}
        w={150}
        data-testid="devices-status-select"
      />
      <SegmentedControl
        aria-label="Presence"
        data={[
          { value: '', label: 'All' },
          { value: 'online', label: 'Online' },
          { value: 'offline', label: 'Offline' },
        ]}
        value={query.presence}
        onChange={(value) => onChange({ ...query, presence: PRESENCES.find((p) => p === value) ?? '' })}
        data-testid="devices-presence"
      />
      {hasNarrowing(query) && (
        <Button
          variant="subtle"
          leftSection={<IconFilterOff size={16} />}
          onClick={() => {
            setSearch('');
            onChange({ ...EMPTY_QUERY, sort: query.sort });
          }}
          data-testid="devices-clear"
        >
          Clear
        </Button>
      )}
    </Group>
  );
}
