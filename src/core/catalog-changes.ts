import type { Catalog } from './catalog.js';

/**
 * The lists whose public descriptors differ between two catalogs: what clients must be told about
 * (`notifications/*\/list_changed`) after a swap. Entries are compared by what clients see, so a reload
 * that rebuilds an identical list sends nothing.
 *
 * @example changedKinds(before, after) // ['tools']
 */
export function changedKinds(before: Catalog, after: Catalog): ('tools' | 'prompts' | 'resources')[] {
  const same = (a: readonly { descriptor: unknown }[], b: readonly { descriptor: unknown }[]) =>
    a.length === b.length && a.every((entry, index) => entry === b[index] || JSON.stringify(entry.descriptor) === JSON.stringify(b[index]!.descriptor));
  const kinds: ('tools' | 'prompts' | 'resources')[] = [];
  if (!same(before.tools, after.tools)) kinds.push('tools');
  if (!same(before.prompts, after.prompts)) kinds.push('prompts');
  if (!same(before.resources, after.resources) || !same(before.templates, after.templates)) kinds.push('resources');
  return kinds;
}
