// The devices grid: only the rows in view are rendered (50,000 devices scroll like 50), sortable
// headers ask the engine for a new order, and nearing the bottom fetches the next cursor page.
import type { DeviceListItem, DeviceSort } from '@borealis/protocol';
import { ActionIcon, Anchor, Box, Group, Loader, Stack, Text, UnstyledButton } from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconDots, IconSelector } from '@tabler/icons-react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, type ReactNode, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { formatDateTime } from '../../shared/format-date-time';
import { formatRelative } from '../../shared/format-relative';
import { DeviceRowMenu, type RowAction } from './DeviceRowMenu';
import { type SortColumn, sortDirection } from './device-list-query';
import { DeviceStatusBadge } from './DeviceStatusBadge';
import { PresenceDot } from './PresenceDot';

const ROW_HEIGHT = 44;
/** Start fetching the next page this many rows before the end, so scrolling rarely waits. */
const PREFETCH_ROWS = 30;
const GRID = '24px minmax(160px, 2fr) minmax(100px, 1fr) minmax(140px, 1.4fr) 112px minmax(80px, 0.8fr) 72px 96px 100px 32px';
const MIN_WIDTH = 1060;

export interface DeviceTableProps {
  readonly devices: readonly DeviceListItem[];
  /** Changes with the search, sort or filters: the list then starts again from its top. */
  readonly resetKey: string;
  readonly sort: DeviceSort | '';
  readonly onSort: (column: SortColumn) => void;
  readonly hasNextPage: boolean;
  readonly isFetchingNextPage: boolean;
  readonly onNeedMore: () => void;
  readonly now: number;
  readonly canManage: boolean;
  readonly onAction: (action: RowAction, device: DeviceListItem) => void;
  /** Offers "Run script…" in the row menu (active devices). */
  readonly onRunScript?: (device: DeviceListItem) => void;
}

export function DeviceTable(props: DeviceTableProps) {
  const { devices, hasNextPage, isFetchingNextPage, onNeedMore } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: devices.length + (hasNextPage ? 1 : 0),
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const { resetKey } = props;
  useEffect(() => {
    scrollRef.current?.scrollTo({ top: 0 });
  }, [resetKey]);
  const lastIndex = items.at(-1)?.index ?? 0;

  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastIndex >= devices.length - PREFETCH_ROWS) onNeedMore();
  }, [lastIndex, devices.length, hasNextPage, isFetchingNextPage, onNeedMore]);

  return (
    <Box
      ref={scrollRef}
      data-testid="devices-scroller"
      // Grows with its rows up to the window's height, then scrolls inside (the virtualiser needs that).
      style={{ maxHeight: 'max(320px, calc(100dvh - 250px))', overflow: 'auto' }}
    >
      <Box miw={MIN_WIDTH} role="table" aria-label="Devices" aria-rowcount={devices.length} data-testid="devices-table">
        <Header sort={props.sort} onSort={props.onSort} />
        <Box role="rowgroup" style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const device = devices[item.index];
            if (!device) {
              return (
                <Group
                  key="loader"
                  style={{ position: 'absolute', top: 0, left: 0, right: 0, height: item.size, transform: `translateY(${item.start}px)` }}
                  justify="center"
                  data-testid="devices-loading-more"
                >
                  <Loader size="sm" />
                  <Text size="sm" c="dimmed">
                    Loading more devices…
                  </Text>
                </Group>
              );
            }
            return (
              <Row
                key={device.guid}
                device={device}
                start={item.start}
                size={item.size}
                index={item.index}
                now={props.now}
                canManage={props.canManage}
                onAction={props.onAction}
                onRunScript={props.onRunScript}
              />
            );
          })}
        </Box>
      </Box>
    </Box>
  );
}

const HEADERS: readonly { label: string; column?: SortColumn; align?: 'right' }[] = [
  { label: '' },
  { label: 'Name', column: 'hostname' },
  { label: 'Site', column: 'site' },
  { label: 'Operating system', column: 'os' },
  { label: 'IP address' },
  { label: 'Last user' },
  { label: 'Agent' },
  { label: 'Last seen', column: 'last_seen' },
  { label: 'CPU / mem' },
  { label: '' },
];

function Header({ sort, onSort }: Pick<DeviceTableProps, 'sort' | 'onSort'>) {
  return (
    <Box
      role="row"
      px="sm"
      style={{
        display: 'grid',
        gridTemplateColumns: GRID,
        alignItems: 'center',
        gap: 12,
        height: 40,
        position: 'sticky',
        top: 0,
        zIndex: 2,
        background: 'var(--mantine-color-body)',
        borderBottom: '1px solid var(--mantine-color-default-border)',
      }}
    >
      {HEADERS.map(({ label, column }, index) => {
        const direction = column ? sortDirection(sort, column) : null;
        return (
          <Box
            key={index}
            role="columnheader"
            aria-sort={direction === 'asc' ? 'ascending' : direction === 'desc' ? 'descending' : undefined}
          >
            {column ? (
              <UnstyledButton onClick={() => onSort(column)} data-testid={`devices-sort-${column}`} data-direction={direction ?? ''}>
                <Group gap={4} wrap="nowrap">
                  <Text size="sm" fw={600}>
                    {label}
                  </Text>
                  {direction === 'asc' ? (
                    <IconArrowUp size={14} />
                  ) : direction === 'desc' ? (
                    <IconArrowDown size={14} />
                  ) : (
                    <IconSelector size={14} color="var(--mantine-color-dimmed)" />
                  )}
                </Group>
              </UnstyledButton>
            ) : (
              <Text size="sm" fw={600} style={{ whiteSpace: 'nowrap' }}>
                {label}
              </Text>
            )}
          </Box>
        );
      })}
    </Box>
  );
}

/**
 * One device row. Memoised and kept light (native titles instead of tooltips, plain bars, the menu
 * mounted only when opened): scrolling mounts dozens of these per frame.
 */
const Row = memo(function Row({ device, start, size, index, now, canManage, onAction, onRunScript }: RowProps) {
  return (
    <Box
      role="row"
      aria-rowindex={index + 1}
      px="sm"
      data-testid="device-row"
      data-guid={device.guid}
      data-hostname={device.hostname}
      style={{
        position: 'absolute',
        top: 0,
        left: 0,
        right: 0,
        height: size,
        transform: `translateY(${start}px)`,
        display: 'grid',
        gridTemplateColumns: GRID,
        alignItems: 'center',
        gap: 12,
        borderBottom: '1px solid var(--mantine-color-default-border)',
      }}
    >
      <Cell>
        <PresenceDot presence={device.presence} isPlain />
      </Cell>
      <Cell>
        <Group gap={6} wrap="nowrap">
          <Anchor component={Link} to={`/devices/${device.guid}`} size="sm" fw={500} truncate="end" data-testid="device-name">
            {device.hostname}
          </Anchor>
          <DeviceStatusBadge status={device.status} />
        </Group>
        {device.description && (
          <Text size="xs" c="dimmed" truncate="end">
            {device.description}
          </Text>
        )}
      </Cell>
      <Cell>
        <Dimmable value={device.site_name} fallback="No site" testId="device-site" />
      </Cell>
      <Cell>
        <Dimmable value={device.operating_system} testId="device-os" />
      </Cell>
      <Cell>
        <Dimmable value={device.internal_ip} mono />
      </Cell>
      <Cell>
        <Dimmable value={device.last_user} />
      </Cell>
      <Cell>
        <Dimmable value={device.agent_version} mono />
      </Cell>
      <Cell>
        <Text size="sm" title={device.last_seen ? formatDateTime(device.last_seen) : 'Never connected'} data-testid="device-last-seen">
          {device.presence === 'online' ? 'now' : formatRelative(device.last_seen, now)}
        </Text>
      </Cell>
      <Cell>
        <Usage cpu={device.cpu_percent} memory={device.memory_percent} />
      </Cell>
      <Cell>{canManage && <LazyRowMenu device={device} onAction={onAction} onRunScript={onRunScript} />}</Cell>
    </Box>
  );
});

interface RowProps {
  readonly device: DeviceListItem;
  readonly start: number;
  readonly size: number;
  readonly index: number;
  readonly now: number;
  readonly canManage: boolean;
  readonly onAction: DeviceTableProps['onAction'];
  readonly onRunScript?: DeviceTableProps['onRunScript'];
}

/** A plain button until clicked; the Mantine menu (and its positioning) exists only while open. */
function LazyRowMenu({ device, onAction, onRunScript }: { readonly device: DeviceListItem; readonly onAction: DeviceTableProps['onAction']; readonly onRunScript?: DeviceTableProps['onRunScript'] }) {
  const [isOpen, setIsOpen] = useState(false);
  if (isOpen) return <DeviceRowMenu device={device} onAction={onAction} onRunScript={onRunScript} isInitiallyOpen onClose={() => setIsOpen(false)} />;
  return (
    <ActionIcon variant="subtle" color="gray" aria-label={`Actions for ${device.hostname}`} onClick={() => setIsOpen(true)} data-testid="device-actions">
      <IconDots size={18} />
    </ActionIcon>
  );
}

function Cell({ children }: { readonly children: ReactNode }) {
  return (
    <Box role="cell" style={{ minWidth: 0, overflow: 'hidden' }}>
      {children}
    </Box>
  );
}

function Dimmable({ value, fallback = '—', mono = false, testId }: { readonly value: string | null; readonly fallback?: string; readonly mono?: boolean; readonly testId?: string }) {
  return (
    <Text size="sm" truncate="end" ff={mono ? 'monospace' : undefined} c={value ? undefined : 'dimmed'} title={value ?? undefined} data-testid={testId}>
      {value ?? fallback}
    </Text>
  );
}

/** Two thin bars; colour turns at 75 % and 90 % so a busy machine stands out in a long list. */
function Usage({ cpu, memory }: { readonly cpu: number | null; readonly memory: number | null }) {
  if (cpu === null && memory === null) return <Text size="sm" c="dimmed">—</Text>;
  return (
    <Stack gap={4} title={`CPU ${cpu === null ? '—' : `${Math.round(cpu)} %`} · memory ${memory === null ? '—' : `${Math.round(memory)} %`}`} data-testid="device-usage">
      <Bar value={cpu} label="CPU" />
      <Bar value={memory} label="Memory" />
    </Stack>
  );
}

function Bar({ value, label }: { readonly value: number | null; readonly label: string }) {
  const percent = Math.min(100, Math.max(0, value ?? 0));
  return (
    <div role="meter" aria-label={label} aria-valuenow={value ?? undefined} aria-valuemin={0} aria-valuemax={100} style={{ height: 6, borderRadius: 3, background: 'var(--mantine-color-default-border)', overflow: 'hidden' }}>
      <div style={{ width: `${percent}%`, height: '100%', background: `var(--mantine-color-${usageColor(value)}-6)` }} />
    </div>
  );
}

export function usageColor(value: number | null): string {
  if (value === null) return 'gray';
  if (value >= 90) return 'red';
  if (value >= 75) return 'yellow';
  return 'blue';
}
