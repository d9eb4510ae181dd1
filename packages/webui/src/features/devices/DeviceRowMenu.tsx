// The admin actions on one device, offered only where they apply to its current status, and
// "Run script…" (a quick job) for an active device when the caller passes onRunScript.
import type { DeviceListItem, DeviceStatus } from '@borealis/protocol';
import { ActionIcon, Menu } from '@mantine/core';
import { IconArchive, IconBan, IconDots, IconLockOpen, IconPlayerPlay, IconShieldLock, IconTrashX } from '@tabler/icons-react';
import type { DeviceAction } from './devices-api';

export type RowAction = DeviceAction;

/** Which actions make sense for a device in `status`. */
export function actionsFor(status: DeviceStatus): readonly RowAction[] {
  switch (status) {
    case 'active':
      return ['quarantine', 'revoke', 'retire', 'purge'];
    case 'quarantined':
      return ['unquarantine', 'revoke', 'retire', 'purge'];
    case 'revoked':
      return ['retire', 'purge'];
    case 'decommissioned':
      return ['purge'];
  }
}

const ITEMS: Readonly<Record<RowAction, { label: string; icon: typeof IconDots; isDanger: boolean }>> = {
  quarantine: { label: 'Quarantine', icon: IconShieldLock, isDanger: false },
  unquarantine: { label: 'Release from quarantine', icon: IconLockOpen, isDanger: false },
  revoke: { label: 'Revoke', icon: IconBan, isDanger: true },
  retire: { label: 'Retire', icon: IconArchive, isDanger: true },
  purge: { label: 'Purge', icon: IconTrashX, isDanger: true },
};

export function DeviceRowMenu<D extends Pick<DeviceListItem, 'hostname' | 'status'>>({
  device,
  onAction,
  onRunScript,
  isInitiallyOpen = false,
  onClose,
}: {
  readonly device: D;
  readonly onAction: (action: RowAction, device: D) => void;
  readonly onRunScript?: (device: D) => void;
  readonly isInitiallyOpen?: boolean;
  readonly onClose?: () => void;
}) {
  const actions = actionsFor(device.status);
  return (
    <Menu position="bottom-end" withinPortal shadow="md" width={220} defaultOpened={isInitiallyOpen} onClose={onClose}>
      <Menu.Target>
        <ActionIcon variant="subtle" color="gray" aria-label={`Actions for ${device.hostname}`} data-testid="device-actions">
          <IconDots size={18} />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        {onRunScript && device.status === 'active' && (
          <>
            <Menu.Item leftSection={<IconPlayerPlay size={16} />} onClick={() => onRunScript(device)} data-testid="device-action-run-script">
              Run script…
            </Menu.Item>
            <Menu.Divider />
          </>
        )}
        {actions.map((action, index) => {
          const item = ITEMS[action];
          const isFirstDanger = item.isDanger && (index === 0 || !ITEMS[actions[index - 1]!].isDanger);
          return (
            <div key={action}>
              {isFirstDanger && index > 0 && <Menu.Divider />}
              <Menu.Item
                color={item.isDanger ? 'red' : undefined}
                leftSection={<item.icon size={16} />}
                onClick={() => onAction(action, device)}
                data-testid={`device-action-${action}`}
              >
                {item.label}
              </Menu.Item>
            </div>
          );
        })}
      </Menu.Dropdown>
    </Menu>
  );
}
