// What every per-user dialog takes: the user it acts on (null: closed), and how it reports back.
import type { User } from '@borealis/protocol';

export interface UserDialogProps {
  readonly user: User | null;
  readonly onClose: () => void;
  /** Called after success with a sentence for the page to show. */
  readonly onDone: (notice: string) => void;
}
