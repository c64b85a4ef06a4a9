// Vitest setup file (vitest.config.ts): a test under test/tui fails when React or Ink printed a warning
// or an error while it ran (the message is in the failure). Other tests are left alone.
import { afterAll, afterEach, beforeEach, expect } from 'vitest';
import { assertNothingPrinted, installConsoleWatch, takePrinted } from './react-warnings.js';

const isTui = (): boolean => (expect.getState().testPath ?? '').replaceAll('\\', '/').includes('/test/tui/');

if (isTui()) {
  installConsoleWatch();
  // Registered before the test file's own hooks, so this afterEach runs after them (unmount included).
  beforeEach(() => {
    takePrinted();
  });
  afterEach(() => {
    assertNothingPrinted('during this test');
  });
  afterAll(() => {
    assertNothingPrinted('after the last test of the file');
  });
}
