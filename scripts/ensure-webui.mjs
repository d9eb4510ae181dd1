// Builds the WebUI when its dist/ is missing or older than its sources, so `npm ci && npm start`
// serves a current UI and a start without UI changes skips the build.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const webui = join(root, 'packages', 'webui');
const built = join(webui, 'dist', 'index.html');
const sources = [join(webui, 'src'), join(webui, 'public'), join(webui, 'index.html'), join(webui, 'vite.config.ts'), join(root, 'packages', 'protocol', 'src')];

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
if (builtAt === 0 || Math.max(...sources.map(newest)) > builtAt) {
  console.log('building the WebUI (packages/webui/dist)…');
  execFileSync('npm', ['run', 'build', '-w', '@borealis/webui'], { cwd: root, stdio: 'inherit' });
}
