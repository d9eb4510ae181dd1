// The audit filter bar: action (exact or `prefix.*`), outcome, severity, actor name prefix and a time
// range. Applying writes them to the URL, so a filtered view can be bookmarked and shared.
import { AuditActionFilterSchema } from '@borealis/protocol';
import { Button, Card, Code, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import { IconFilter, IconFilterOff } from '@tabler/icons-react';
import { type FormEvent, useState } from 'react';
import { fromLocalInput, toLocalInput } from '../../shared/datetime-local';
import { fieldErrorsOf } from '../../shared/form-errors';
import { type AuditFilters, hasFilters, NO_FILTERS, OUTCOMES, SEVERITIES } from './audit-filters';

type Field = 'action' | 'actor' | 'from' | 'to' | 'outcome' | 'severity';

const SERVER_PATHS: Readonly<Record<string, Field>> = {
  'query.action': 'action',
  'query.action.0': 'action',
  'query.actor': 'actor',
  'query.from': 'from',
  'query.to': 'to',
  'query.outcome': 'outcome',
  'query.severity': 'severity',
};

const capitalised = (word: string) => word[0]!.toUpperCase() + word.slice(1);

export interface AuditFiltersFormProps {
  readonly filters: AuditFilters;
  readonly onApply: (filters: AuditFilters) => void;
  /** The engine's refusal of the applied filters (422), shown on the fields it names. */
  readonly error: unknown;
}

export function AuditFiltersForm({ filters, onApply, error }: AuditFiltersFormProps) {
  const [action, setAction] = useState(filters.action);
  const [outcome, setOutcome] = useState<string>(filters.outcome);
  const [severity, setSeverity] = useState<string>(filters.severity);
  const [actor, setActor] = useState(filters.actor);
  const [from, setFrom] = useState(toLocalInput(filters.from));
  const [to, setTo] = useState(toLocalInput(filters.to));
  const [localErrors, setLocalErrors] = useState<Partial<Record<Field, string>>>({});
  const serverErrors = fieldErrorsOf<Field>(error, SERVER_PATHS);
  const errorOf = (field: Field) => localErrors[field] ?? serverErrors[field];

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const fromIso = fromLocalInput(from);
    const toIso = fromLocalInput(to);
    const trimmedAction = action.trim();
    const found: Partial<Record<Field, string>> = {
      action:
        trimmedAction && !AuditActionFilterSchema.safeParse(trimmedAction).success
          ? 'An action such as auth.login.failed, or a prefix such as auth.*'
          : undefined,
      to: fromIso && toIso && Date.parse(toIso) < Date.parse(fromIso) ? 'Must not be before From' : undefined,
    };
    setLocalErrors(found);
    if (found.action || found.to) return;
    onApply({
      action: trimmedAction,
      outcome: OUTCOMES.find((o) => o === outcome) ?? '',
      severity: SEVERITIES.find((s) => s === severity) ?? '',
      actor: actor.trim(),
      from: fromIso ?? '',
      to: toIso ?? '',
    });
  };

  return (
    <Card withBorder padding="md">
      <form onSubmit={submit} noValidate data-testid="audit-filters">
        <Stack gap="sm">
          <Group align="flex-start" gap="sm" wrap="wrap">
            <TextInput
              label="Action"
              placeholder="auth.* or user.created"
              value={action}
              onChange={(event) => {
                setAction(event.currentTarget.value);
                setLocalErrors((e) => ({ ...e, action: undefined }));
              }}
              error={errorOf('action')}
              w={200}
              data-testid="audit-filter-action"
            />
            <Select
              label="Outcome"
              placeholder="Any"
              data={OUTCOMES.map((o) => ({ value: o, label: capitalised(o) }))}
              value={outcome || null}
              onChange={(value) => setOutcome(value ?? '')}
              clearable
              error={errorOf('outcome')}
              w={130}
              comboboxProps={{ withinPortal: true }}
              data-testid="audit-filter-outcome"
            />
            <Select
              label="Severity"
              placeholder="Any"
              data={SEVERITIES.map((s) => ({ value: s, label: capitalised(s) }))}
              value={severity || null}
              onChange={(value) => setSeverity(value ?? '')}
              clearable
              error={errorOf('severity')}
              w={130}
              comboboxProps={{ withinPortal: true }}
              data-testid="audit-filter-severity"
            />
            <TextInput
              label="Actor"
              placeholder="User name starts with"
              value={actor}
              onChange={(event) => setActor(event.currentTarget.value)}
              error={errorOf('actor')}
              w={180}
              data-testid="audit-filter-actor"
            />
            <TextInput
              type="datetime-local"
              label="From"
              value={from}
              onChange={(event) => setFrom(event.currentTarget.value)}
              error={errorOf('from')}
              w={200}
              data-testid="audit-filter-from"
            />
            <TextInput
              type="datetime-local"
              label="To"
              value={to}
              onChange={(event) => {
                setTo(event.currentTarget.value);
                setLocalErrors((e) => ({ ...e, to: undefined }));
              }}
              error={errorOf('to')}
              w={200}
              data-testid="audit-filter-to"
            />
          </Group>
          <Group justify="space-between" gap="xs">
            <Text size="xs" c="dimmed">
              Action: exact, or a prefix ending in <Code>.*</Code>. Times are in your local time zone.
            </Text>
            <Group gap="xs">
              <Button type="submit" leftSection={<IconFilter size={16} />} data-testid="audit-filter-apply">
                Apply filters
              </Button>
              {hasFilters(filters) && (
                <Button
                  variant="default"
                  leftSection={<IconFilterOff size={16} />}
                  onClick={() => onApply(NO_FILTERS)}
                  data-testid="audit-filter-clear"
                >
                  Clear
                </Button>
              )}
            </Group>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
