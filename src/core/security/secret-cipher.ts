/**
 * AES-256-GCM for stored secrets (node:crypto): a random 96-bit nonce per write, and the secret's scope and
 * name as additional data, so that a ciphertext copied to another row (another name or environment) fails
 * to decrypt. The 16-byte tag is kept at the end of the ciphertext.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface Sealed {
  ciphertext: Buffer;
  nonce: Buffer;
}

/** The additional data of a secret: what it is bound to (its environment, or none for a global one, and its name). */
export function secretAad(environment: string | null, name: string): Buffer {
  return Buffer.from(`station-secret-v1\0${environment ?? ''}\0${name}`, 'utf8');
}

export function seal(key: Buffer, plaintext: string, aad: Buffer): Sealed {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { ciphertext: Buffer.concat([body, cipher.getAuthTag()]), nonce };
}

/** The plaintext, or undefined when the key, the additional data or the bytes do not match (GCM authentication). */
export function open(key: Buffer, sealed: Sealed, aad: Buffer): string | undefined {
  if (sealed.nonce.length !== NONCE_BYTES || sealed.ciphertext.length < TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.ciphertext.subarray(sealed.ciphertext.length - TAG_BYTES));
    const body = sealed.ciphertext.subarray(0, sealed.ciphertext.length - TAG_BYTES);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
