// choose native → wasm → cpu once; report the choice
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

export interface BackendChoice {
  readonly backend: 'tensorflow' | 'wasm' | 'cpu';
  /** why this backend, e.g. why native was not used */
  readonly reason: string;
}

let choice: Promise<BackendChoice> | null = null;

async function tryNative(): Promise<string | null> {
  try {
    // danfojs-node's override installs an alias of @tensorflow/tfjs under this name: only a real native
    // binding registers the 'tensorflow' backend, so check the registry rather than the import.
    await import('@tensorflow/tfjs-node' as string);
    if (tf.findBackendFactory('tensorflow') && (await tf.setBackend('tensorflow'))) return null;
    return '@tensorflow/tfjs-node is installed but did not register the tensorflow backend (not the native build)';
  } catch (error) {
    return `@tensorflow/tfjs-node not loadable (${(error as Error).message.split('\n')[0]})`;
  }
}

async function tryWasm(): Promise<string | null> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    const directory = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    wasm.setWasmPaths(`${directory}${path.sep}`);
    // The Emscripten loader installs process-wide handlers that rethrow any uncaught error with its whole
    // minified source attached; the CLI and the service handle their own errors, so those handlers are removed.
    const before = { uncaughtException: process.listeners('uncaughtException'), unhandledRejection: process.listeners('unhandledRejection') };
    const isReady = await tf.setBackend('wasm');
    if (isReady) await tf.ready();
    for (const listener of process.listeners('uncaughtException'))
      if (!before.uncaughtException.includes(listener)) process.removeListener('uncaughtException', listener);
    for (const listener of process.listeners('unhandledRejection'))
      if (!before.unhandledRejection.includes(listener)) process.removeListener('unhandledRejection', listener);
    if (isReady) return null;
    return 'the wasm backend did not initialise';
  } catch (error) {
    return `wasm backend failed (${(error as Error).message.split('\n')[0]})`;
  }
}

/** Picks the best TensorFlow.js backend available, once per process. RINGFENCE_TFJS_BACKEND forces one. */
export function chooseTfjsBackend(forced?: string): Promise<BackendChoice> {
  choice ??= (async () => {
    const reasons: string[] = [];
    if (!forced || forced === 'tensorflow') {
      const why = await tryNative();
      if (why === null) return { backend: 'tensorflow', reason: 'native @tensorflow/tfjs-node' };
      reasons.push(why);
    }
    if (!forced || forced === 'wasm') {
      const why = await tryWasm();
      if (why === null) return { backend: 'wasm', reason: reasons.length ? `${reasons.join('; ')}; using wasm` : 'wasm forced' };
      reasons.push(why);
    }
    await tf.setBackend('cpu');
    await tf.ready();
    return { backend: 'cpu', reason: reasons.join('; ') || 'cpu forced' };
  })();
  return choice;
}
