// Vite build of the WebUI into dist/, and the dev server that proxies API calls to a running engine.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const DEFAULT_PORT = 8000;
const engineUrl = process.env.BOREALIS_DEV_ENGINE_URL ?? 'http://127.0.0.1:5000';
const port = Number(process.env.BOREALIS_WEBUI_PORT ?? DEFAULT_PORT);

// secure: false so a dev engine with a self-signed certificate still answers. The engine refuses
// unsafe requests whose Origin is not its own (CSRF), so the proxy presents the engine's origin.
const toEngine = { target: engineUrl, changeOrigin: true, secure: false, headers: { origin: new URL(engineUrl).origin } } as const;

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rolldownOptions: {
      output: {
        // Libraries change less often than the app: separate chunks stay cached across releases.
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler|react-router)[\\/]/ },
            { name: 'mantine', test: /node_modules[\\/]@mantine[\\/]/ },
            { name: 'vendor', test: /node_modules[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    host: '127.0.0.1',
    port: Number.isInteger(port) && port > 0 ? port : DEFAULT_PORT,
    strictPort: true,
    proxy: {
      '/api': toEngine,
      '/health': toEngine,
      '/socket.io': { ...toEngine, ws: true },
    },
  },
});
