// The quick-job launcher: pick an assembly, fill its variables, set timeout and expiry, and run it on
// the given devices; success opens the live results page. One Idempotency-Key per opened dialog, so
// a double click or a retry after a network error starts one job.
import type { AssemblyVariable, QuickRunTargets } from '@borealis/protocol';
import { Alert, Button, Group, Modal, NumberInput, Select, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { ApiErrorAlert } from '../../shared/ApiErrorAlert';
import { useAssembly, useAssemblySearch, useQuickRun } from './quick-jobs-queries';
import { type FormValue, initialValues, missingRequired, overridesOf } from './variable-form';

export interface QuickJobLauncherProps {
  readonly opened: boolean;
  readonly onClose: () => void;
  readonly targets: QuickRunTargets;
  /** "3 devices", "web-01": what the operator is about to run on. */
  readonly targetLabel: string;
}

const EXPIRY_CHOICES = [
  { value: '0', label: 'Online devices only' },
  { value: '3600', label: '1 hour' },
  { value: '14400', label: '4 hours' },
  { value: '86400', label: '1 day' },
  { value: '604800', label: '7 days' },
];

export function QuickJobLauncher({ opened, onClose, targets, targetLabel }: QuickJobLauncherProps) {
  const navigate = useNavigate();
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 250);
  const [guid, setGuid] = useState<string | null>(null);
  const [values, setValues] = useState<Record<string, FormValue>>({});
  const [timeout, setTimeoutSeconds] = useState<number | ''>('');
  const [expiry, setExpiry] = useState('3600');
  const [key, setKey] = useState(() => crypto.randomUUID());
  const assemblies = useAssemblySearch(debounced, opened);
  const assembly = useAssembly(guid);
  const run = useQuickRun();
  const variables: readonly AssemblyVariable[] = useMemo(() => assembly.data?.payload.variables ?? [], [assembly.data]);

  useEffect(() => {
    if (opened) {
      setKey(crypto.randomUUID());
      run.reset();
    }
    // Only a newly opened dialog gets a new key.
  }, [opened]);
  useEffect(() => {
    setValues(initialValues(variables));
    setTimeoutSeconds('');
  }, [variables]);

  const missing = missingRequired(variables, values);
  const submit = () => {
    if (!guid || missing.length) return;
    run.mutate(
      {
        key,
        body: {
          assembly_guid: guid,
          targets,
          variable_values: overridesOf(variables, values),
          ...(timeout === '' ? {} : { timeout_seconds: timeout }),
          expires_in_seconds: Number(expiry),
        },
      },
      { onSuccess: (res) => void navigate(`/quick-jobs/${res.quick_job_id}`) },
    );
  };

  return (
    <Modal opened={opened} onClose={onClose} title={`Run a script on ${targetLabel}`} size="lg" centered data-testid="quick-job-launcher">
      <Stack>
        <Select
          label="Assembly"
          placeholder="Search scripts"
          searchable
          searchValue={search}
          onSearchChange={setSearch}
          data={(assemblies.data?.items ?? []).filter((a) => a.assembly_type === 'script').map((a) => ({ value: a.assembly_guid, label: a.display_name }))}
          value={guid}
          onChange={setGuid}
          nothingFoundMessage={assemblies.isFetching ? 'Searching…' : 'No script matches'}
          data-testid="launcher-assembly"
        />
        {assembly.data?.summary && (
          <Text size="sm" c="dimmed">
            {assembly.data.summary}
          </Text>
        )}
        {variables.map((v) => (
          <VariableField key={v.name} variable={v} value={values[v.name]} onChange={(value) => setValues((old) => ({ ...old, [v.name]: value }))} />
        ))}
        <Group grow>
          <NumberInput
            label="Timeout (seconds)"
            placeholder={String(assembly.data?.payload.timeout_seconds ?? 3600)}
            min={1}
            max={86_400}
            value={timeout}
            onChange={(v) => setTimeoutSeconds(typeof v === 'number' ? v : '')}
            data-testid="launcher-timeout"
          />
          <Select label="Offline devices wait" data={EXPIRY_CHOICES} value={expiry} onChange={(v) => setExpiry(v ?? '3600')} allowDeselect={false} data-testid="launcher-expiry" />
        </Group>
        {missing.length > 0 && guid && (
          <Alert color="yellow" data-testid="launcher-missing">
            Fill in: {missing.join(', ')}
          </Alert>
        )}
        {run.error && <ApiErrorAlert error={run.error} title="The job was not started" testId="launcher-error" />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Close
          </Button>
          <Button onClick={submit} disabled={!guid || missing.length > 0} loading={run.isPending} data-testid="launcher-run">
            Run now
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function VariableField({ variable, value, onChange }: { readonly variable: AssemblyVariable; readonly value: FormValue | undefined; readonly onChange: (v: FormValue) => void }) {
  const label = variable.label || variable.name;
  const common = { label, description: variable.description, required: variable.required, 'data-testid': `launcher-var-${variable.name}` };
  if (variable.type === 'boolean') return <Switch {...common} checked={value === true} onChange={(e) => onChange(e.currentTarget.checked)} />;
  if (variable.type === 'number') return <NumberInput {...common} value={typeof value === 'number' ? value : ''} onChange={(v) => onChange(typeof v === 'number' ? v : '')} />;
  if (variable.type === 'credential') return <TextInput {...common} disabled value="" placeholder="Credential variables are not available yet" />;
  return <TextInput {...common} value={typeof value === 'string' ? value : String(value ?? '')} onChange={(e) => onChange(e.currentTarget.value)} />;
}

/** A button that opens the launcher for the given devices (device page, selected rows). */
export function RunQuickJobButton({ targets, targetLabel, disabled }: { readonly targets: QuickRunTargets; readonly targetLabel: string; readonly disabled?: boolean }) {
  const [opened, setOpened] = useState(false);
  return (
    <>
      <Button variant="light" onClick={() => setOpened(true)} disabled={disabled} data-testid="run-quick-job">
        Run script…
      </Button>
      <QuickJobLauncher opened={opened} onClose={() => setOpened(false)} targets={targets} targetLabel={targetLabel} />
    </>
  );
}
