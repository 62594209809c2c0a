import { createHash } from 'node:crypto';
import type { FieldError } from '@siteops/contracts';
import { isMap, parseDocument } from 'yaml';

/**
 * What can be said about a compose document before the deployer sees it:
 * it is one YAML document, a mapping, with a `services` mapping. Which
 * compose keys are supported is decided later, with the deployer
 * (libs/compose). An empty list means the text passes.
 */
export function composeErrors(text: string): FieldError[] {
  const document = parseDocument(text);
  const [syntax] = document.errors;
  if (syntax) {
    // The parser's first line names the problem and its line and column; the
    // lines after it quote the document, which an error reply does not need.
    const message = (syntax.message.split('\n')[0] ?? syntax.message).replace(/:$/, '');
    return [{ field: 'compose', message }];
  }
  if (!isMap(document.contents)) return [{ field: 'compose', message: 'must be a YAML mapping with a services key' }];
  const services = document.contents.get('services', true);
  if (services === undefined) return [{ field: 'compose', message: 'must have a services key' }];
  if (!isMap(services)) return [{ field: 'compose', message: 'services must be a mapping of service names to services' }];
  return [];
}

/** sha256 (hex) of the compose text exactly as written. */
export function composeHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
