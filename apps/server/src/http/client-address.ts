import { BlockList, isIP } from 'node:net';

/**
 * Which peers may tell us the client's address (X-Forwarded-For), README "Configuration":
 *  - none: the TCP peer is the client (TRUST_PROXY=false, the default);
 *  - hops: that many reverse proxies of ours stand in front (TRUST_PROXY=true is one, TRUST_PROXY=2 two…);
 *  - list: the TCP peer and X-Forwarded-For entries in TRUSTED_PROXIES (addresses or CIDRs) are ours.
 * Each proxy appends the address it saw to the right of X-Forwarded-For; whatever stands to the
 * left of that came from the client and proves nothing. So the client is the rightmost entry that
 * is not one of our proxies, never the leftmost.
 */
export type ProxyTrust = { mode: 'none' } | { mode: 'hops'; hops: number } | { mode: 'list'; proxies: BlockList };

/** `::ffff:10.0.0.1` → `10.0.0.1`; brackets and ports of a bare entry are not accepted (proxies write plain addresses). */
export function plainAddress(a: string): string {
  const t = a.trim();
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(t);
  return m ? m[1]! : t;
}

/** Parses TRUSTED_PROXIES (comma-separated addresses and CIDRs); throws naming the first bad entry. */
export function parseProxyList(value: string): BlockList {
  const list = new BlockList();
  for (const raw of value.split(',')) {
    const entry = raw.trim();
    if (!entry) continue;
    const [addr, bits, extra] = entry.split('/');
    const a = plainAddress(addr ?? '');
    const family = isIP(a);
    if (!family || extra !== undefined) throw new Error(`"${entry}" is not an IP address or CIDR`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(a, type);
    else {
      const n = Number(bits);
      if (!/^\d+$/.test(bits) || n > (family === 4 ? 32 : 128)) throw new Error(`"${entry}" has a bad prefix length`);
      list.addSubnet(a, n, type);
    }
  }
  return list;
}

/** The trust configured by TRUST_PROXY and TRUSTED_PROXIES (both already validated by the config schema). */
export function proxyTrust(c: { TRUST_PROXY: number; TRUSTED_PROXIES?: string | undefined }): ProxyTrust {
  if (c.TRUSTED_PROXIES) return { mode: 'list', proxies: parseProxyList(c.TRUSTED_PROXIES) };
  return c.TRUST_PROXY > 0 ? { mode: 'hops', hops: c.TRUST_PROXY } : { mode: 'none' };
}

function trusted(list: BlockList, a: string): boolean {
  const family = isIP(a);
  return family !== 0 && list.check(a, family === 4 ? 'ipv4' : 'ipv6');
}

/** The client's address from the TCP peer and the X-Forwarded-For header, under `trust`. */
export function clientAddress(trust: ProxyTrust, peer: string, forwardedFor: string | undefined): string {
  const remote = plainAddress(peer);
  if (trust.mode === 'none' || forwardedFor === undefined) return remote;
  // The chain as the last proxy handed it to us: client-supplied … what each proxy saw, then the peer.
  const chain = [...forwardedFor.split(',').map(plainAddress).filter(Boolean), remote];
  if (trust.mode === 'hops') return chain[Math.max(0, chain.length - 1 - trust.hops)]!;
  let i = chain.length - 1;
  while (i > 0 && trusted(trust.proxies, chain[i]!)) i -= 1;
  return chain[i]!;
}

/**
 * Whether a TCP peer is one of our reverse proxies (then the per-address connection cap is its
 * business, not ours): in the list, or, with a hop count, a loopback peer (a proxy on this machine).
 */
export function isTrustedProxy(trust: ProxyTrust, peer: string): boolean {
  const a = plainAddress(peer);
  if (trust.mode === 'list') return trusted(trust.proxies, a);
  if (trust.mode === 'hops') return a === '::1' || a.startsWith('127.');
  return false;
}
