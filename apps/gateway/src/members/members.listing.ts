import { LEVELS, nameKey, type MemberDto } from '@siteops/contracts';
import type { SortKey } from '../http/pagination';
import { sortByKey } from '../http/pagination';
import type { ReadModelState, TreeEntry } from '../read-models/read-model.state';

/**
 * Members of a resource (SPEC §4): every grant made on it (direct) and on
 * each of its ancestors (inherited, since a role applies to everything below
 * where it was granted), each with the level it was granted on. A user with
 * grants at several levels appears once per grant; the effective role is the
 * highest of them.
 */
export function membersOf(state: ReadModelState, node: TreeEntry): MemberDto[] {
  const members: MemberDto[] = [];
  for (const level of state.lineage(node)) {
    for (const grant of state.grantsOn(level.id)) {
      members.push({
        userId: grant.userId,
        email: state.user(grant.userId)?.email ?? '',
        role: grant.role,
        source: { level: level.level, id: level.id },
        inherited: level.id !== node.id,
      });
    }
  }
  return sortByKey(members, memberKey);
}

/** Members are listed by email, then from the top of the tree down. */
export function memberKey(member: MemberDto): SortKey {
  return [nameKey(member.email), String(LEVELS.indexOf(member.source.level)), member.userId];
}
