import { isIP } from 'node:net';

/** An IPv4 or IPv6 address, or a CIDR range of one, as an allow-list or a proxy list takes it. */
export interface AddressOrCidr {
  address: string;
  prefix?: number;
  family: 'ipv4' | 'ipv6';
}

/**
 * `entry` read as an address or CIDR, or undefined when it is neither: an address node does not take
 * (`999.1.1.1`) or a prefix longer than the family's (`10.0.0.0/33`). Read at start, so such a value stops the
 * gateway with a message naming its variable rather than failing later inside the HTTP framework.
 */
export function parseAddressOrCidr(entry: string): AddressOrCidr | undefined {
  const [address, prefixText, extra] = entry.split('/');
  const v = isIP(address);
  if (v === 0 || extra !== undefined) return undefined;
  const family = v === 4 ? 'ipv4' : 'ipv6';
  if (prefixText === undefined) return { address, family };
  const prefix = Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText) || prefix > (v === 4 ? 32 : 128)) return undefined;
  return { address, prefix, family };
}
