import { DomainError, emailSchema } from '@siteops/contracts';
import { z } from 'zod';
import { invalid } from '../problems/problem';
import type { ReadModelState, UserEntry } from '../read-models/read-model.state';

const uuid = z.uuid();


/**
 * The `{userId}` segment of member routes: a user id, or an email address
 * (URL-encoded; the router decodes it), as `sitectl members add PATH EMAIL` sends.
 */
export function memberUser(state: ReadModelState, segment: string): UserEntry {
  if (uuid.safeParse(segment).success) {
    const user = state.user(segment);
    if (!user) throw new DomainError('not_found', `No user with id ${segment}`);
    return user;
  }
  if (emailSchema.safeParse(segment.trim()).success) {
    const user = state.userByEmail(segment);
    if (!user) throw new DomainError('not_found', 'No user with that email');
    return user;
  }
  throw invalid('userId', 'must be a user id or an email address');
}
