// The official Linux set (automation.md §1.7): metadata for each bundled assembly, whose script
// lives in assemblies/official/src/<slug>.sh. scripts/build-official-assemblies.ts writes items/ + manifest.json.

import type { AssemblyPayloadInput } from '@borealis/protocol';

export interface OfficialEntry {
  readonly guid: string;
  readonly slug: string;
  readonly name: string;
  readonly summary: string;
  readonly description: string;
  readonly timeout_seconds: number;
  readonly warning_exit_codes: readonly number[];
  readonly variables: NonNullable<AssemblyPayloadInput['variables']>;
}

export const OFFICIAL_CATALOG: readonly OfficialEntry[] = [
  {
    guid: '33a79c67-f7f2-408f-b028-d84bebe6547f',
    slug: 'system-information',
    name: 'Linux - System Information',
    summary: 'Host, OS, kernel, uptime, CPU, memory, disks and addresses.',
    description: 'Read-only overview of the device. Works on Debian/Ubuntu and RHEL-family hosts, with or without systemd.',
    timeout_seconds: 120,
    warning_exit_codes: [],
    variables: [],
  },
  {
    guid: '935f729d-afd4-407a-a3e4-12980cef8853',
    slug: 'disk-usage',
    name: 'Linux - Disk Usage',
    summary: 'Usage of each filesystem; Warning when one is above WARN_PERCENT.',
    description: 'Lists real filesystems (no tmpfs/devtmpfs/squashfs) and exits 2, reported as Warning, when any is above WARN_PERCENT percent full.',
    timeout_seconds: 120,
    warning_exit_codes: [2],
    variables: [{ name: 'WARN_PERCENT', label: 'Warn above (%)', type: 'number', default: 90, required: false, description: 'A filesystem fuller than this many percent makes the run a Warning.' }],
  },
  {
    guid: '6f487c0f-e8be-473f-9abf-d19902fe0ee3',
    slug: 'service-status',
    name: 'Linux - Service Status',
    summary: 'Status of one service, or the failed units (Warning when any).',
    description: 'With SERVICE_NAME: its systemd status; exit 1 when it is not active. Without: failed units (exit 2, Warning) and running services.',
    timeout_seconds: 120,
    warning_exit_codes: [2],
    variables: [{ name: 'SERVICE_NAME', label: 'Service (optional)', type: 'string', default: '', required: false, description: 'A systemd unit such as ssh or nginx.service; empty lists failed units.' }],
  },
  {
    guid: 'd7c196ec-78ba-456b-a4da-86d1b38fcfc8',
    slug: 'restart-service',
    name: 'Linux - Restart Service',
    summary: 'Restarts SERVICE_NAME and checks that it is active again.',
    description: 'systemctl restart (or the init script), then reports the state; fails when the service is not active afterwards.',
    timeout_seconds: 300,
    warning_exit_codes: [],
    variables: [{ name: 'SERVICE_NAME', label: 'Service', type: 'string', required: true, description: 'The systemd unit to restart.' }],
  },
  {
    guid: '85ce30a4-6c26-46e2-93a9-904b9bdfe1fe',
    slug: 'install-package',
    name: 'Linux - Install Package',
    summary: 'Installs PACKAGE_NAME with apt-get or dnf/yum.',
    description: 'Refreshes the apt index first on Debian/Ubuntu; keeps existing configuration files. Several names may be given, separated by spaces.',
    timeout_seconds: 1800,
    warning_exit_codes: [],
    variables: [{ name: 'PACKAGE_NAME', label: 'Package(s)', type: 'string', required: true, description: 'Package names separated by spaces.' }],
  },
  {
    guid: 'ac0354b4-f9fe-4af3-ace9-50df776b02ab',
    slug: 'remove-package',
    name: 'Linux - Remove Package',
    summary: 'Removes PACKAGE_NAME with apt-get or dnf/yum.',
    description: 'Removes the named packages (configuration files are kept on Debian/Ubuntu).',
    timeout_seconds: 1800,
    warning_exit_codes: [],
    variables: [{ name: 'PACKAGE_NAME', label: 'Package(s)', type: 'string', required: true, description: 'Package names separated by spaces.' }],
  },
  {
    guid: '78873342-2a7f-4d73-a2bf-fede68dc7044',
    slug: 'list-pending-updates',
    name: 'Linux - List Pending Updates',
    summary: 'Upgradable packages and how many are security updates.',
    description: 'Read-only: a simulated apt upgrade or dnf/yum check-update against the current package index.',
    timeout_seconds: 600,
    warning_exit_codes: [],
    variables: [],
  },
  {
    guid: '7a77d29d-4bb2-4a14-9e80-c85a2d361cea',
    slug: 'update-packages',
    name: 'Linux - Update Packages',
    summary: 'Installs pending updates (all, or security only).',
    description: 'apt-get dist-upgrade or dnf/yum upgrade; with SECURITY_ONLY, unattended-upgrade or the security-origin packages on apt, --security on dnf/yum. Says when a reboot is needed.',
    timeout_seconds: 3600,
    warning_exit_codes: [],
    variables: [{ name: 'SECURITY_ONLY', label: 'Security updates only', type: 'boolean', default: false, required: false, description: 'Install only security updates.' }],
  },
  {
    guid: 'cb85487c-4076-4b7e-85d2-973f65a6efbd',
    slug: 'reboot-required-check',
    name: 'Linux - Reboot Required Check',
    summary: 'Warning when the host waits for a reboot.',
    description: 'Debian/Ubuntu: /var/run/reboot-required; RHEL-family: needs-restarting -r or a newer installed kernel. Exit 2 (Warning) when a reboot is pending.',
    timeout_seconds: 120,
    warning_exit_codes: [2],
    variables: [],
  },
  {
    guid: '75919436-edcc-44ba-bd8c-7df64ca6180e',
    slug: 'collect-logs',
    name: 'Linux - Collect Logs',
    summary: 'Journal entries of the last SINCE_HOURS hours, optionally for one UNIT.',
    description: 'journalctl output (syslog files where no journal exists), at most MAX_LINES lines.',
    timeout_seconds: 300,
    warning_exit_codes: [],
    variables: [
      { name: 'UNIT', label: 'Unit (optional)', type: 'string', default: '', required: false, description: 'A systemd unit; empty collects everything.' },
      { name: 'SINCE_HOURS', label: 'Hours back', type: 'number', default: 24, required: false, description: 'How far back to read.' },
      { name: 'MAX_LINES', label: 'Max lines', type: 'number', default: 2000, required: false, description: 'The newest lines kept.' },
    ],
  },
  {
    guid: '8f5a7031-1330-4c99-9977-598fcb19c5a1',
    slug: 'top-processes',
    name: 'Linux - Top Processes',
    summary: 'The busiest processes by CPU and by memory.',
    description: 'Read-only ps snapshot with load average.',
    timeout_seconds: 120,
    warning_exit_codes: [],
    variables: [{ name: 'COUNT', label: 'Rows', type: 'number', default: 10, required: false, description: 'Processes listed per table.' }],
  },
  {
    guid: '268b30d3-ea60-47fe-a907-64c7bb904dcd',
    slug: 'network-diagnostics',
    name: 'Linux - Network Diagnostics',
    summary: 'Addresses, routes, DNS, listening ports; optional reachability of TARGET.',
    description: 'Read-only. With TARGET, checks name resolution and reachability and exits 2 (Warning) when either fails.',
    timeout_seconds: 180,
    warning_exit_codes: [2],
    variables: [{ name: 'TARGET', label: 'Host to test (optional)', type: 'string', default: '', required: false, description: 'A host name or address to resolve and reach.' }],
  },
  {
    guid: '91cbcb8e-8590-462b-abf3-b85021fe812e',
    slug: 'reboot',
    name: 'Linux - Reboot',
    summary: 'Reboots the device after DELAY_MINUTES.',
    description: 'shutdown -r +DELAY_MINUTES with a message to logged-in users; 0 reboots after 10 seconds so the result reaches the engine first.',
    timeout_seconds: 120,
    warning_exit_codes: [],
    variables: [{ name: 'DELAY_MINUTES', label: 'Delay (minutes)', type: 'number', default: 1, required: false, description: '0 to 1440.' }],
  },
];
