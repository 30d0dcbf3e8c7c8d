// Child process for the atomic-write test: starts writing a version, then kills itself (SIGKILL, no cleanup runs)
// while the third file's content is being read. Usage: node --import tsx crash-mid-write.ts <models root>
import { writeModelVersion } from '../../models/write-model-version.js';
import { manifestFields, MODEL_FILES } from './model-store-helpers.js';

const root = process.argv[2] as string;
const files: Record<string, Uint8Array | string> = { ...MODEL_FILES };
Object.defineProperty(files, 'calibration.json', {
  enumerable: true,
  get() {
    process.stdout.write('dying\n');
    process.kill(process.pid, 'SIGKILL');
    return '{}';
  },
});
await writeModelVersion(root, 'crashy', { files, manifest: manifestFields() });
process.stdout.write('unreachable: the write finished\n');
