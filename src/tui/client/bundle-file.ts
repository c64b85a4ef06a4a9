import { resolve } from 'node:path';
import { writeFileAtomic } from '../../core/index.js';
import type { BundleFileView } from './station-client.js';

/** Writes a bundle archive as DIR/ENV.tar.gz (atomically). */
export function writeBundleFile(dir: string, env: string, bytes: Buffer): BundleFileView {
  const path = resolve(dir, `${env}.tar.gz`);
  writeFileAtomic(path, bytes, { mode: 0o644 });
  return { path, bytes: bytes.length };
}
