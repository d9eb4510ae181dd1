// Plain words for an approval's conflict and for each resolution, so an approver knows what a
// choice does to the existing device (agent-protocol §2.5).
import type { ConflictResolution, DeviceApproval } from '@borealis/protocol';

export function describeConflict(approval: DeviceApproval): string | null {
  const device = approval.conflict_device;
  const name = device ? `${device.display_name} (${device.status})` : 'a device that no longer exists';
  switch (approval.conflict_kind) {
    case 'none':
      return null;
    case 'same_key':
      return `This agent's key already belongs to ${name}. Approving re-enrols that device; it keeps its GUID and security status.`;
    case 'same_hostname':
      return `${name} already has the host name ${approval.hostname_claimed}, with a different key. Either this is that machine reinstalled, or a second machine with the same name.`;
    case 'revoked_device':
      return `This request matches ${name}, which was revoked or decommissioned. It can only come back by overwriting that device, which makes it active again.`;
  }
}

export const RESOLUTION_LABELS: Readonly<Record<ConflictResolution, { label: string; description: string }>> = {
  merge: { label: 'Merge', description: 'Re-enrol the existing device with this agent; GUID, history and status stay.' },
  overwrite: {
    label: 'Overwrite',
    description: 'Reuse the existing device and GUID with the new key; the old key and its tokens stop working at once.',
  },
  coexist: { label: 'Keep both', description: 'Enrol as a new device with a new GUID; its name gets a -1, -2… suffix.' },
};
