/**
 * Checks of rendered Kubernetes objects: schemas (kubernetes-models, prometheus-operator models,
 * the Strimzi 1.0 and KEDA models: scripts/validate/k8s-schema.mjs), unknown fields, and the rules
 * that make erpsync work on a cluster: selectors that select, probes on the health endpoints and the
 * container's HTTP_PORT, resources and locked-down security contexts, HPAs capped at the partition
 * count, a KafkaTopic for every topic, references to ConfigMaps and Secrets that exist.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { ConsumerGroups, Topics, allTopics } from '@app/contracts';
import { parseMappingText } from '@app/mapping';
import { isObject, problem, str, type Problem } from './common';
import { podSpecs, type K8sObject } from './kustomize';
import { checkKafkaUsers } from './kafka-acls';
import { modelModule } from './model-modules';
import { blockedBy, type Endpoint } from './network-flows';
import {
  ALSO_RUNS,
  boolValue,
  checkServiceEnv,
  emptyEnv,
  listValue,
  schemaOf,
  serviceUrlEntries,
  setKnown,
  setUnknown,
  urlPort,
  type ResolvedEnv,
} from './service-env';
import type { StrictFieldChecker } from './strict-fields';

type Obj = Record<string, unknown>;

/**
 * The erpsync services: their HTTP port, the variable that sets it (HTTP_PORT unless said), (for
 * consumers) the topic that bounds their replicas, and whether they are a pipeline stage (what the
 * console's overview shows: CONSOLE_SERVICE_URLS).
 */
export const SERVICES: Record<
  string,
  { port: number; portEnv?: string; consumes?: string; group?: string; pipeline?: boolean }
> = {
  extractor: { port: 3001, pipeline: true },
  transformer: { port: 3002, consumes: Topics.rawTrades, group: ConsumerGroups.transformer, pipeline: true },
  loader: { port: 3003, consumes: Topics.normalizedOrders, group: ConsumerGroups.loader, pipeline: true },
  console: { port: 3000, portEnv: 'CONSOLE_PORT' },
};
/** The sandboxes listen on WDT_SANDBOX_PORT / XINGCHEN_SANDBOX_PORT; HTTP_PORT tells the image HEALTHCHECK. */
export const SANDBOXES: Record<string, number> = { 'wdt-sandbox': 18080, 'xingchen-sandbox': 18081 };
/** The variable that sets a service's or sandbox's HTTP port. */
export const portEnvOf = (component: string): string => SERVICES[component]?.portEnv ?? 'HTTP_PORT';
export const PIPELINE = Object.keys(SERVICES).filter((name) => SERVICES[name].pipeline);

const HEALTH = { liveness: '/health/live', readiness: '/health/ready', startup: '/health/live' } as const;

const idOf = (o: K8sObject) =>
  `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
const asArray = (value: unknown): Obj[] => (Array.isArray(value) ? value.filter(isObject) : []);
const get = (value: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), value);

/** Kubernetes label selector semantics (matchLabels and matchExpressions). */
export function selectorMatches(selector: unknown, labels: Record<string, string> | undefined): boolean {
  if (!isObject(selector)) return false;
  const actual = labels ?? {};
  const matchLabels = isObject(selector.matchLabels) ? (selector.matchLabels as Record<string, string>) : {};
  for (const [key, value] of Object.entries(matchLabels)) if (actual[key] !== value) return false;
  for (const expression of asArray(selector.matchExpressions)) {
    const key = String(expression.key);
    const values = Array.isArray(expression.values) ? (expression.values as string[]) : [];
    const has = key in actual;
    switch (expression.operator) {
      case 'In':
        if (!has || !values.includes(actual[key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(actual[key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** A Service's plain map selector. */
const mapSelectorMatches = (selector: unknown, labels: Record<string, string> | undefined) =>
  isObject(selector) &&
  Object.keys(selector).length > 0 &&
  selectorMatches({ matchLabels: selector }, labels);

interface PodTemplate {
  owner: K8sObject;
  namespace: string;
  labels: Record<string, string>;
  spec: Obj;
}

function podTemplates(objects: K8sObject[]): PodTemplate[] {
  return objects.flatMap((owner) =>
    podSpecs(owner).map((spec) => {
      const template =
        get(owner, 'spec', 'template') ?? get(owner, 'spec', 'jobTemplate', 'spec', 'template');
      return {
        owner,
        namespace: owner.metadata.namespace ?? '',
        labels: (get(template, 'metadata', 'labels') as Record<string, string> | undefined) ?? {},
        spec: spec,
      };
    }),
  );
}

const kindOf = (object: K8sObject) => ({ apiVersion: String(object.apiVersion), kind: String(object.kind) });

/** Runs the kubernetes-models validators (ESM) in a child Node process. */
export function schemaErrors(objects: K8sObject[]): { errors: string[]; skipped: boolean }[] {
  const script = path.join(__dirname, 'k8s-schema.mjs');
  const result = spawnSync(process.execPath, [script], {
    input: JSON.stringify(objects.map((object) => ({ specifier: modelModule(kindOf(object)), object }))),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`k8s-schema.mjs failed: ${result.stderr}`);
  const parsed = JSON.parse(result.stdout) as { index: number; errors: string[]; skipped?: boolean }[];
  return parsed.map((r) => ({ errors: r.errors, skipped: r.skipped === true }));
}

export interface K8sCheckInput {
  /** e.g. "overlay dev" */
  name: string;
  objects: K8sObject[];
  /** Secrets expected to exist in the cluster although not rendered (secret.template.yaml) */
  externalSecrets: K8sObject[];
  /** the Grafana board file content the dashboard ConfigMap must carry */
  boardJson?: string;
  strict?: StrictFieldChecker;
  /** false in unit tests that only care about the semantic checks */
  schemas?: boolean;
}

/** The one Strimzi API version the operator (1.0+) serves. */
export const STRIMZI_API_VERSION = 'kafka.strimzi.io/v1';

/** Kubernetes / prometheus-operator / Strimzi / KEDA schemas, and unknown fields when a checker is given. */
export function schemaProblems(name: string, objects: K8sObject[], strict?: StrictFieldChecker): Problem[] {
  const problems: Problem[] = [];
  const add = (object: K8sObject, message: string) =>
    problems.push(problem('schema', `${name}: ${idOf(object)}`, message));
  const results = schemaErrors(objects);
  objects.forEach((object, index) => {
    const result = results[index];
    for (const error of result.errors) add(object, error);
    if (object.apiVersion.startsWith('kafka.strimzi.io/') && object.apiVersion !== STRIMZI_API_VERSION)
      add(object, `Strimzi 1.0 serves only ${STRIMZI_API_VERSION} (${object.apiVersion} was removed)`);
    if (result.skipped) add(object, `no schema for ${object.apiVersion} ${object.kind}`);
  });
  if (strict) {
    for (const object of objects) {
      for (const field of strict.unknownFields(object) ?? []) add(object, `unknown field ${field}`);
    }
  }
  return problems;
}

/** What every check family reads, and where it reports. */
interface CheckContext {
  input: K8sCheckInput;
  objects: K8sObject[];
  templates: PodTemplate[];
  byKind: (kind: string) => K8sObject[];
  /** the pod templates in the namespace of an object */
  inNamespace: (o: K8sObject) => PodTemplate[];
  add: (object: K8sObject | string, message: string) => void;
}

const componentOf = (ctx: CheckContext, owner: K8sObject): string =>
  ctx.templates.find((t) => t.owner === owner)?.labels['app.kubernetes.io/component'] ?? '';

export function checkK8sObjects(input: K8sCheckInput): Problem[] {
  const { name, objects } = input;
  const problems: Problem[] = [];
  // 1. schemas and unknown fields
  if (input.schemas !== false) problems.push(...schemaProblems(name, objects, input.strict));
  const templates = podTemplates(objects);
  const ctx: CheckContext = {
    input,
    objects,
    templates,
    byKind: (kind) => objects.filter((o) => o.kind === kind),
    inNamespace: (o) => templates.filter((t) => t.namespace === (o.metadata.namespace ?? '')),
    add: (object, message) =>
      problems.push(
        problem('k8s', `${name}: ${typeof object === 'string' ? object : idOf(object)}`, message),
      ),
  };
  checkNamespaces(ctx);
  for (const template of templates) checkPod(ctx, template);
  for (const deployment of ctx.byKind('Deployment')) checkDeployment(ctx, deployment);
  checkAutoscalers(ctx);
  checkScaledObjects(ctx);
  checkKafkaCredentials(ctx);
  if (ctx.byKind('KafkaUser').length > 0) problems.push(...checkKafkaUsers(name, objects));
  checkServices(ctx);
  checkDisruptionBudgets(ctx);
  checkNetworkPolicies(ctx);
  checkServiceEnvironments(ctx);
  checkIngresses(ctx);
  checkConsole(ctx);
  checkRequiredFlows(ctx);
  checkServiceMonitors(ctx);
  checkKafkaTopics(ctx);
  checkMonitoringObjects(ctx);
  checkMappingAndMigration(ctx);
  return problems;
}

/** An overlay puts everything in one namespace, and renders its Namespace object. */
function checkNamespaces({ objects, add }: CheckContext): void {
  const namespaces = new Set(
    objects.filter((o) => o.kind !== 'Namespace').map((o) => o.metadata.namespace ?? ''),
  );
  if (namespaces.size !== 1 || namespaces.has(''))
    add(
      'objects',
      `expected one namespace for all objects, got ${[...namespaces].map((n) => n || '(none)').join(', ')}`,
    );
  for (const ns of namespaces) {
    if (ns && !objects.some((o) => o.kind === 'Namespace' && o.metadata.name === ns))
      add('objects', `namespace ${ns} has no Namespace object`);
  }
}

/** Pods: service account token, seccomp, volumes, then every container. */
function checkPod(ctx: CheckContext, template: PodTemplate): void {
  const { owner, spec } = template;
  const { add } = ctx;
  const configMaps = new Set(
    ctx.byKind('ConfigMap').map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`),
  );
  const podSecurity = isObject(spec.securityContext) ? spec.securityContext : {};
  if (spec.automountServiceAccountToken !== false)
    add(owner, 'automountServiceAccountToken must be false (erpsync never calls the API server)');
  if (get(podSecurity, 'seccompProfile', 'type') !== 'RuntimeDefault')
    add(owner, 'pod securityContext.seccompProfile.type must be RuntimeDefault');
  const volumes = asArray(spec.volumes);
  for (const volume of volumes) {
    const cm = get(volume, 'configMap', 'name');
    if (typeof cm === 'string' && !configMaps.has(`${template.namespace}/${cm}`))
      add(owner, `volume ${String(volume.name)} mounts ConfigMap ${cm}, which is not rendered`);
  }
  for (const container of [...asArray(spec.containers), ...asArray(spec.initContainers)]) {
    const where = `container ${String(container.name)}`;
    checkContainerBasics(ctx, owner, where, container, podSecurity);
    checkContainerReferences(ctx, template, where, container, configMaps);
  }
}

/** A container: pinned image, resources, a locked-down security context. */
function checkContainerBasics(
  { add }: CheckContext,
  owner: K8sObject,
  where: string,
  container: Obj,
  podSecurity: Obj,
): void {
  const image = str(container.image);
  if (!/[:@]/.test(image.split('/').pop() ?? '') || image.endsWith(':latest'))
    add(owner, `${where}: image "${image}" needs a pinned tag or digest`);
  const requests = get(container, 'resources', 'requests');
  const limits = get(container, 'resources', 'limits');
  for (const key of ['cpu', 'memory'])
    if (!isObject(requests) || requests[key] === undefined)
      add(owner, `${where}: resources.requests.${key} is not set`);
  if (!isObject(limits) || limits.memory === undefined)
    add(owner, `${where}: resources.limits.memory is not set`);
  const security = isObject(container.securityContext) ? container.securityContext : {};
  if ((security.runAsNonRoot ?? podSecurity.runAsNonRoot) !== true)
    add(owner, `${where}: runAsNonRoot must be true`);
  const uid = security.runAsUser ?? podSecurity.runAsUser;
  if (uid === 0) add(owner, `${where}: runs as uid 0`);
  if (security.readOnlyRootFilesystem !== true) add(owner, `${where}: readOnlyRootFilesystem must be true`);
  if (security.allowPrivilegeEscalation !== false)
    add(owner, `${where}: allowPrivilegeEscalation must be false`);
  if (security.privileged === true) add(owner, `${where}: privileged`);
  const drop = get(security, 'capabilities', 'drop');
  if (!Array.isArray(drop) || !drop.includes('ALL'))
    add(owner, `${where}: capabilities.drop must include ALL`);
  const added = get(security, 'capabilities', 'add');
  if (Array.isArray(added) && added.length > 0) add(owner, `${where}: adds capabilities ${added.join(', ')}`);
}

/** A container's volume mounts and envFrom name volumes, ConfigMaps and Secrets that exist. */
function checkContainerReferences(
  ctx: CheckContext,
  template: PodTemplate,
  where: string,
  container: Obj,
  configMaps: Set<string>,
): void {
  const { owner, spec } = template;
  const { add } = ctx;
  const secretNames = new Set(ctx.byKind('Secret').map((o) => o.metadata.name));
  const externalSecretNames = new Set(ctx.input.externalSecrets.map((o) => o.metadata.name));
  for (const mount of asArray(container.volumeMounts)) {
    if (!asArray(spec.volumes).some((v) => v.name === mount.name))
      add(owner, `${where}: volumeMount ${String(mount.name)} has no volume`);
  }
  for (const from of asArray(container.envFrom)) {
    const cm = get(from, 'configMapRef', 'name');
    if (
      typeof cm === 'string' &&
      !configMaps.has(`${template.namespace}/${cm}`) &&
      get(from, 'configMapRef', 'optional') !== true
    ) {
      add(owner, `${where}: envFrom ConfigMap ${cm} is not rendered`);
    }
    const secret = get(from, 'secretRef', 'name');
    if (typeof secret === 'string' && !secretNames.has(secret) && !externalSecretNames.has(secret)) {
      add(owner, `${where}: envFrom Secret ${secret} is neither rendered nor in secret.template.yaml`);
    }
  }
}

/** Deployments of the services and sandboxes: selector, HTTP_PORT, probes, replicas vs HPA. */
function checkDeployment(ctx: CheckContext, deployment: K8sObject): void {
  const { add } = ctx;
  const template = ctx.templates.find((t) => t.owner === deployment);
  if (!template) {
    add(deployment, 'has no pod template');
    return;
  }
  if (!selectorMatches(get(deployment, 'spec', 'selector'), template.labels))
    add(deployment, 'spec.selector does not match the pod template labels');
  const component = template.labels['app.kubernetes.io/component'] ?? '';
  const expectedPort = SERVICES[component]?.port ?? SANDBOXES[component];
  if (expectedPort === undefined)
    add(
      deployment,
      `unknown component "${component}" (expected one of ${[...Object.keys(SERVICES), ...Object.keys(SANDBOXES)].join(', ')})`,
    );
  const portEnv = portEnvOf(component);
  for (const container of asArray(template.spec.containers)) {
    const where = `container ${String(container.name)}`;
    const ports = asArray(container.ports);
    const httpPortEnv = asArray(container.env).find((e) => e.name === portEnv)?.value;
    if (httpPortEnv === undefined) add(deployment, `${where}: ${portEnv} is not set`);
    const httpPort = Number(httpPortEnv);
    if (expectedPort !== undefined && httpPortEnv !== undefined && httpPort !== expectedPort) {
      add(deployment, `${where}: ${portEnv} ${httpPort} but ${component} listens on ${expectedPort}`);
    }
    if (!ports.some((p) => p.containerPort === httpPort))
      add(deployment, `${where}: no containerPort for ${portEnv} ${httpPort}`);
    checkProbes(ctx, deployment, where, container, httpPort);
  }
  const hpa = ctx
    .byKind('HorizontalPodAutoscaler')
    .find(
      (h) =>
        get(h, 'spec', 'scaleTargetRef', 'name') === deployment.metadata.name &&
        get(h, 'spec', 'scaleTargetRef', 'kind') === 'Deployment',
    );
  const scaledObject = scaledObjectsOf(ctx, deployment)[0];
  if (component === 'extractor') {
    if (get(deployment, 'spec', 'replicas') !== 1) add(deployment, 'the extractor runs exactly one replica');
    if (hpa || scaledObject) add(deployment, 'the extractor must not be autoscaled');
  }
  if (hpa && scaledObject)
    add(
      deployment,
      `both HorizontalPodAutoscaler ${hpa.metadata.name} and ScaledObject ${scaledObject.metadata.name} scale it (KEDA's own HPA would fight the other)`,
    );
  if ((hpa || scaledObject) && get(deployment, 'spec', 'replicas') !== undefined)
    add(deployment, 'spec.replicas is set although an autoscaler manages it (every apply would reset it)');
  if (SERVICES[component]?.consumes && !hpa && !scaledObject)
    add(deployment, `${component} has no HorizontalPodAutoscaler or KEDA ScaledObject`);
}

/** Liveness, readiness (and startup, when present) probes: httpGet on the health path of HTTP_PORT. */
function checkProbes(
  { add }: CheckContext,
  deployment: K8sObject,
  where: string,
  container: Obj,
  httpPort: number,
): void {
  const ports = asArray(container.ports);
  for (const kind of ['liveness', 'readiness', 'startup'] as const) {
    const probe = container[`${kind}Probe`];
    if (probe === undefined) {
      if (kind !== 'startup') add(deployment, `${where}: no ${kind}Probe`);
      continue;
    }
    const httpGet = get(probe, 'httpGet');
    if (!isObject(httpGet)) {
      add(deployment, `${where}: ${kind}Probe must be an httpGet probe`);
      continue;
    }
    if (httpGet.path !== HEALTH[kind])
      add(deployment, `${where}: ${kind}Probe path ${String(httpGet.path)}, expected ${HEALTH[kind]}`);
    const port =
      typeof httpGet.port === 'string'
        ? ports.find((p) => p.name === httpGet.port)?.containerPort
        : httpGet.port;
    if (port === undefined)
      add(
        deployment,
        `${where}: ${kind}Probe port ${JSON.stringify(httpGet.port)} is not a named container port`,
      );
    else if (port !== httpPort)
      add(deployment, `${where}: ${kind}Probe port ${JSON.stringify(port)} is not the HTTP port ${httpPort}`);
  }
}

/** KEDA ScaledObjects whose scaleTargetRef is the Deployment (kind defaults to Deployment). */
function scaledObjectsOf(ctx: CheckContext, deployment: K8sObject): K8sObject[] {
  return ctx
    .byKind('ScaledObject')
    .filter(
      (o) =>
        get(o, 'spec', 'scaleTargetRef', 'name') === deployment.metadata.name &&
        (get(o, 'spec', 'scaleTargetRef', 'kind') ?? 'Deployment') === 'Deployment',
    );
}

const partitionsOf = (ctx: CheckContext, topic: string) =>
  get(
    ctx.byKind('KafkaTopic').find((t) => (get(t, 'spec', 'topicName') ?? t.metadata.name) === topic),
    'spec',
    'partitions',
  ) as number | undefined;

/** The erpsync-config ConfigMap's data (the settings every service reads). */
const configData = (ctx: CheckContext): Record<string, string> =>
  (get(
    ctx.byKind('ConfigMap').find((c) => c.metadata.name.startsWith('erpsync-config')),
    'data',
  ) ?? {}) as Record<string, string>;

/** The Deployment an HPA or a ScaledObject scales; a problem when it is not rendered. */
function scaleTarget(ctx: CheckContext, scaler: K8sObject): K8sObject | undefined {
  const name = get(scaler, 'spec', 'scaleTargetRef', 'name');
  const target = ctx.byKind('Deployment').find((d) => d.metadata.name === name);
  if (!target) ctx.add(scaler, `scaleTargetRef ${str(name)} is not a rendered Deployment`);
  return target;
}

/** KEDA: the Kafka trigger watches the service's own group and topic on the services' brokers. */
function checkScaledObjects(ctx: CheckContext): void {
  const { add } = ctx;
  const config = configData(ctx);
  const authentications = new Set(ctx.byKind('TriggerAuthentication').map((t) => t.metadata.name));
  for (const scaled of ctx.byKind('ScaledObject')) {
    const target = scaleTarget(ctx, scaled);
    if (!target) continue;
    const service = SERVICES[componentOf(ctx, target)];
    if (!service?.consumes || !service.group) {
      add(scaled, `${componentOf(ctx, target)} does not consume a topic; it should not be autoscaled`);
      continue;
    }
    const max = Number(get(scaled, 'spec', 'maxReplicaCount') ?? 100);
    const min = Number(get(scaled, 'spec', 'minReplicaCount') ?? 0);
    if (min < 1)
      add(scaled, 'minReplicaCount must be at least 1 (readiness and the consumer group need a member)');
    if (min > max) add(scaled, `minReplicaCount ${min} > maxReplicaCount ${max}`);
    const partitions = partitionsOf(ctx, service.consumes);
    if (partitions !== undefined && max > partitions)
      add(scaled, `maxReplicaCount ${max} exceeds the ${partitions} partitions of ${service.consumes}`);
    const triggers = asArray(get(scaled, 'spec', 'triggers'));
    const kafka = triggers.filter((t) => t.type === 'kafka');
    if (kafka.length === 0) add(scaled, 'no kafka trigger');
    for (const trigger of kafka) {
      const metadata = isObject(trigger.metadata) ? trigger.metadata : {};
      if (metadata.consumerGroup !== service.group)
        add(scaled, `kafka trigger consumerGroup ${str(metadata.consumerGroup)}, expected ${service.group}`);
      if (metadata.topic !== service.consumes)
        add(scaled, `kafka trigger topic ${str(metadata.topic)}, expected ${service.consumes}`);
      if (config.KAFKA_BROKERS !== undefined && metadata.bootstrapServers !== config.KAFKA_BROKERS)
        add(
          scaled,
          `kafka trigger bootstrapServers ${str(metadata.bootstrapServers)} is not KAFKA_BROKERS ${config.KAFKA_BROKERS}`,
        );
      if (!(Number(metadata.lagThreshold) > 0)) add(scaled, 'kafka trigger needs a positive lagThreshold');
      const sasl = config.KAFKA_SASL_MECHANISM;
      if (sasl && sasl !== 'none') {
        if (metadata.sasl !== sasl.replace(/-/g, '_').replace('sha_', 'sha'))
          add(
            scaled,
            `the services use SASL ${sasl} but the kafka trigger has sasl ${str(metadata.sasl) || '(none)'}`,
          );
        const ref = str(get(trigger, 'authenticationRef', 'name'));
        if (!authentications.has(ref))
          add(scaled, `authenticationRef ${ref || '(none)'} is not a rendered TriggerAuthentication`);
      }
      if (config.KAFKA_SSL === 'true' && metadata.tls !== 'enable')
        add(scaled, 'the services use TLS (KAFKA_SSL=true) but the kafka trigger has no tls: enable');
    }
  }
}

/** SASL: each service logs in as the KafkaUser of its name, with that user's Secret as password. */
function checkKafkaCredentials(ctx: CheckContext): void {
  const users = new Set(ctx.byKind('KafkaUser').map((u) => u.metadata.name));
  const sasl = configData(ctx).KAFKA_SASL_MECHANISM;
  for (const template of ctx.templates) {
    for (const container of asArray(template.spec.containers)) {
      const env = asArray(container.env);
      const username = env.find((e) => e.name === 'KAFKA_SASL_USERNAME');
      const password = env.find((e) => e.name === 'KAFKA_SASL_PASSWORD');
      const component = template.labels['app.kubernetes.io/component'] ?? '';
      if (sasl && sasl !== 'none' && SERVICES[component] && !username)
        ctx.add(template.owner, `KAFKA_SASL_MECHANISM=${sasl} but ${component} sets no KAFKA_SASL_USERNAME`);
      if (!username) continue;
      const user = str(username.value);
      if (!users.has(user))
        ctx.add(template.owner, `KAFKA_SASL_USERNAME ${user} is not a rendered KafkaUser`);
      if (password?.value !== undefined)
        ctx.add(template.owner, 'KAFKA_SASL_PASSWORD has a literal value: read it from the KafkaUser Secret');
      const ref = get(password, 'valueFrom', 'secretKeyRef');
      if (get(ref, 'name') !== user || get(ref, 'key') !== 'password')
        ctx.add(
          template.owner,
          `KAFKA_SASL_PASSWORD must come from secretKeyRef ${user}/password (the User Operator's Secret)`,
        );
    }
  }
}

/** HPAs: the target exists, and is capped at the partitions of the topic it consumes. */
function checkAutoscalers(ctx: CheckContext): void {
  const { add } = ctx;
  for (const hpa of ctx.byKind('HorizontalPodAutoscaler')) {
    const target = scaleTarget(ctx, hpa);
    if (!target) continue;
    const component = componentOf(ctx, target);
    const topic = SERVICES[component]?.consumes;
    const max = Number(get(hpa, 'spec', 'maxReplicas'));
    const min = Number(get(hpa, 'spec', 'minReplicas') ?? 1);
    if (min > max) add(hpa, `minReplicas ${min} > maxReplicas ${max}`);
    if (!topic) add(hpa, `${component} does not consume a topic; it should not be autoscaled`);
    else {
      const partitions = partitionsOf(ctx, topic);
      if (partitions === undefined) add(hpa, `no KafkaTopic for ${topic}`);
      else if (max > partitions)
        add(
          hpa,
          `maxReplicas ${max} exceeds the ${partitions} partitions of ${topic}: extra consumers would idle`,
        );
    }
  }
}

/** Services select pods and target their ports; every Deployment is selected by a Service. */
function checkServices(ctx: CheckContext): void {
  const { add } = ctx;
  const services = ctx.byKind('Service');
  for (const service of services) {
    const selected = ctx
      .inNamespace(service)
      .filter((t) => mapSelectorMatches(get(service, 'spec', 'selector'), t.labels));
    if (selected.length === 0) {
      add(service, 'selector matches no pod template');
      continue;
    }
    for (const port of asArray(get(service, 'spec', 'ports'))) {
      const target = port.targetPort ?? port.port;
      for (const t of selected) {
        const containerPorts = asArray(t.spec.containers).flatMap((c) => asArray(c.ports));
        const ok = containerPorts.some((p) =>
          typeof target === 'string' ? p.name === target : p.containerPort === target,
        );
        if (!ok) add(service, `targetPort ${String(target)} is not a container port of ${idOf(t.owner)}`);
      }
    }
  }
  for (const deployment of ctx.byKind('Deployment')) {
    const template = ctx.templates.find((t) => t.owner === deployment);
    if (template && !services.some((s) => mapSelectorMatches(get(s, 'spec', 'selector'), template.labels))) {
      add(deployment, 'no Service selects its pods (metrics and health must be reachable)');
    }
  }
}

/** PDBs select something, and every autoscaled Deployment has one. */
function checkDisruptionBudgets(ctx: CheckContext): void {
  const { add } = ctx;
  const pdbs = ctx.byKind('PodDisruptionBudget');
  for (const pdb of pdbs) {
    if (!ctx.inNamespace(pdb).some((t) => selectorMatches(get(pdb, 'spec', 'selector'), t.labels)))
      add(pdb, 'selector matches no pod template');
  }
  for (const deployment of ctx.byKind('Deployment')) {
    const template = ctx.templates.find((t) => t.owner === deployment);
    const scaled =
      ctx
        .byKind('HorizontalPodAutoscaler')
        .some((h) => get(h, 'spec', 'scaleTargetRef', 'name') === deployment.metadata.name) ||
      scaledObjectsOf(ctx, deployment).length > 0;
    if (
      scaled &&
      template &&
      !pdbs.some((p) => selectorMatches(get(p, 'spec', 'selector'), template.labels))
    ) {
      add(deployment, `${componentOf(ctx, deployment)} is replicated but has no PodDisruptionBudget`);
    }
  }
}

/** NetworkPolicies select something, and a default-deny policy selects every pod. */
function checkNetworkPolicies(ctx: CheckContext): void {
  const policies = ctx.byKind('NetworkPolicy');
  for (const policy of policies) {
    if (!ctx.inNamespace(policy).some((t) => selectorMatches(get(policy, 'spec', 'podSelector'), t.labels)))
      ctx.add(policy, 'podSelector matches no pod template');
  }
  const selectedByDeny = (t: PodTemplate) =>
    policies.some((p) => {
      const types = get(p, 'spec', 'policyTypes');
      return (
        Array.isArray(types) &&
        types.includes('Ingress') &&
        types.includes('Egress') &&
        get(p, 'spec', 'ingress') === undefined &&
        get(p, 'spec', 'egress') === undefined &&
        selectorMatches(get(p, 'spec', 'podSelector'), t.labels)
      );
    });
  for (const template of ctx.templates)
    if (!selectedByDeny(template)) ctx.add(template.owner, 'no default-deny NetworkPolicy selects its pods');
}

/** A ServiceMonitor selects the three services on a named port, /metrics. */
function checkServiceMonitors(ctx: CheckContext): void {
  const { add } = ctx;
  const services = ctx.byKind('Service');
  const monitors = ctx.byKind('ServiceMonitor');
  if (monitors.length === 0) add('objects', 'no ServiceMonitor');
  for (const component of Object.keys(SERVICES)) {
    const service = services.find((s) =>
      mapSelectorMatches(get(s, 'spec', 'selector'), {
        'app.kubernetes.io/name': 'erpsync',
        'app.kubernetes.io/component': component,
        ...(ctx.templates.find((t) => t.labels['app.kubernetes.io/component'] === component)?.labels ?? {}),
      }),
    );
    if (!service) {
      add('objects', `no Service for ${component}`);
      continue;
    }
    const monitor = monitors.find((m) =>
      selectorMatches(get(m, 'spec', 'selector'), service.metadata.labels),
    );
    if (!monitor) {
      add(service, 'no ServiceMonitor selects it (its metrics would not be scraped)');
      continue;
    }
    for (const endpoint of asArray(get(monitor, 'spec', 'endpoints'))) {
      if (!asArray(get(service, 'spec', 'ports')).some((p) => p.name === endpoint.port))
        add(monitor, `endpoint port "${String(endpoint.port)}" is not a port name of ${idOf(service)}`);
      if ((endpoint.path ?? '/metrics') !== '/metrics')
        add(monitor, `endpoint path ${String(endpoint.path)}, expected /metrics`);
    }
  }
}

/** Kafka topics: every topic of libs/contracts, DLQs included, with partitions and retention. */
function checkKafkaTopics(ctx: CheckContext): void {
  const { add } = ctx;
  const topics = ctx.byKind('KafkaTopic');
  const declared = topics.map((t) => str(get(t, 'spec', 'topicName')) || t.metadata.name);
  for (const topic of allTopics())
    if (!declared.includes(topic)) add('objects', `no KafkaTopic for ${topic}`);
  for (const topic of topics) {
    const topicName = str(get(topic, 'spec', 'topicName')) || topic.metadata.name;
    if (!allTopics().includes(topicName))
      add(topic, `${topicName} is not an erpsync topic (libs/contracts/src/topics.ts)`);
    if (get(topic, 'spec', 'config', 'retention.ms') === undefined) add(topic, 'no retention.ms');
    if (get(topic, 'spec', 'partitions') === undefined) add(topic, 'no partitions');
  }
}

/** The PrometheusRule, the Kafka Exporter's PodMonitor, and the dashboard ConfigMap carrying the board. */
function checkMonitoringObjects(ctx: CheckContext): void {
  const { add, input } = ctx;
  const clusters = new Set(ctx.byKind('KafkaTopic').map((t) => t.metadata.labels?.['strimzi.io/cluster']));
  for (const monitor of ctx
    .byKind('PodMonitor')
    .filter((m) => m.metadata.name === 'erpsync-kafka-exporter')) {
    const exporter = str(get(monitor, 'spec', 'selector', 'matchLabels', 'strimzi.io/name'));
    if (![...clusters].some((c) => exporter === `${c}-kafka-exporter`))
      add(
        monitor,
        `selects ${exporter}, not the exporter of the KafkaTopics' cluster (${[...clusters].join(', ')})`,
      );
    const relabel = asArray(asArray(get(monitor, 'spec', 'podMetricsEndpoints'))[0]?.relabelings).find(
      (r) => r.targetLabel === 'namespace',
    );
    if (!relabel || relabel.replacement !== monitor.metadata.namespace)
      add(
        monitor,
        `must label the exporter's series namespace=${monitor.metadata.namespace ?? ''} (the board and alerts scope by it), got ${str(relabel?.replacement) || '(none)'}`,
      );
  }
  if (ctx.byKind('PrometheusRule').length === 0) add('objects', 'no PrometheusRule');
  const dashboards = ctx.byKind('ConfigMap').filter((c) => c.metadata.labels?.grafana_dashboard === '1');
  if (dashboards.length === 0)
    add('objects', 'no ConfigMap labelled grafana_dashboard=1 for the Grafana sidecar');
  if (input.boardJson !== undefined) {
    for (const dashboard of dashboards) {
      const data = (get(dashboard, 'data') ?? {}) as Record<string, string>;
      if (!Object.values(data).includes(input.boardJson))
        add(dashboard, 'does not carry monitoring/grafana/dashboards/erpsync.json');
    }
  }
}

/** The migration Job, mapping files the transformer accepts, MAPPING_FILE inside the mapping mount. */
function checkMappingAndMigration(ctx: CheckContext): void {
  const { add } = ctx;
  const configMaps = ctx.byKind('ConfigMap');
  const migrations = ctx.byKind('Job').filter((j) => j.metadata.name.startsWith('erpsync-migrate'));
  if (migrations.length === 0) add('objects', 'no migration Job');
  for (const job of migrations) checkMigrationJob(ctx, job);
  for (const mapping of configMaps.filter((c) => c.metadata.name.startsWith('erpsync-mapping'))) {
    for (const [key, text] of Object.entries((get(mapping, 'data') ?? {}) as Record<string, string>)) {
      try {
        parseMappingText(text, key);
      } catch (error) {
        add(mapping, `${key} is not a valid mapping file: ${(error as Error).message}`);
      }
    }
  }
  const config = configMaps.find((c) => c.metadata.name.startsWith('erpsync-config'));
  const mappingFile = get(config, 'data', 'MAPPING_FILE');
  if (typeof mappingFile !== 'string') add('objects', 'erpsync-config has no MAPPING_FILE');
  else {
    // every service that reads the mapping file (the transformer, the console's mapping preview)
    const readers = ctx.templates.filter(
      (t) => 'MAPPING_FILE' in (schemaOf(t.labels['app.kubernetes.io/component'] ?? '') ?? {}),
    );
    for (const reader of readers) {
      const mounts = asArray(asArray(reader.spec.containers)[0]?.volumeMounts);
      const mount = mounts.find((m) => mappingFile.startsWith(`${String(m.mountPath)}/`));
      const volume = asArray(reader.spec.volumes).find((v) => v.name === mount?.name);
      if (
        !mount ||
        !isObject(volume?.configMap) ||
        !String(volume.configMap.name).startsWith('erpsync-mapping')
      ) {
        add(
          reader.owner,
          `MAPPING_FILE ${mappingFile} is not inside a mount of the erpsync-mapping ConfigMap`,
        );
      }
    }
  }
}

/** The release id a migration Job is named after: its image's tag. */
export const releaseOf = (job: K8sObject): string => {
  const image = str(asArray(podSpecs(job)[0]?.containers)[0]?.image);
  return image.includes('@') ? '' : (image.split('/').pop()?.split(':')[1] ?? '');
};

/** One Job per release (a Job's template is immutable): named erpsync-migrate-<image tag>, cleaned up. */
function checkMigrationJob({ add }: CheckContext, job: K8sObject): void {
  const release = releaseOf(job);
  if (!release) add(job, 'the migration image needs a tag (the Job is named after it), not a digest');
  else if (job.metadata.name !== `erpsync-migrate-${release}`)
    add(
      job,
      `named ${job.metadata.name}, expected erpsync-migrate-${release}: each release needs its own Job (the overlay's replacements)`,
    );
  if (job.metadata.name.length > 63 || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(job.metadata.name))
    add(job, 'the Job name must be a DNS label of at most 63 characters (its pods carry it as a label)');
  if (!(Number(get(job, 'spec', 'ttlSecondsAfterFinished')) > 0))
    add(job, 'needs ttlSecondsAfterFinished: one Job per release would otherwise pile up');
}

/** The Secret template: no values, and the keys the Deployments expect. */
export function checkSecretTemplate(secrets: K8sObject[], where: string): Problem[] {
  const problems: Problem[] = [];
  for (const secret of secrets) {
    if (secret.kind !== 'Secret') problems.push(problem('k8s', where, `${idOf(secret)} is not a Secret`));
    const values = { ...((get(secret, 'stringData') ?? {}) as Obj), ...((get(secret, 'data') ?? {}) as Obj) };
    if (Object.keys(values).length === 0)
      problems.push(problem('k8s', where, `${idOf(secret)} lists no keys`));
    for (const [key, value] of Object.entries(values)) {
      if (value !== '' && value !== null)
        problems.push(
          problem('k8s', where, `${idOf(secret)} ${key} has a value: the template must stay empty`),
        );
    }
  }
  return problems;
}

const componentLabel = (t: PodTemplate): string => t.labels['app.kubernetes.io/component'] ?? '';

/** A rendered object of a kind and name in a namespace. */
const renderedIn = (ctx: CheckContext, kind: string, name: string, namespace: string) =>
  ctx.objects.find(
    (o) => o.kind === kind && o.metadata.name === name && (o.metadata.namespace ?? '') === namespace,
  );

function secretValues(secret: K8sObject): Record<string, string> {
  const data = (get(secret, 'data') ?? {}) as Record<string, string>;
  return {
    ...Object.fromEntries(
      Object.entries(data).map(([k, v]) => [k, Buffer.from(str(v), 'base64').toString('utf8')]),
    ),
    ...Object.fromEntries(
      Object.entries((get(secret, 'stringData') ?? {}) as Record<string, unknown>).map(([k, v]) => [
        k,
        str(v),
      ]),
    ),
  };
}

/** A container's environment as far as the rendered objects (and the Secret template) tell it. */
function containerEnv(ctx: CheckContext, template: PodTemplate, container: Obj): ResolvedEnv {
  const env = emptyEnv();
  const ns = template.namespace;
  const external = new Map(ctx.input.externalSecrets.map((secret) => [secret.metadata.name, secret]));
  for (const from of asArray(container.envFrom)) {
    const prefix = str(from.prefix);
    const cm = get(from, 'configMapRef', 'name');
    if (typeof cm === 'string') {
      const object = renderedIn(ctx, 'ConfigMap', cm, ns);
      for (const [k, v] of Object.entries((get(object, 'data') ?? {}) as Obj))
        setKnown(env, `${prefix}${k}`, str(v), `ConfigMap ${cm}`);
      continue;
    }
    const secret = get(from, 'secretRef', 'name');
    if (typeof secret !== 'string') continue;
    const object = renderedIn(ctx, 'Secret', secret, ns);
    if (object) {
      for (const [k, v] of Object.entries(secretValues(object)))
        setKnown(env, `${prefix}${k}`, v, `Secret ${secret}`);
    } else {
      const template_ = external.get(secret);
      for (const k of Object.keys(template_ ? secretValues(template_) : {}))
        setUnknown(env, `${prefix}${k}`, `Secret ${secret}`);
    }
  }
  for (const variable of asArray(container.env)) {
    const name = str(variable.name);
    if (variable.value !== undefined) {
      setKnown(env, name, str(variable.value), 'env');
      env.literal[name] = str(variable.value);
      continue;
    }
    const secretRef = get(variable, 'valueFrom', 'secretKeyRef');
    const cmRef = get(variable, 'valueFrom', 'configMapKeyRef');
    const ref = secretRef ?? cmRef;
    const object = isObject(ref)
      ? renderedIn(ctx, secretRef ? 'Secret' : 'ConfigMap', str(ref.name), ns)
      : undefined;
    const values = object
      ? secretRef
        ? secretValues(object)
        : ((get(object, 'data') ?? {}) as Record<string, string>)
      : {};
    if (isObject(ref) && str(ref.key) in values)
      setKnown(env, name, values[str(ref.key)], `${secretRef ? 'Secret' : 'ConfigMap'} ${str(ref.name)}`);
    else setUnknown(env, name, 'env valueFrom');
  }
  return env;
}

/** Every service and sandbox container against its environment schema (scripts/validate/service-env.ts). */
function checkServiceEnvironments(ctx: CheckContext): void {
  for (const template of ctx.templates) {
    const component = componentLabel(template);
    if (!(component in SERVICES) && !(component in SANDBOXES)) continue;
    for (const container of asArray(template.spec.containers)) {
      const env = containerEnv(ctx, template, container);
      const options = { literalSecrets: component in SANDBOXES };
      for (const message of checkServiceEnv(component, env, portEnvOf(component), options))
        ctx.add(template.owner, `container ${str(container.name)}: ${message}`);
    }
  }
}

/** The pod templates a Service selects in its namespace. */
const selectedBy = (ctx: CheckContext, service: K8sObject): PodTemplate[] =>
  ctx.inNamespace(service).filter((t) => mapSelectorMatches(get(service, 'spec', 'selector'), t.labels));

/** The port a pod listens on for a Service port (its targetPort, a name resolved in the pod). */
function targetPortOf(servicePort: Obj, template: PodTemplate): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  const port = asArray(template.spec.containers)
    .flatMap((c) => asArray(c.ports))
    .find((p) => p.name === target);
  return typeof port?.containerPort === 'number' ? port.containerPort : undefined;
}

const podEndpoint = (t: PodTemplate): Endpoint => ({
  kind: 'pod',
  namespace: t.namespace,
  labels: t.labels,
  ports: asArray(t.spec.containers).flatMap((c) => asArray(c.ports)),
});

/**
 * Where a host name (and port) leads from a namespace: the pods behind a rendered Service
 * (`svc`, `svc.ns`, `svc.ns.svc…`), another namespace, or outside the cluster; loopback: nowhere.
 */
function destinationsOf(
  ctx: CheckContext,
  host: string,
  port: number,
  namespace: string,
): { to: Endpoint; port: number; what: string }[] {
  if (host === 'localhost' || host.startsWith('127.') || host === '::1' || host === '[::1]') return [];
  const labels = host.split('.');
  const inCluster =
    labels.length === 1 || labels[2] === 'svc' || (labels.length === 2 && !host.includes(':'));
  if (!inCluster) return [{ to: { kind: 'outside' }, port, what: `${host}:${port}` }];
  const ns = labels[1] ?? namespace;
  const service = renderedIn(ctx, 'Service', labels[0], ns);
  if (!service) return [{ to: { kind: 'outside', namespace: ns }, port, what: `${host}:${port}` }];
  const servicePort = asArray(get(service, 'spec', 'ports')).find((p) => p.port === port);
  if (!servicePort) return [];
  return selectedBy(ctx, service).flatMap((t) => {
    const target = targetPortOf(servicePort, t);
    return target === undefined
      ? []
      : [{ to: podEndpoint(t), port: target, what: `${idOf(t.owner)}:${target}` }];
  });
}

/** The namespace k8s/components/console-ingress admits the console's traffic from. */
export const INGRESS_CONTROLLER_NAMESPACE = 'ingress-nginx';

/** Services an Ingress routes to, with the Service port each path names. */
function ingressBackends(
  ctx: CheckContext,
  ingress: K8sObject,
): { service?: K8sObject; port?: Obj; name: string; wanted: Obj }[] {
  const rules = asArray(get(ingress, 'spec', 'rules'));
  const backends = [
    ...rules.flatMap((r) => asArray(get(r, 'http', 'paths')).map((p) => get(p, 'backend', 'service'))),
    get(ingress, 'spec', 'defaultBackend', 'service'),
  ].filter(isObject);
  return backends.map((backend) => {
    const name = str(backend.name);
    const service = renderedIn(ctx, 'Service', name, ingress.metadata.namespace ?? '');
    const wanted = isObject(backend.port) ? backend.port : {};
    const port = asArray(get(service, 'spec', 'ports')).find((p) =>
      wanted.name !== undefined ? p.name === wanted.name : p.port === wanted.number,
    );
    return { service, port, name, wanted };
  });
}

/** Ingresses: a class, hosts, TLS for every host, backends that are rendered Service ports the controller reaches. */
function checkIngresses(ctx: CheckContext): void {
  const { add } = ctx;
  const policies = ctx.byKind('NetworkPolicy');
  for (const ingress of ctx.byKind('Ingress')) {
    const className =
      get(ingress, 'spec', 'ingressClassName') ??
      ingress.metadata.annotations?.['kubernetes.io/ingress.class'];
    if (!className)
      add(ingress, 'no ingressClassName: the cluster default controller (if any) would serve it');
    const rules = asArray(get(ingress, 'spec', 'rules'));
    const hosts = rules.map((r) => str(r.host));
    if (hosts.some((h) => h === '')) add(ingress, 'a rule without host answers for every host name');
    const tls = asArray(get(ingress, 'spec', 'tls'));
    for (const entry of tls) {
      if (!str(entry.secretName)) add(ingress, 'a tls entry without secretName');
      for (const host of Array.isArray(entry.hosts) ? (entry.hosts as string[]) : [])
        if (!hosts.includes(host)) add(ingress, `tls host ${host} has no rule`);
    }
    for (const host of hosts.filter(Boolean))
      if (!tls.some((t) => Array.isArray(t.hosts) && (t.hosts as string[]).includes(host)))
        add(ingress, `host ${host} is served without TLS (no tls entry names it)`);
    for (const { service, port, name, wanted } of ingressBackends(ctx, ingress)) {
      if (!service) {
        add(ingress, `backend Service ${name} is not rendered`);
        continue;
      }
      if (!port) {
        add(ingress, `backend port ${JSON.stringify(wanted)} is not a port of Service ${name}`);
        continue;
      }
      for (const t of selectedBy(ctx, service)) {
        const target = targetPortOf(port, t);
        if (target === undefined) continue;
        const from: Endpoint = { kind: 'outside', namespace: INGRESS_CONTROLLER_NAMESPACE };
        const reason = blockedBy(policies, { from, to: podEndpoint(t), port: target });
        if (reason)
          add(
            ingress,
            `the ingress controller (namespace ${INGRESS_CONTROLLER_NAMESPACE}) cannot reach ${idOf(t.owner)}:${target}: ${reason}`,
          );
      }
    }
  }
}

/**
 * The console: CONSOLE_SERVICE_URLS names each pipeline service by a rendered Service that selects it
 * and that the console may reach; CONSOLE_TRUST_PROXY is true exactly when an Ingress routes to it.
 */
function checkConsole(ctx: CheckContext): void {
  const policies = ctx.byKind('NetworkPolicy');
  const exposed = new Set(
    ctx
      .byKind('Ingress')
      .flatMap((ingress) => ingressBackends(ctx, ingress))
      .flatMap(({ service }) => (service ? selectedBy(ctx, service) : [])),
  );
  for (const template of ctx.templates.filter((t) => componentLabel(t) === 'console')) {
    const container = asArray(template.spec.containers)[0];
    if (!container) continue;
    const env = containerEnv(ctx, template, container);
    const add = (message: string) => ctx.add(template.owner, `container ${str(container.name)}: ${message}`);
    const trustProxy = boolValue('console', env, 'CONSOLE_TRUST_PROXY');
    if (exposed.has(template) && trustProxy !== true)
      add(
        'an Ingress routes to it but CONSOLE_TRUST_PROXY is not true: the audit and the login throttle would see the controller, not the client',
      );
    if (!exposed.has(template) && trustProxy === true)
      add(
        'CONSOLE_TRUST_PROXY=true but no Ingress routes to it: any client could claim an address in X-Forwarded-For',
      );
    const urls = listValue('console', env, 'CONSOLE_SERVICE_URLS');
    if (!urls) continue;
    const entries = serviceUrlEntries(urls);
    for (const entry of entries) {
      const where = `CONSOLE_SERVICE_URLS ${entry.raw}`;
      if (!PIPELINE.includes(entry.name))
        add(`${where}: ${entry.name} is not a pipeline service (${PIPELINE.join(', ')})`);
      if (!entry.url) {
        add(`${where}: not a URL`);
        continue;
      }
      const host = entry.url.hostname;
      const labels = host.split('.');
      const service = renderedIn(ctx, 'Service', labels[0], labels[1] ?? template.namespace);
      if (!service) {
        add(`${where}: ${host} is not a rendered Service`);
        continue;
      }
      const port = urlPort(entry.url);
      const servicePort = asArray(get(service, 'spec', 'ports')).find((p) => p.port === port);
      if (!servicePort) {
        add(`${where}: port ${port} is not a port of ${idOf(service)}`);
        continue;
      }
      const targets = selectedBy(ctx, service);
      if (PIPELINE.includes(entry.name) && !targets.some((t) => componentLabel(t) === entry.name))
        add(`${where}: ${idOf(service)} does not select the ${entry.name} pods`);
      for (const t of targets) {
        const target = targetPortOf(servicePort, t);
        if (target === undefined) continue;
        const reason = blockedBy(policies, { from: podEndpoint(template), to: podEndpoint(t), port: target });
        if (reason) add(`${where}: the console cannot reach ${idOf(t.owner)}:${target}: ${reason}`);
      }
    }
    for (const name of PIPELINE)
      if (!entries.some((e) => e.name === name))
        add(`CONSOLE_SERVICE_URLS has no entry for ${name}: the overview would not show it`);
  }
}

/** The base URLs a service (or what it starts) calls, from its environment or its schema's default. */
const API_URLS = ['WDT_BASE_URL', 'XINGCHEN_BASE_URL'];

/**
 * Traffic every service needs, through the rendered NetworkPolicies: DNS; the Kafka brokers
 * (KAFKA_BROKERS); the WDT / Xingchen APIs of whoever calls them (an https host, or a sandbox in dev);
 * Prometheus (namespace monitoring) scraping each service when a ServiceMonitor is rendered.
 */
function checkRequiredFlows(ctx: CheckContext): void {
  const policies = ctx.byKind('NetworkPolicy');
  const scraped = ctx.byKind('ServiceMonitor').length > 0;
  for (const template of ctx.templates) {
    const component = componentLabel(template);
    if (!(component in SERVICES)) continue;
    const container = asArray(template.spec.containers)[0];
    if (!container) continue;
    const env = containerEnv(ctx, template, container);
    const from = podEndpoint(template);
    const need = (what: string, to: Endpoint, port: number, protocol: 'TCP' | 'UDP' = 'TCP') => {
      const reason = blockedBy(policies, { from, to, port, protocol });
      if (reason) ctx.add(template.owner, `${component} cannot reach ${what}: ${reason}`);
    };
    need('DNS (53/UDP)', { kind: 'outside', namespace: 'kube-system' }, 53, 'UDP');
    for (const broker of listValue(component, env, 'KAFKA_BROKERS') ?? []) {
      const [host, port] = broker.split(':');
      for (const d of destinationsOf(ctx, host, Number(port || 9092), template.namespace))
        need(`the Kafka broker ${broker} (${d.what})`, d.to, d.port);
    }
    const schemas = [component, ...(ALSO_RUNS[component] ?? [])].map((name) => schemaOf(name) ?? {});
    for (const name of API_URLS) {
      if (!schemas.some((schema) => name in schema)) continue;
      const raw = env.values[name] || str(schemas.map((schema) => schema[name]?.defaultValue).find(Boolean));
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        continue; // the environment check reports it
      }
      for (const d of destinationsOf(ctx, url.hostname, urlPort(url), template.namespace))
        need(`${name} ${raw} (${d.what})`, d.to, d.port);
    }
    if (scraped) {
      const port = SERVICES[component].port;
      const reason = blockedBy(policies, {
        from: { kind: 'outside', namespace: 'monitoring' },
        to: from,
        port,
      });
      if (reason)
        ctx.add(
          template.owner,
          `Prometheus (namespace monitoring) cannot scrape ${component}:${port}: ${reason}`,
        );
    }
  }
}
