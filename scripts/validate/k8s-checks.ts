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
import type { StrictFieldChecker } from './strict-fields';

type Obj = Record<string, unknown>;

/** The erpsync services, their HTTP port and (for consumers) the topic that bounds their replicas. */
export const SERVICES: Record<string, { port: number; consumes?: string; group?: string }> = {
  extractor: { port: 3001 },
  transformer: { port: 3002, consumes: Topics.rawTrades, group: ConsumerGroups.transformer },
  loader: { port: 3003, consumes: Topics.normalizedOrders, group: ConsumerGroups.loader },
};
export const SANDBOXES: Record<string, number> = { 'wdt-sandbox': 18080, 'xingchen-sandbox': 18081 };

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
  for (const container of asArray(template.spec.containers)) {
    const where = `container ${String(container.name)}`;
    const ports = asArray(container.ports);
    const httpPortEnv = asArray(container.env).find((e) => e.name === 'HTTP_PORT')?.value;
    if (httpPortEnv === undefined) add(deployment, `${where}: HTTP_PORT is not set`);
    const httpPort = Number(httpPortEnv);
    if (expectedPort !== undefined && httpPortEnv !== undefined && httpPort !== expectedPort) {
      add(deployment, `${where}: HTTP_PORT ${httpPort} but ${component} listens on ${expectedPort}`);
    }
    if (!ports.some((p) => p.containerPort === httpPort))
      add(deployment, `${where}: no containerPort for HTTP_PORT ${httpPort}`);
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
  const transformer = ctx.templates.find((t) => t.labels['app.kubernetes.io/component'] === 'transformer');
  if (typeof mappingFile !== 'string') add('objects', 'erpsync-config has no MAPPING_FILE');
  else if (transformer) {
    const mounts = asArray(asArray(transformer.spec.containers)[0]?.volumeMounts);
    const mount = mounts.find((m) => mappingFile.startsWith(`${String(m.mountPath)}/`));
    const volume = asArray(transformer.spec.volumes).find((v) => v.name === mount?.name);
    if (
      !mount ||
      !isObject(volume?.configMap) ||
      !String(volume.configMap.name).startsWith('erpsync-mapping')
    ) {
      add(
        transformer.owner,
        `MAPPING_FILE ${mappingFile} is not inside a mount of the erpsync-mapping ConfigMap`,
      );
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
