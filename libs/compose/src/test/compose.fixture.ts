import type { ComposeModel } from '../compose.model';
import { parseCompose } from '../compose-document';

/** A validated model of a document the spec knows to be valid. */
export function composeModel(text: string): ComposeModel {
  const result = parseCompose(text, { bindMountRoot: '/srv/sites' });
  if (!result.ok) throw new Error(`invalid fixture: ${JSON.stringify(result.errors)}`);
  return result.model;
}
