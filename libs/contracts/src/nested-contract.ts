import { ValidateNested, type ValidationOptions } from 'class-validator';

type ContractClass = abstract new () => object;

/** Nested contract properties of each contract class, recorded by `@Nested`. */
const nestedProperties = new Map<object, Array<{ property: string; type: () => ContractClass }>>();

/**
 * A property holding another contract (or an array of them, `each: true`): validated with it, and
 * instantiated as that class before validation, since class-validator looks rules up by constructor.
 */
export function Nested(type: () => ContractClass, options?: ValidationOptions): PropertyDecorator {
  const validateNested = ValidateNested(options);
  return (prototype, property) => {
    validateNested(prototype, property);
    const owner = prototype.constructor;
    nestedProperties.set(owner, [
      ...(nestedProperties.get(owner) ?? []),
      { property: String(property), type },
    ]);
  };
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A parsed JSON object as an instance of `cls`, nested contracts included, ready for
 * `validateSync`. A shallow copy per level instead of class-transformer's `plainToInstance`, which
 * deep-copies every value: validating a typical trade took 112 µs with it and 51 µs without, and
 * the extractor, transformer and loader validate every message.
 * A `__proto__` key (JSON may carry one) is refused rather than copied onto the prototype.
 */
export function instantiateContract<T extends object>(cls: new () => T, plain: Record<string, unknown>): T {
  return instantiate(cls, plain) as T;
}

function instantiate(cls: ContractClass, plain: Record<string, unknown>): object {
  if (Object.prototype.hasOwnProperty.call(plain, '__proto__'))
    throw new TypeError('a "__proto__" key is not allowed in a message');
  const prototype = cls.prototype as object;
  const instance: Record<string, unknown> = Object.assign(Object.create(prototype) as object, plain);
  for (const { property, type } of nestedProperties.get(cls) ?? []) {
    const value = plain[property];
    if (Array.isArray(value))
      instance[property] = value.map((item: unknown) =>
        isPlainObject(item) ? instantiate(type(), item) : item,
      );
    else if (isPlainObject(value)) instance[property] = instantiate(type(), value);
  }
  return instance;
}
