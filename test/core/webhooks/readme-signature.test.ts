// The README's signature snippet is the code receivers copy: it is run here against Station's own signing.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { signDelivery } from '../../../src/core/index.js';
import { ROOT } from '../../helpers/cli.js';

type Verify = (secret: string, headers: Record<string, string>, rawBody: string) => boolean;

function readmeVerifier(): Verify {
  const readme = readFileSync(`${ROOT}/README.md`, 'utf8');
  const section = readme.slice(readme.indexOf('## Webhooks'));
  const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  if (code === undefined) throw new Error('no js block in the README Webhooks section');
  const body = code.replace(/^import .*$/m, '');
  const require = createRequire(import.meta.url);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const make = new Function('createHmac', 'timingSafeEqual', `${body}\nreturn verifyStation;`) as (
    ...args: unknown[]
  ) => Verify;
  const crypto = require('node:crypto') as typeof import('node:crypto');
  return make(crypto.createHmac, crypto.timingSafeEqual);
}

describe('README webhook signature snippet', () => {
  it('accepts what Station signs, and refuses a changed body, another secret or an old timestamp', () => {
    const verify = readmeVerifier();
    const secret = 'whsec_test';
    const body = JSON.stringify({ event: 'run.finished', run: { id: 1 } });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers = { 'x-station-timestamp': timestamp, 'x-station-signature': signDelivery(secret, timestamp, body) };
    expect(verify(secret, headers, body)).toBe(true);
    expect(verify(secret, headers, body.replace('1', '2'))).toBe(false);
    expect(verify('whsec_other', headers, body)).toBe(false);
    const old = String(Math.floor(Date.now() / 1000) - 3600);
    expect(
      verify(secret, { 'x-station-timestamp': old, 'x-station-signature': signDelivery(secret, old, body) }, body),
    ).toBe(false);
  });
});
