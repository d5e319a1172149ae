/**
 * The console's deployment: its Deployment and Service in every overlay, its environment against its
 * schema (and the extractor's, which its resync runs), CONSOLE_SERVICE_URLS against the rendered
 * Services and NetworkPolicies, the optional Ingress component, its KafkaUser, its compose service and
 * the image (port, web build inputs).
 */
import * as path from 'node:path';
import { REPO_ROOT, type Problem } from '../../scripts/validate/common';
import { checkCompose, loadCompose } from '../../scripts/validate/compose';
import { lintDockerfile } from '../../scripts/validate/dockerfile';
import { EXPECTED_ACLS } from '../../scripts/validate/kafka-acls';
import { checkK8sObjects, schemaProblems } from '../../scripts/validate/k8s-checks';
import { loadYamlObjects, type K8sObject } from '../../scripts/validate/kustomize';
import { StrictFieldChecker } from '../../scripts/validate/strict-fields';
import {
  COMPONENT_RENDERS,
  SECRET_TEMPLATE,
  componentRenderName,
  renderOverlays,
} from '../../scripts/validate/validate-deploy';
import { parse } from 'yaml';
import { at, findObject, firstContainer, readRepo, setAt } from './fixtures';

const secrets = loadYamlObjects(path.join(REPO_ROOT, SECRET_TEMPLATE));
const rendered = renderOverlays();
const INGRESS = componentRenderName(COMPONENT_RENDERS[0]);
const copy = (name: string): K8sObject[] => structuredClone(rendered.get(name) as K8sObject[]);
const messages = (problems: Problem[]) => problems.map((p) => `${p.where}: ${p.message}`);
const check = (name: string, objects: K8sObject[]): string[] =>
  messages(checkK8sObjects({ name, objects, externalSecrets: secrets, schemas: false }));
type EnvVar = { name: string; value?: string };
const consoleEnv = (objects: K8sObject[]) =>
  firstContainer(findObject(objects, 'Deployment', 'erpsync-console')).env as EnvVar[];
const C = 'prod: Deployment/erpsync/erpsync-console: container console';

describe('the console in Kubernetes', () => {
  it('is in every overlay: one replica, probes on port http (3000), the schema wait, the mapping mount', () => {
    for (const [name, objects] of rendered) {
      const deployment = findObject(objects, 'Deployment', 'erpsync-console');
      const spec = at(deployment, 'spec.template.spec');
      const container = firstContainer(deployment);
      expect([name, at(deployment, 'spec').replicas]).toEqual([name, 1]);
      expect((spec.initContainers as { name: string }[]).map((c) => c.name)).toEqual(['wait-for-schema']);
      expect(at(container, 'readinessProbe.httpGet')).toEqual({ path: '/health/ready', port: 'http' });
      expect(at(container, 'livenessProbe.httpGet')).toEqual({ path: '/health/live', port: 'http' });
      expect(container.ports).toEqual([{ name: 'http', containerPort: 3000, protocol: 'TCP' }]);
      expect(at(findObject(objects, 'Service', 'erpsync-console'), 'spec').ports).toEqual([
        { name: 'http', port: 3000, targetPort: 'http', protocol: 'TCP' },
      ]);
    }
  });

  it('takes CONSOLE_USERS from a Secret of its own, not the one the User Operator writes for its KafkaUser', () => {
    const envFrom = firstContainer(findObject(copy('k8s/overlays/prod'), 'Deployment', 'erpsync-console'))
      .envFrom as { secretRef?: { name: string } }[];
    expect(envFrom.map((f) => f.secretRef?.name).filter(Boolean)).toEqual([
      'erpsync-database',
      'erpsync-wdt',
      'erpsync-xingchen',
      'erpsync-console-users',
    ]);
    expect(secrets.find((s) => s.metadata.name === 'erpsync-console-users')).toMatchObject({
      stringData: { CONSOLE_USERS: '' },
    });
  });

  it('catches a variable the console does not read, a value its schema refuses and a secret in a literal', () => {
    const objects = copy('k8s/overlays/prod');
    consoleEnv(objects).push(
      { name: 'CONSOLE_SERVICE_URL', value: 'x' },
      { name: 'CONSOLE_TRUST_PROXY', value: 'sometimes' },
      { name: 'XINGCHEN_CLIENT_SECRET', value: 's3cret' },
    );
    expect(check('prod', objects)).toEqual([
      `${C}: CONSOLE_SERVICE_URL is not a variable console reads (libs/config SERVICE_SCHEMAS)`,
      `${C}: CONSOLE_TRUST_PROXY must be true or false, got "sometimes" (expected true or false)`,
      `${C}: XINGCHEN_CLIENT_SECRET is a secret: take it from a Secret, not a literal value`,
    ]);
  });

  it('catches CONSOLE_SERVICE_URLS that name no rendered Service, a wrong port, an unknown service, a missing one', () => {
    const objects = copy('k8s/overlays/prod');
    (consoleEnv(objects).find((e) => e.name === 'CONSOLE_SERVICE_URLS') as EnvVar).value =
      'extractor=http://extractor:3001,transformer=http://erpsync-transformer:3003,worker=http://erpsync-loader:3003';
    expect(check('prod', objects)).toEqual([
      `${C}: CONSOLE_SERVICE_URLS extractor=http://extractor:3001: extractor is not a rendered Service`,
      `${C}: CONSOLE_SERVICE_URLS transformer=http://erpsync-transformer:3003: port 3003 is not a port of Service/erpsync/erpsync-transformer`,
      `${C}: CONSOLE_SERVICE_URLS worker=http://erpsync-loader:3003: worker is not a pipeline service (extractor, transformer, loader)`,
      `${C}: CONSOLE_SERVICE_URLS has no entry for loader: the overview would not show it`,
    ]);
  });

  it('catches a console without its users Secret or without the mapping file', () => {
    const objects = copy('k8s/overlays/prod');
    const container = firstContainer(findObject(objects, 'Deployment', 'erpsync-console'));
    container.envFrom = (container.envFrom as { secretRef?: { name: string } }[]).filter(
      (f) => f.secretRef?.name !== 'erpsync-console-users',
    );
    container.volumeMounts = (container.volumeMounts as { name: string }[]).filter(
      (m) => m.name !== 'mapping',
    );
    expect(check('prod', objects)).toEqual([
      `${C}: CONSOLE_USERS is required and nothing sets it (env, ConfigMap, Secret)`,
      'prod: Deployment/erpsync/erpsync-console: MAPPING_FILE /etc/erpsync/mapping/mapping.yaml is not inside a mount of the erpsync-mapping ConfigMap',
    ]);
  });

  it('catches NetworkPolicies that keep the console from the services and from the WDT and Xingchen APIs', () => {
    const objects = copy('k8s/overlays/prod').filter((o) => o.metadata.name !== 'erpsync-allow-console');
    setAt(
      findObject(objects, 'NetworkPolicy', 'erpsync-allow-saas-apis'),
      'spec.podSelector.matchExpressions.0.values',
      ['extractor', 'loader'],
    );
    const unreachable = (service: string, port: number) =>
      `${C}: CONSOLE_SERVICE_URLS ${service}=http://erpsync-${service}:${port}: the console cannot reach Deployment/erpsync/erpsync-${service}:${port}: no ingress rule of erpsync-allow-metrics, erpsync-default-deny allows it`;
    const egress =
      'no egress rule of erpsync-allow-dependencies, erpsync-console-egress, erpsync-default-deny allows it';
    expect(check('prod', objects)).toEqual([
      unreachable('extractor', 3001),
      unreachable('transformer', 3002),
      unreachable('loader', 3003),
      `prod: Deployment/erpsync/erpsync-console: console cannot reach WDT_BASE_URL https://hu3cgwt0tc.api.taobao.com (hu3cgwt0tc.api.taobao.com:443): ${egress}`,
      `prod: Deployment/erpsync/erpsync-console: console cannot reach XINGCHEN_BASE_URL https://api.kingdee.com (api.kingdee.com:443): ${egress}`,
    ]);
  });

  it('dev: validates the whole environment (demo users, and the extractor settings its resync runs with), sandboxes reachable', () => {
    const objects = copy('k8s/overlays/dev');
    at(findObject(objects, 'Secret', 'erpsync-console-users'), 'stringData').CONSOLE_USERS =
      'admin:root:hunter2';
    const config = objects.find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('erpsync-config'),
    );
    at(config, 'data').POLL_INTERVAL_SECONDS = 'often';
    setAt(
      findObject(objects, 'NetworkPolicy', 'erpsync-sandbox-egress'),
      'spec.podSelector.matchExpressions.0.values',
      ['extractor', 'loader'],
    );
    const D = 'dev: Deployment/erpsync-dev/erpsync-console';
    const egress =
      'no egress rule of erpsync-allow-dependencies, erpsync-allow-saas-apis, erpsync-console-egress, erpsync-default-deny allows it';
    expect(check('dev', objects)).toEqual([
      `${D}: container console: CONSOLE_USERS: "admin:…" is not user:viewer|operator:scrypt-hash (make one with ./erpsync console-user)`,
      `${D}: container console: as the extractor it starts: POLL_INTERVAL_SECONDS must be a number, got "often" (expected a number)`,
      'dev: Deployment/erpsync-dev/erpsync-extractor: container extractor: POLL_INTERVAL_SECONDS must be a number, got "often" (expected a number)',
      `${D}: console cannot reach WDT_BASE_URL http://erpsync-wdt-sandbox:18080 (Deployment/erpsync-dev/erpsync-wdt-sandbox:18080): ${egress}`,
      `${D}: console cannot reach XINGCHEN_BASE_URL http://erpsync-xingchen-sandbox:18081 (Deployment/erpsync-dev/erpsync-xingchen-sandbox:18081): ${egress}`,
    ]);
  });

  it('catches CONSOLE_TRUST_PROXY=true without an Ingress', () => {
    const objects = copy('k8s/overlays/prod');
    consoleEnv(objects).push({ name: 'CONSOLE_TRUST_PROXY', value: 'true' });
    expect(check('prod', objects)).toEqual([
      `${C}: CONSOLE_TRUST_PROXY=true but no Ingress routes to it: any client could claim an address in X-Forwarded-For`,
    ]);
  });
});

describe('the console-ingress component (on prod)', () => {
  it('renders an nginx Ingress with TLS, trusts the proxy, admits only the controller, and passes every check', () => {
    const objects = copy(INGRESS);
    const strict = new StrictFieldChecker(objects);
    expect(messages(schemaProblems(INGRESS, objects, strict))).toEqual([]);
    expect(check(INGRESS, objects)).toEqual([]);
    const ingress = findObject(objects, 'Ingress', 'erpsync-console');
    expect(at(ingress, 'spec')).toMatchObject({
      ingressClassName: 'nginx',
      tls: [{ hosts: ['console.erpsync.example.com'], secretName: 'erpsync-console-tls' }],
    });
    expect(ingress.metadata.namespace).toBe('erpsync');
    expect(consoleEnv(objects)).toContainEqual({ name: 'CONSOLE_TRUST_PROXY', value: 'true' });
    expect(
      at(findObject(objects, 'NetworkPolicy', 'erpsync-console-ingress'), 'spec.ingress.0').from,
    ).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }]);
    expect(rendered.get('k8s/overlays/prod')?.some((o) => o.kind === 'Ingress')).toBe(false);
  });

  it('catches no class, no TLS, a backend port the Service lacks, and the proxy not trusted', () => {
    const objects = copy(INGRESS);
    const env = consoleEnv(objects);
    env.splice(
      env.findIndex((e) => e.name === 'CONSOLE_TRUST_PROXY'),
      1,
    );
    const ingress = findObject(objects, 'Ingress', 'erpsync-console');
    setAt(ingress, 'spec.rules.0.http.paths.0.backend.service.port', { name: 'web' });
    setAt(ingress, 'spec.tls', []);
    setAt(ingress, 'spec.ingressClassName', undefined);
    const I = `${INGRESS}: Ingress/erpsync/erpsync-console`;
    expect(check(INGRESS, objects)).toEqual([
      `${I}: no ingressClassName: the cluster default controller (if any) would serve it`,
      `${I}: host console.erpsync.example.com is served without TLS (no tls entry names it)`,
      `${I}: backend port {"name":"web"} is not a port of Service erpsync-console`,
      `${INGRESS}: Deployment/erpsync/erpsync-console: container console: an Ingress routes to it but CONSOLE_TRUST_PROXY is not true: the audit and the login throttle would see the controller, not the client`,
    ]);
  });

  it('catches a NetworkPolicy that admits another namespace than the controller', () => {
    const objects = copy(INGRESS);
    setAt(
      findObject(objects, 'NetworkPolicy', 'erpsync-console-ingress'),
      'spec.ingress.0.from.0.namespaceSelector.matchLabels',
      { 'kubernetes.io/metadata.name': 'nginx' },
    );
    expect(check(INGRESS, objects)).toEqual([
      `${INGRESS}: Ingress/erpsync/erpsync-console: the ingress controller (namespace ingress-nginx) cannot reach Deployment/erpsync/erpsync-console:3000: no ingress rule of erpsync-allow-metrics, erpsync-console-ingress, erpsync-default-deny allows it`,
    ]);
  });
});

describe("the console's KafkaUser (prod)", () => {
  it('logs in as erpsync-console, whose ACLs are exactly what the console and its resync need', () => {
    const objects = copy('k8s/overlays/prod');
    expect(consoleEnv(objects).filter((e) => e.name.startsWith('KAFKA_SASL'))).toEqual([
      { name: 'KAFKA_SASL_USERNAME', value: 'erpsync-console' },
      {
        name: 'KAFKA_SASL_PASSWORD',
        valueFrom: { secretKeyRef: { name: 'erpsync-console', key: 'password' } },
      },
    ]);
    expect(
      EXPECTED_ACLS['erpsync-console'].map(
        (g) => `${g.type} ${g.pattern} ${g.name} ${g.operations.join(',')}`,
      ),
    ).toEqual([
      'topic literal erp.wdt.trade.raw.v1 Describe,Read,Write',
      'topic literal erp.wdt.trade.raw.v1.dlq Describe,Read,Write',
      'topic literal erp.wdt.trade.raw.replay.v1.dlq Describe,Read',
      'topic literal sales.order.normalized.v1.dlq Describe,Read',
      'topic literal erp.wdt.trade.raw.replay.v1 Describe,Write',
      'topic literal sales.order.normalized.v1 Describe,Write',
      'group literal erpsync.transformer Describe',
      'group literal erpsync.transformer.replay Describe',
      'group literal erpsync.loader Describe',
      'group prefix erpsync.console. Describe,Read,Delete',
      'group prefix erpsync.replay. Describe,Read,Delete',
      'group prefix erpsync.reconcile. Describe,Read,Delete',
    ]);
  });

  it('catches the resync losing its dead-letter Write and a redrive target it may not write', () => {
    const objects = copy('k8s/overlays/prod');
    const acls = at(findObject(objects, 'KafkaUser', 'erpsync-console'), 'spec.authorization').acls as {
      resource: { name: string };
      operations: string[];
    }[];
    const rawDlq = acls.find((a) => a.resource.name === 'erp.wdt.trade.raw.v1.dlq') as {
      operations: string[];
    };
    rawDlq.operations = ['Describe', 'Read'];
    const normalized = acls.find((a) => a.resource.name === 'sales.order.normalized.v1') as {
      operations: string[];
    };
    normalized.operations = ['Describe', 'Read'];
    expect(check('prod', objects)).toEqual([
      'prod: KafkaUser/erpsync-console: missing ACL topic literal erp.wdt.trade.raw.v1.dlq Write',
      'prod: KafkaUser/erpsync-console: missing ACL topic literal sales.order.normalized.v1 Write',
      'prod: KafkaUser/erpsync-console: ACL topic literal sales.order.normalized.v1 Read is not needed',
    ]);
  });
});

describe('the console in docker-compose.yml', () => {
  const prometheus = parse(readRepo('monitoring/prometheus.yml')) as {
    scrape_configs: { job_name: string }[];
  };
  const compose = () =>
    structuredClone(loadCompose()) as { services: Record<string, Record<string, unknown>> };

  it('runs the console on 3000 with demo users the schema accepts, after the pipeline services', () => {
    const doc = compose();
    expect(messages(checkCompose(doc, prometheus))).toEqual([]);
    const service = doc.services.console;
    expect(service.command).toEqual(['console']);
    expect(service.ports).toEqual(['3000:3000']);
    expect(Object.keys(service.depends_on as object).sort()).toEqual([
      'extractor',
      'kafka',
      'loader',
      'postgres',
      'transformer',
    ]);
    expect(doc.services.grafana.ports).toEqual(['3030:3000']);
  });

  it('catches compose users that are not scrypt entries, URLs with the Kubernetes names, no mapping, no scrape', () => {
    const doc = compose();
    const environment = doc.services.console.environment as Record<string, string>;
    environment.CONSOLE_USERS = 'admin:operator:plain-password';
    environment.CONSOLE_SERVICE_URLS =
      'extractor=http://erpsync-extractor:3001,transformer=http://transformer:3003,loader=http://loader:3003';
    doc.services.console.volumes = [];
    const config = structuredClone(prometheus);
    config.scrape_configs = config.scrape_configs.filter((job) => job.job_name !== 'erpsync-console');
    expect(messages(checkCompose(doc, config))).toEqual([
      'docker-compose.yml: console: CONSOLE_USERS: "admin:…" is not user:viewer|operator:scrypt-hash (make one with ./erpsync console-user)',
      'docker-compose.yml: console: MAPPING_FILE /etc/erpsync/mapping/mapping.yaml is not bind-mounted',
      'docker-compose.yml: console: CONSOLE_SERVICE_URLS extractor=http://erpsync-extractor:3001: erpsync-extractor is not a compose service',
      'docker-compose.yml: console: CONSOLE_SERVICE_URLS transformer=http://transformer:3003: transformer listens on 3002, not 3003',
      'monitoring/prometheus.yml: prometheus.yml does not scrape console:3000',
    ]);
  });

  it('catches a console started as another service, without CONSOLE_PORT, with a misspelled variable', () => {
    const doc = compose();
    doc.services.console.command = ['cli'];
    const environment = doc.services.console.environment as Record<string, string>;
    delete environment.CONSOLE_PORT;
    // HTTP_PORT would pass: the extractor backfill a resync starts reads it (service-env ALSO_RUNS)
    environment.CONSOLE_SESSION_HOUR = '8';
    expect(messages(checkCompose(doc, prometheus))).toEqual([
      "docker-compose.yml: console: command must start the console service (['console'])",
      'docker-compose.yml: console: CONSOLE_PORT must be 3000, got undefined',
      'docker-compose.yml: console: CONSOLE_SESSION_HOUR is not a variable console reads (libs/config SERVICE_SCHEMAS)',
    ]);
  });
});

describe('the console in the image', () => {
  const dockerfile = readRepo('Dockerfile');

  it("exposes the console's port and copies the web build's inputs before `npm run build`", () => {
    expect(messages(lintDockerfile(dockerfile))).toEqual([]);
    expect(
      messages(
        lintDockerfile(dockerfile.replace('COPY apps ./apps\n', '').replace('EXPOSE 3000 ', 'EXPOSE ')),
      ),
    ).toEqual([
      'Dockerfile: EXPOSE does not list 3000 (console)',
      'Dockerfile:18: the build script reads apps/console/web/vite.config.ts, which the build stage does not copy before `npm run build`',
    ]);
  });
});
