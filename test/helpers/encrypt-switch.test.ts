// The suites of the `encrypted-db` project (vitest.config.ts) run on an encrypted station.db only if the helpers
// honour STATION_TEST_ENCRYPT_DB: this file runs in both projects and checks the switch both ways.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isEncryptedDatabase } from '../../src/core/store/database-cipher.js';
import { makeInitializedHome, TEST_ENCRYPT_DB } from './home.js';

describe('STATION_TEST_ENCRYPT_DB', () => {
  it('homes made by the helpers are encrypted exactly when it is 1', () => {
    const temp = makeInitializedHome();
    try {
      expect(TEST_ENCRYPT_DB).toBe(process.env.STATION_TEST_ENCRYPT_DB === '1');
      expect(isEncryptedDatabase(temp.paths.database)).toBe(TEST_ENCRYPT_DB);
      const header = readFileSync(temp.paths.database).subarray(0, 15).toString('latin1');
      expect(header === 'SQLite format 3').toBe(!TEST_ENCRYPT_DB);
    } finally {
      temp.cleanup();
    }
  });
});
