// Import an assembly document (our export, an upstream export or authoring JSON) from a file or
// pasted text, choosing what happens when its GUID already exists (automation.md §1.4).
import { Button, FileButton, Group, Modal, Select, Stack, Text, Textarea } from '@mantine/core';
import { IconFileUpload } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import type { Assembly } from '@borealis/protocol';
import { ApiErrorAlert } from '../../shared/ApiErrorAlert';
import { importAssembly, type ImportConflict } from './assemblies-api';

export interface ImportDialogProps {
  readonly opened: boolean;
  readonly onClose: () => void;
  readonly onImported: (assembly: Assembly, outcome: string) => void;
}

const CONFLICTS: Array<{ value: ImportConflict; label: string }> = [
  { value: 'reject', label: 'Refuse if the GUID exists' },
  { value: 'new_revision', label: 'Save as a new revision of it' },
  { value: 'new_guid', label: 'Import as a copy with a new GUID' },
];

export function ImportDialog({ opened, onClose, onImported }: ImportDialogProps) {
  const [text, setText] = useState('');
  const [onConflict, setOnConflict] = useState<ImportConflict>('reject');
  const [parseError, setParseError] = useState<string | null>(null);
  const run = useMutation({
    mutationFn: (document: unknown) => importAssembly(document, onConflict),
    onSuccess: (result) => {
      setText('');
      onImported(result.assembly, result.outcome);
    },
  });
  const submit = () => {
    let document: unknown;
    try {
      document = JSON.parse(text) as unknown;
    } catch {
      setParseError('This is not JSON.');
      return;
    }
    setParseError(null);
    run.mutate(document);
  };
  const close = () => {
    run.reset();
    setParseError(null);
    onClose();
  };

  return (
    <Modal opened={opened} onClose={close} title="Import an assembly" size="lg" centered data-testid="assembly-import-dialog">
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          A Borealis export, an upstream Borealis export or an authoring document. It lands in My assemblies.
        </Text>
        <Group>
          <FileButton accept="application/json,.json" onChange={(file) => void file?.text().then(setText)}>
            {(props) => (
              <Button {...props} variant="default" leftSection={<IconFileUpload size={16} />} data-testid="assembly-import-file">
                Choose a file…
              </Button>
            )}
          </FileButton>
        </Group>
        <Textarea
          label="Document"
          placeholder='{"format": "borealis-assembly-v1", …}'
          autosize
          minRows={6}
          maxRows={14}
          value={text}
          error={parseError}
          onChange={(e) => setText(e.currentTarget.value)}
          styles={{ input: { fontFamily: 'ui-monospace, monospace', fontSize: 12 } }}
          data-testid="assembly-import-text"
        />
        <Select label="If the GUID already exists" data={CONFLICTS} value={onConflict} allowDeselect={false} onChange={(v) => v && setOnConflict(v as ImportConflict)} data-testid="assembly-import-conflict" />
        <ApiErrorAlert error={run.error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            Cancel
          </Button>
          <Button onClick={submit} loading={run.isPending} disabled={text.trim() === ''} data-testid="assembly-import-submit">
            Import
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
