import { getMetadataStorage } from 'class-validator';

type MetadataStorage = ReturnType<typeof getMetadataStorage>;
type ValidationMetadata = ReturnType<MetadataStorage['getTargetValidationMetadatas']>[number];
type Target = Parameters<MetadataStorage['getTargetValidationMetadatas']>[0];

let installed = false;

/**
 * class-validator looks a DTO's rules up on every validation by scanning every
 * decorated class it knows (typestack/class-validator#2686), then groups them by
 * property anew: with this API's hundred-odd DTO classes that is a large share of
 * a small request's validation. The rules of a class never change once its module has
 * loaded, so both answers are kept per class and options; any rule registered
 * later (a class loaded late) forgets them all. The executor only reads them.
 */
export function cacheValidationMetadata(): void {
  if (installed) return;
  installed = true;
  const storage = getMetadataStorage();
  const lookUp = storage.getTargetValidationMetadatas.bind(storage);
  const group = storage.groupByPropertyName.bind(storage);
  const addRule = storage.addValidationMetadata.bind(storage);
  let byTarget = new WeakMap<Target, Map<string, ValidationMetadata[]>>();
  let grouped = new WeakMap<ValidationMetadata[], Record<string, ValidationMetadata[]>>();

  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    const options = `${schema}\u0000${always}\u0000${strictGroups}\u0000${groups?.join('\u0001') ?? ''}`;
    let known = byTarget.get(target);
    if (!known) byTarget.set(target, (known = new Map<string, ValidationMetadata[]>()));
    let rules = known.get(options);
    if (!rules) known.set(options, (rules = lookUp(target, schema, always, strictGroups, groups)));
    return rules;
  };
  storage.groupByPropertyName = (metadata) => {
    let byProperty = grouped.get(metadata);
    if (!byProperty) grouped.set(metadata, (byProperty = group(metadata)));
    return byProperty;
  };
  storage.addValidationMetadata = (metadata) => {
    byTarget = new WeakMap();
    grouped = new WeakMap();
    addRule(metadata);
  };
}
