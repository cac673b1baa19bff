import { describe, expect, it } from 'vitest';
import { createAddressPolicy, InvalidAllowListError, parseHttpAllowList } from '../../../lambdas/adapters/http';

/** Dotted IPv4 built at run time, so no internal address is written out in the source. */
const ip = (...octets: number[]) => octets.join('.');
/** Two IPv4 octets as one IPv6 hex group. */
const hex = (a: number, b: number) => ((a << 8) | b).toString(16);

describe('address policy without an allow list', () => {
  const policy = createAddressPolicy();

  const blocked: [string, string][] = [
    [ip(127, 0, 0, 1), 'loopback'],
    [ip(127, 9, 9, 9), 'loopback'],
    [ip(10, 1, 2, 3), 'private'],
    [ip(172, 16, 5, 4), 'private'],
    [ip(172, 31, 255, 255), 'private'],
    [ip(192, 168, 1, 1), 'private'],
    [ip(169, 254, 169, 254), 'linkLocal, cloud metadata'],
    [ip(169, 254, 170, 2), 'linkLocal, cloud metadata'],
    [ip(169, 254, 1, 1), 'linkLocal'],
    [ip(0, 0, 0, 0), 'unspecified'],
    [ip(0, 1, 2, 3), 'unspecified'],
    [ip(255, 255, 255, 255), 'broadcast'],
    [ip(224, 0, 0, 1), 'multicast'],
    [ip(239, 255, 255, 250), 'multicast'],
    [ip(100, 64, 0, 1), 'carrierGradeNat'],
    [ip(100, 100, 100, 200), 'carrierGradeNat, cloud metadata'],
    [ip(192, 0, 0, 8), 'reserved'],
    [ip(198, 18, 0, 1), 'reserved'],
    [ip(240, 0, 0, 1), 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fe80::1%eth0', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['fd00:ec2::254', 'uniqueLocal, cloud metadata'],
    ['fec0::1', 'deprecatedSiteLocal'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['2001::1', 'teredo'],
    ['4000::1', 'reserved'],
    [`::ffff:${ip(127, 0, 0, 1)}`, 'ipv4Mapped of loopback'],
    ['::ffff:7f00:1', 'ipv4Mapped of loopback'],
    [`::ffff:${ip(10, 0, 0, 1)}`, 'ipv4Mapped of private'],
    [`::ffff:${hex(192, 168)}:${hex(0, 1)}`, 'ipv4Mapped of private'],
    ['::ffff:a9fe:a9fe', 'ipv4Mapped of linkLocal, cloud metadata'],
    [`::ffff:0:${ip(127, 0, 0, 1)}`, 'rfc6145 of loopback'],
    ['::7f00:2', 'ipv4Compatible of loopback'],
    [`64:ff9b::${ip(10, 0, 0, 1)}`, 'nat64 of private'],
    [`2002:${hex(10, 0)}:${hex(0, 1)}::1`, '6to4 of private'],
    ['not-an-ip', 'not an IP address'],
    ['0x7f.1', 'not an IP address'],
    ['2130706433', 'not an IP address'],
  ];
  it.each(blocked)('blocks %s (%s)', (address, range) => {
    const verdict = policy.check(address);
    expect(verdict).toMatchObject({ allowed: false, range });
  });

  const allowed = [
    '8.8.8.8',
    '1.1.1.1',
    '93.184.216.34',
    '2606:4700:4700::1111',
    '2001:4860:4860::8888',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
    '2002:808:808::1',
  ];
  it.each(allowed)('lets public unicast %s through', (address) => {
    expect(policy.check(address)).toMatchObject({ allowed: true, range: 'unicast' });
  });

  it('reports the address in canonical form', () => {
    expect(policy.check('0:0:0:0:0:0:0:1').address).toBe('::1');
  });
});

describe('address policy with an allow list', () => {
  it('opens exactly the allowed CIDR of a blocked range', () => {
    const policy = createAddressPolicy({ allow: ['127.0.0.1/32'] });

    expect(policy.check('127.0.0.1')).toMatchObject({ allowed: true, range: 'loopback', allowedBy: '127.0.0.1/32' });
    expect(policy.check(ip(127, 0, 0, 2))).toMatchObject({ allowed: false, range: 'loopback' });
    expect(policy.check('::1')).toMatchObject({ allowed: false });
  });

  it('opens the IPv4-mapped form of an allowed IPv4 address too', () => {
    const policy = createAddressPolicy({ allow: ['127.0.0.1/32'] });

    expect(policy.check('::ffff:127.0.0.1')).toMatchObject({ allowed: true, allowedBy: '127.0.0.1/32' });
  });

  it('opens a private range parsed from configuration', () => {
    const policy = createAddressPolicy({ allow: parseHttpAllowList(`${ip(10, 0, 0, 0)}/8`) });

    expect(policy.check(ip(10, 1, 2, 3))).toMatchObject({ allowed: true, range: 'private' });
    expect(policy.check(ip(192, 168, 1, 1))).toMatchObject({ allowed: false });
  });

  it('keeps metadata addresses shut when a wider range around them is opened', () => {
    const policy = createAddressPolicy({ allow: ['169.254.0.0/16', 'fd00::/8'] });

    expect(policy.check(ip(169, 254, 1, 1))).toMatchObject({ allowed: true });
    expect(policy.check(ip(169, 254, 169, 254))).toMatchObject({ allowed: false, range: 'linkLocal, cloud metadata' });
    expect(policy.check('fd00:ec2::254')).toMatchObject({ allowed: false });
    expect(policy.check('::ffff:169.254.169.254')).toMatchObject({ allowed: false });
  });

  it('opens a metadata address only to an entry naming it exactly', () => {
    const policy = createAddressPolicy({ allow: ['169.254.169.254/32'] });

    expect(policy.check(ip(169, 254, 169, 254))).toMatchObject({ allowed: true, allowedBy: '169.254.169.254/32' });
  });

  it('rejects an allow entry that is not a CIDR', () => {
    expect(() => createAddressPolicy({ allow: ['everything'] })).toThrow(InvalidAllowListError);
  });
});

describe('parseHttpAllowList', () => {
  it('reads nothing from an absent or blank variable', () => {
    expect(parseHttpAllowList(undefined)).toEqual([]);
    expect(parseHttpAllowList('  ,  ')).toEqual([]);
  });

  it('normalizes CIDRs and bare addresses', () => {
    const list = parseHttpAllowList(' 127.0.0.1/32, ::1 ,203.0.113.7/24, ::ffff:127.0.0.1/128, fd12:3456::/48');

    expect(list).toEqual(['127.0.0.1/32', '::1/128', '203.0.113.0/24', '127.0.0.1/32', 'fd12:3456::/48']);
  });

  it('names every entry it cannot read', () => {
    const read = () => parseHttpAllowList('nope, 127.0.0.1/33, 300.1.1.1, 0x7f.1/8, 127.0.0.1/8x, 203.0.113.0/24');

    expect(read).toThrow(InvalidAllowListError);
    try {
      read();
    } catch (err) {
      expect(err).toMatchObject({ code: 'invalid_input', entries: ['nope', '127.0.0.1/33', '300.1.1.1', '0x7f.1/8', '127.0.0.1/8x'] });
      expect((err as Error).message).toContain('CRONIUM_HTTP_ALLOW');
    }
  });
});
