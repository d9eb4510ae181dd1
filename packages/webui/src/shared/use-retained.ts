// Keeps what a dialog is about while its modal fades out, so the content does not collapse during
// the exit transition; the modal's onExitTransitionEnd lets it go, and the next opening starts fresh.
import { useState } from 'react';

export function useRetained<T>(subject: T | null): { readonly shown: T | null; readonly onExited: () => void } {
  const [shown, setShown] = useState<T | null>(subject);
  // Adjusting state while rendering (React's "store information from previous renders").
  if (subject !== null && subject !== shown) setShown(subject);
  return { shown: subject ?? shown, onExited: () => setShown(null) };
}
