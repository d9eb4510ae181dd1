// Sets Mantine's colour-scheme attribute before the app loads, so a dark choice does not flash light.
// A file rather than Mantine's ColorSchemeScript because the engine's CSP forbids inline scripts.
// The storage key must match COLOR_SCHEME_STORAGE_KEY in src/shared/theme.ts.
/* global document, matchMedia */
(function applyStoredColorScheme() {
  let scheme = 'light';
  try {
    const stored = localStorage.getItem('borealis-color-scheme');
    if (stored === 'light' || stored === 'dark') scheme = stored;
    else if (matchMedia('(prefers-color-scheme: dark)').matches) scheme = 'dark';
  } catch (error) {
    // Storage can be blocked (privacy mode); the app falls back to light and Mantine corrects it.
    void error;
  }
  document.documentElement.setAttribute('data-mantine-color-scheme', scheme);
})();
