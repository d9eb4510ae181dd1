// The Mantine theme and where the user's light/dark choice is kept.
import { createTheme, localStorageColorSchemeManager } from '@mantine/core';

/** Also read by public/color-scheme.js before the app loads; keep the two in step. */
export const COLOR_SCHEME_STORAGE_KEY = 'borealis-color-scheme';

export const theme = createTheme({
  primaryColor: 'teal',
  defaultRadius: 'md',
  fontFamily:
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif',
  headings: { fontWeight: '600' },
});

export function createColorSchemeManager() {
  return localStorageColorSchemeManager({ key: COLOR_SCHEME_STORAGE_KEY });
}
