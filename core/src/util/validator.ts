/**
 * fastest-validator (Moleculer's own validator) for config and plugin-config checks. Its typings
 * declare an ES default export over a CommonJS module; this resolves the class either way.
 */
import FastestValidator from 'fastest-validator';

type ValidatorClass = typeof FastestValidator.default;
const V = ((FastestValidator as unknown as { default?: ValidatorClass }).default ?? (FastestValidator as unknown as ValidatorClass)) as ValidatorClass;

export function createValidator(opts: ConstructorParameters<ValidatorClass>[0] = {}): InstanceType<ValidatorClass> {
  return new V(opts);
}
