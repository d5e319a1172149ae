/**
 * The environment a service container gets (Kubernetes: env, ConfigMaps, Secrets; Compose: .env and
 * `environment:`) against that service's own schema in libs/config (SERVICE_SCHEMAS): every variable set
 * is one the service reads, literal values parse, secrets never sit in a literal or a ConfigMap, required
 * variables are provided, and where every value is known (the dev overlay, the compose stack) the whole
 * environment passes the schema's validation (rules included) exactly as the service would run it.
 */
import { ConfigValidationError, SERVICE_SCHEMAS, loadEnv, type EnvSchema } from '@app/config';

/** Read by Node itself, not by a service schema. */
export const NODE_ENV_VARIABLES = new Set(['NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS']);

/**
 * Processes a service starts with its own environment, whose schema that environment must satisfy too:
 * the console's resync runs the extractor's backfill (`scripts/start.js extractor backfill`) as a child.
 */
export const ALSO_RUNS: Record<string, string[]> = { console: ['extractor'] };

export const schemaOf = (service: string): EnvSchema | undefined =>
  SERVICE_SCHEMAS.find((s) => s.service === service)?.schema;

/** What a container's environment is known to hold. */
export interface ResolvedEnv {
  /** variables whose value is known */
  values: Record<string, string>;
  /** variables set from a source whose value is not rendered (a Secret template, a secretKeyRef) */
  unknown: Set<string>;
  /** name → where it comes from ("env", "ConfigMap erpsync-config-…", ".env") */
  from: Record<string, string>;
  /** names set as literal values in the container / compose service itself */
  literal: Record<string, string>;
}

export const emptyEnv = (): ResolvedEnv => ({ values: {}, unknown: new Set(), from: {}, literal: {} });

export function setKnown(env: ResolvedEnv, name: string, value: string, from: string): void {
  env.values[name] = value;
  env.unknown.delete(name);
  env.from[name] = from;
}

export function setUnknown(env: ResolvedEnv, name: string, from: string): void {
  delete env.values[name];
  env.unknown.add(name);
  env.from[name] = from;
}

const problemsOf = (error: unknown): string[] =>
  error instanceof ConfigValidationError ? error.problems : [String((error as Error)?.message ?? error)];

/**
 * The checks on one service's environment (`env.literal`: what the container / compose service sets
 * itself, where a misspelling would go unnoticed); `portEnv` is the variable its port is set by.
 * Sandboxes (`literalSecrets`) hold sandbox credentials in literals on purpose.
 */
export function checkServiceEnv(
  service: string,
  env: ResolvedEnv,
  portEnv: string,
  { literalSecrets = false }: { literalSecrets?: boolean } = {},
): string[] {
  const schema = schemaOf(service);
  if (!schema) return [`${service} has no environment schema in libs/config (SERVICE_SCHEMAS)`];
  const problems: string[] = [];
  const runs = [service, ...(ALSO_RUNS[service] ?? [])];
  const schemas = runs.map((name) => ({ name, schema: schemaOf(name) ?? {} }));
  const known = (name: string) => schemas.some((s) => name in s.schema);
  for (const [name, value] of Object.entries(env.literal)) {
    if (!known(name) && !NODE_ENV_VARIABLES.has(name) && name !== portEnv) {
      problems.push(`${name} is not a variable ${service} reads (libs/config SERVICE_SCHEMAS)`);
      continue;
    }
    const spec = schemas.map((s) => s.schema[name]).find(Boolean);
    if (!spec) continue;
    if (spec.secret && !literalSecrets) {
      problems.push(`${name} is a secret: take it from a Secret, not a literal value`);
      continue;
    }
    try {
      spec.parse(value);
    } catch (error) {
      problems.push(`${name} ${(error as Error).message} (expected ${spec.describe})`);
    }
  }
  for (const [name, from] of Object.entries(env.from)) {
    const spec = schemas.map((s) => s.schema[name]).find(Boolean);
    if (spec?.secret && from.startsWith('ConfigMap'))
      problems.push(`${name} is a secret but comes from ${from}: move it to a Secret`);
  }
  const provided = (name: string) => name in env.values || env.unknown.has(name);
  for (const { name: runner, schema: runnerSchema } of schemas) {
    const as = runner === service ? '' : ` (as the ${runner} it starts)`;
    for (const [name, spec] of Object.entries(runnerSchema))
      if (spec.required && !provided(name))
        problems.push(`${name} is required${as} and nothing sets it (env, ConfigMap, Secret)`);
  }
  // every value known: the whole environment as the service validates it at start-up
  if (env.unknown.size === 0) {
    for (const { name: runner, schema: runnerSchema } of schemas) {
      try {
        loadEnv(runnerSchema, env.values);
      } catch (error) {
        const as = runner === service ? '' : `as the ${runner} it starts: `;
        problems.push(...problemsOf(error).map((p) => `${as}${p}`));
      }
    }
  }
  return [...new Set(problems)];
}

/** The parsed entries of CONSOLE_SERVICE_URLS (`name=url`), with the URL when it parses. */
export function serviceUrlEntries(list: string[]): { raw: string; name: string; url?: URL }[] {
  return list.map((raw) => {
    const [name, ...rest] = raw.split('=');
    let url: URL | undefined;
    try {
      url = new URL(rest.join('='));
    } catch {
      url = undefined;
    }
    return { raw, name: name ?? '', url };
  });
}

export const urlPort = (url: URL): number =>
  url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;

/** A list variable's value as the service reads it: set, or the schema's default. */
export function listValue(service: string, env: ResolvedEnv, name: string): string[] | undefined {
  const spec = schemaOf(service)?.[name];
  if (!spec) return undefined;
  if (env.unknown.has(name)) return undefined;
  try {
    return spec.parse(env.values[name]) as string[];
  } catch {
    return undefined;
  }
}

/** A boolean variable's value as the service reads it (invalid: undefined). */
export function boolValue(service: string, env: ResolvedEnv, name: string): boolean | undefined {
  const spec = schemaOf(service)?.[name];
  if (!spec || env.unknown.has(name)) return undefined;
  try {
    return spec.parse(env.values[name]) as boolean;
  } catch {
    return undefined;
  }
}
