import { BlockList, isIP } from 'node:net';

/**
 * Addresses a webhook may not reach unless config.yaml says `webhooks.allow_private: true`: loopback,
 * link-local (cloud metadata lives there), private, carrier-grade NAT, unspecified, multicast and reserved.
 */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
}

/** Whether an IP address (v4 or v6, v4-mapped v6 included) is loopback, link-local, private or reserved. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return PRIVATE.check(address, 'ipv4');
  if (family !== 6) return true;
  const lower = address.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower)?.[1];
  if (mapped !== undefined) return PRIVATE.check(mapped, 'ipv4');
  return PRIVATE.check(lower, 'ipv6');
}

/** A resolved target: the address a delivery connects to (the one that was checked, so DNS cannot swap it). */
export interface ResolvedTarget {
  address: string;
  family: 4 | 6;
}

/** A target refused: the host resolves to an address webhooks may not reach. */
export class UnsafeTargetError extends Error {
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(
      `${host} resolves to ${address}, a loopback, link-local or private address: refused (set webhooks.allow_private: true in config.yaml to allow it)`,
    );
    this.name = 'UnsafeTargetError';
  }
}

export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

// node:dns is loaded by the first lookup, not by every command that loads the core.
const systemResolver: Resolver = async (host) =>
  (await import('node:dns/promises')).lookup(host, { all: true, verbatim: true });

/**
 * Resolves `host` and checks every address it has: one private address refuses the target (a name that
 * resolves both ways is not trusted), unless `allowPrivate`. Returns the address to connect to.
 */
export async function resolveTarget(
  host: string,
  options: { allowPrivate: boolean; resolve?: Resolver },
): Promise<ResolvedTarget> {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const literal = isIP(bare);
  const addresses =
    literal === 0 ? await (options.resolve ?? systemResolver)(bare) : [{ address: bare, family: literal }];
  const first = addresses[0];
  if (first === undefined) throw new Error(`${host} has no address`);
  if (!options.allowPrivate) {
    const bad = addresses.find((a) => isPrivateAddress(a.address));
    if (bad !== undefined) throw new UnsafeTargetError(host, bad.address);
  }
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}
