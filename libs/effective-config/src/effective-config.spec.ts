import { canonicalJson } from './canonical-hash';
import { changedAspects, computeEffectiveConfig, type EffectiveInput, type LevelConfig } from './effective-config';

const level = (lvl: 'organization' | 'project' | 'site', id: string, parts: Partial<LevelConfig> = {}): LevelConfig => ({
  ref: { level: lvl, id },
  secrets: [],
  firewall: [],
  grants: [],
  ...parts,
});

const input = (org: Partial<LevelConfig>, project: Partial<LevelConfig>, site: Partial<LevelConfig>): EffectiveInput => ({
  siteId: 's1',
  levels: [level('organization', 'o1', org), level('project', 'p1', project), level('site', 's1', site)],
  compose: { revision: 3, hash: 'abc' },
});

describe('computeEffectiveConfig', () => {
  it('lets the site override the project override the organization, keeping the overridden levels', () => {
    const config = computeEffectiveConfig(
      input(
        { secrets: [{ name: 'DB_PASSWORD', version: 4 }, { name: 'SMTP_HOST', version: 1 }] },
        { secrets: [{ name: 'DB_PASSWORD', version: 2 }] },
        { secrets: [{ name: 'DB_PASSWORD', version: 7 }] },
      ),
    );
    expect(config.secrets).toEqual([
      {
        name: 'DB_PASSWORD',
        version: 7,
        source: { level: 'site', id: 's1' },
        overrides: [
          { level: 'project', id: 'p1', version: 2 },
          { level: 'organization', id: 'o1', version: 4 },
        ],
      },
      { name: 'SMTP_HOST', version: 1, source: { level: 'organization', id: 'o1' }, overrides: [] },
    ]);
  });

  it('unions firewall rules, one entry per CIDR with every contributing level', () => {
    const config = computeEffectiveConfig(
      input(
        { firewall: [{ ruleId: 'r1', cidr: '10.0.0.0/8', description: 'campus' }] },
        { firewall: [{ ruleId: 'r2', cidr: '10.0.0.0/8', description: '' }, { ruleId: 'r3', cidr: '::/0', description: '' }] },
        { firewall: [{ ruleId: 'r4', cidr: '192.168.0.0/16', description: 'lab' }] },
      ),
    );
    expect(config.firewall).toEqual([
      {
        cidr: '10.0.0.0/8',
        description: 'campus',
        sources: [
          { level: 'organization', id: 'o1', ruleId: 'r1' },
          { level: 'project', id: 'p1', ruleId: 'r2' },
        ],
      },
      { cidr: '192.168.0.0/16', description: 'lab', sources: [{ level: 'site', id: 's1', ruleId: 'r4' }] },
      { cidr: '::/0', description: '', sources: [{ level: 'project', id: 'p1', ruleId: 'r3' }] },
    ]);
  });

  it('gives a site with no rules an empty allow-list (closed)', () => {
    expect(computeEffectiveConfig(input({}, {}, {})).firewall).toEqual([]);
  });

  it('takes the highest role along the path; a lower grant below never narrows it', () => {
    const config = computeEffectiveConfig(
      input(
        { grants: [{ userId: 'alice', role: 'developer' }, { userId: 'bob', role: 'viewer' }] },
        { grants: [{ userId: 'bob', role: 'owner' }] },
        { grants: [{ userId: 'alice', role: 'viewer' }, { userId: 'carol', role: 'viewer' }] },
      ),
    );
    expect(config.members).toEqual([
      { userId: 'alice', role: 'developer', source: { level: 'organization', id: 'o1' } },
      { userId: 'bob', role: 'owner', source: { level: 'project', id: 'p1' } },
      { userId: 'carol', role: 'viewer', source: { level: 'site', id: 's1' } },
    ]);
  });

  it('hashes deterministically regardless of input order', () => {
    const a = computeEffectiveConfig(
      input({ secrets: [{ name: 'A', version: 1 }, { name: 'B', version: 1 }], grants: [{ userId: 'x', role: 'viewer' }, { userId: 'y', role: 'owner' }] }, {}, {}),
    );
    const b = computeEffectiveConfig(
      input({ secrets: [{ name: 'B', version: 1 }, { name: 'A', version: 1 }], grants: [{ userId: 'y', role: 'owner' }, { userId: 'x', role: 'viewer' }] }, {}, {}),
    );
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    const c = computeEffectiveConfig(input({ secrets: [{ name: 'A', version: 2 }] }, {}, {}));
    expect(c.hash).not.toBe(a.hash);
  });
});

describe('changedAspects', () => {
  it('names only the aspects that differ', () => {
    const before = computeEffectiveConfig(input({ secrets: [{ name: 'A', version: 1 }] }, {}, {}));
    const after = computeEffectiveConfig(input({ secrets: [{ name: 'A', version: 2 }] }, {}, {}));
    expect(changedAspects(before, after)).toEqual(['secrets']);
    expect(changedAspects(before, before)).toEqual([]);
    expect(changedAspects(undefined, after)).toEqual(['secrets', 'firewall', 'members', 'compose']);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined fields', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: undefined, x: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"x":2,"z":1}]},"b":1}');
  });
});
