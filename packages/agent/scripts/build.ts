// `npm run build -w @borealis/agent`: writes packages/agent/dist/borealis-agent.mjs.
import { chmod, stat } from 'node:fs/promises';
import { buildAgentBundle } from '../src/build/bundle';

const result = await buildAgentBundle();
await chmod(result.outfile, 0o755);
const { size } = await stat(result.outfile);
console.log(`built ${result.outfile} (borealis-agent ${result.version}, ${Math.round(size / 1024)} KiB)`);
