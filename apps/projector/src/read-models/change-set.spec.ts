import { ChangeSet } from './change-set';

describe('ChangeSet', () => {
  it('names each touched row once, in the order it was first touched', () => {
    const changes = new ChangeSet();
    changes.add('site', 's1');
    changes.add('grant', 's1:u1');
    changes.add('site', 's1');
    changes.add('project', 'p1');
    changes.add('grant', 's1:u1');
    expect(changes.list()).toEqual([
      ['site', 's1'],
      ['grant', 's1:u1'],
      ['project', 'p1'],
    ]);
    expect(changes.size).toBe(3);
  });

  it('keeps rows of different kinds with the same id apart', () => {
    const changes = new ChangeSet();
    changes.add('organization', 'x');
    changes.add('project', 'x');
    expect(changes.list()).toEqual([
      ['organization', 'x'],
      ['project', 'x'],
    ]);
  });
});
