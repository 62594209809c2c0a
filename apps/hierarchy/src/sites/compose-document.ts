import { createHash } from 'node:crypto';
import { describeFieldError, parseCompose, prefixFieldErrors } from '@siteops/compose';
import { DomainError } from '@siteops/contracts';

/**
 * The compose document of a site must be one libs/compose accepts: YAML, the
 * supported keys only, depends_on without cycles, declared volumes. The
 * bind-mount root is deploy-time policy of the host that runs the site, so it
 * is left to the deployer (`bindMountRoot: null`); everything else is refused
 * here, before a revision exists that no deployment could run.
 *
 * The answer is a validation_failed error, or null when the text passes. Its
 * field errors are body fields (`compose` for the document,
 * `compose.services.web.ports.0` for a key in it); its detail names the
 * first problem.
 */
export function composeValidationError(text: string): DomainError | null {
  const result = parseCompose(text, { bindMountRoot: null });
  if (result.ok) return null;
  const [first, ...rest] = result.errors;
  const more = rest.length > 0 ? ` (and ${rest.length} more)` : '';
  return new DomainError(
    'validation_failed',
    `The compose document is not valid: ${first ? describeFieldError(first) : 'it could not be read'}${more}`,
    prefixFieldErrors(result.errors, 'compose'),
  );
}

/** sha256 (hex) of the compose text exactly as written. */
export function composeHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
