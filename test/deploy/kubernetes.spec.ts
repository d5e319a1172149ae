import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT, type Problem } from '../../scripts/validate/common';
import { checkK8sObjects, schemaProblems } from '../../scripts/validate/k8s-checks';
import {
  KUBECTL_MISSING,
  KustomizeError,
  loadYamlObjects,
  renderKustomization,
  type K8sObject,
} from '../../scripts/validate/kustomize';
import { StrictFieldChecker } from '../../scripts/validate/strict-fields';
import { OVERLAYS, SECRET_TEMPLATE } from '../../scripts/validate/validate-deploy';
import { at, findObject, firstContainer, readRepo, setAt } from './fixtures';

const secrets = loadYamlObjects(path.join(REPO_ROOT, SECRET_TEMPLATE));
const boardJson = readRepo('monitoring/grafana/dashboards/erpsync.json');
const rendered = new Map(
  OVERLAYS.map((overlay) => [overlay, renderKustomization(path.join(REPO_ROOT, overlay))]),
);
let strict: StrictFieldChecker;

const prod = (): K8sObject[] => structuredClone(rendered.get('k8s/overlays/prod') as K8sObject[]);
const check = (objects: K8sObject[], schemas = false): Problem[] =>
  checkK8sObjects({
    name: 'prod',
    objects,
    externalSecrets: secrets,
    boardJson,
    strict: schemas ? strict : undefined,
    schemas,
  });
const messages = (problems: Problem[]) => problems.map((p) => `${p.where}: ${p.message}`);

beforeAll(() => {
  strict = new StrictFieldChecker([...[...rendered.values()].flat(), ...secrets]);
});

describe('the Kubernetes manifests', () => {
  it.each(OVERLAYS)('%s renders and passes every schema and rule', (overlay) => {
    const objects = rendered.get(overlay) as K8sObject[];
    expect(
      messages(checkK8sObjects({ name: overlay, objects, externalSecrets: secrets, boardJson, strict })),
    ).toEqual([]);
  });

  it('the Secret template validates and the prod overlay contains no Secret', () => {
    expect(messages(schemaProblems(SECRET_TEMPLATE, secrets, strict))).toEqual([]);
    expect(rendered.get('k8s/overlays/prod')?.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  it('dev has the sandboxes and prod does not', () => {
    const deployments = (overlay: string) =>
      (rendered.get(overlay) as K8sObject[])
        .filter((o) => o.kind === 'Deployment')
        .map((o) => o.metadata.name)
        .sort();
    expect(deployments('k8s/overlays/dev')).toEqual([
      'erpsync-console',
      'erpsync-extractor',
      'erpsync-loader',
      'erpsync-transformer',
      'erpsync-wdt-sandbox',
      'erpsync-xingchen-sandbox',
    ]);
    expect(deployments('k8s/overlays/prod')).toEqual([
      'erpsync-console',
      'erpsync-extractor',
      'erpsync-loader',
      'erpsync-transformer',
    ]);
  });

  it('catches a readiness probe on the wrong port', () => {
    const objects = prod();
    setAt(
      firstContainer(findObject(objects, 'Deployment', 'erpsync-extractor')),
      'readinessProbe.httpGet.port',
      8080,
    );
    expect(messages(check(objects))).toEqual([
      'prod: Deployment/erpsync/erpsync-extractor: container extractor: readinessProbe port 8080 is not the HTTP port 3001',
    ]);
  });

  it('catches a probe on a port name the container does not have, and a probe on the wrong path', () => {
    const objects = prod();
    const loader = firstContainer(findObject(objects, 'Deployment', 'erpsync-loader'));
    setAt(loader, 'livenessProbe.httpGet.port', 'metrics');
    setAt(loader, 'readinessProbe.httpGet.path', '/health');
    expect(messages(check(objects))).toEqual([
      'prod: Deployment/erpsync/erpsync-loader: container loader: livenessProbe port "metrics" is not a named container port',
      'prod: Deployment/erpsync/erpsync-loader: container loader: readinessProbe path /health, expected /health/ready',
    ]);
  });

  it('catches an HTTP_PORT that is not the service port the probes and Service use', () => {
    const objects = prod();
    const transformer = firstContainer(findObject(objects, 'Deployment', 'erpsync-transformer'));
    transformer.env = [{ name: 'HTTP_PORT', value: '3003' }];
    expect(messages(check(objects))).toContain(
      'prod: Deployment/erpsync/erpsync-transformer: container transformer: HTTP_PORT 3003 but transformer listens on 3002',
    );
  });

  it('catches an invalid field value in a Deployment (schema)', () => {
    const objects = prod();
    setAt(findObject(objects, 'Deployment', 'erpsync-extractor'), 'spec.replicas', 'one');
    expect(messages(check(objects, true))).toEqual([
      'prod: Deployment/erpsync/erpsync-extractor: /spec/replicas must be integer',
      'prod: Deployment/erpsync/erpsync-extractor: the extractor runs exactly one replica',
    ]);
  });

  it('catches a misspelled field in a Deployment (unknown field)', () => {
    const objects = prod();
    const container = firstContainer(findObject(objects, 'Deployment', 'erpsync-loader'));
    container.resource = container.resources;
    delete container.resources;
    expect(messages(check(objects, true))).toEqual([
      'prod: Deployment/erpsync/erpsync-loader: unknown field /spec/template/spec/containers/0/resource',
      'prod: Deployment/erpsync/erpsync-loader: container loader: resources.requests.cpu is not set',
      'prod: Deployment/erpsync/erpsync-loader: container loader: resources.requests.memory is not set',
      'prod: Deployment/erpsync/erpsync-loader: container loader: resources.limits.memory is not set',
    ]);
  });

  it('catches a KafkaTopic outside the Strimzi schema and a missing DLQ topic', () => {
    const objects = prod().filter((o) => o.metadata.name !== 'sales.order.normalized.v1.dlq');
    setAt(findObject(objects, 'KafkaTopic', 'erp.wdt.trade.raw.v1'), 'spec.partition', 6);
    expect(messages(check(objects, true))).toEqual([
      'prod: KafkaTopic/erpsync/erp.wdt.trade.raw.v1: unknown field /spec/partition',
      'prod: objects: no KafkaTopic for sales.order.normalized.v1.dlq',
    ]);
  });

  it('catches a Strimzi object on an API version Strimzi 1.0 no longer serves, and a wrong type', () => {
    const objects = prod();
    const topic = findObject(objects, 'KafkaTopic', 'erp.wdt.trade.raw.v1');
    topic.apiVersion = 'kafka.strimzi.io/v1beta2';
    setAt(findObject(objects, 'KafkaTopic', 'sales.order.normalized.v1'), 'spec.partitions', 'six');
    expect(messages(check(objects, true))).toEqual([
      'prod: KafkaTopic/erpsync/erp.wdt.trade.raw.v1: Strimzi 1.0 serves only kafka.strimzi.io/v1 (kafka.strimzi.io/v1beta2 was removed)',
      'prod: KafkaTopic/erpsync/sales.order.normalized.v1: /spec/partitions must be integer',
    ]);
  });

  it('catches a mapping ConfigMap the transformer would refuse at boot', () => {
    const objects = prod();
    const mapping = objects.find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('erpsync-mapping'),
    );
    at(mapping, 'data')['mapping.yaml'] = 'statuses:\n  eligible: [55, confirmed]\n';
    const found = messages(check(objects));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(
      /^prod: ConfigMap\/erpsync\/erpsync-mapping-[a-z0-9]{10}: mapping\.yaml is not a valid mapping file: .*statuses\.eligible\[1\]/s,
    );
  });

  it('catches an HPA allowed more replicas than the topic has partitions', () => {
    const objects = prod();
    setAt(findObject(objects, 'HorizontalPodAutoscaler', 'erpsync-loader'), 'spec.maxReplicas', 8);
    expect(messages(check(objects))).toEqual([
      'prod: HorizontalPodAutoscaler/erpsync/erpsync-loader: maxReplicas 8 exceeds the 6 partitions of sales.order.normalized.v1: extra consumers would idle',
    ]);
  });

  it('catches a Service whose selector no longer matches the pods, and the ServiceMonitor and console that lose it', () => {
    const objects = prod();
    at(findObject(objects, 'Service', 'erpsync-transformer'), 'spec.selector')[
      'app.kubernetes.io/component'
    ] = 'transfomer';
    expect(messages(check(objects))).toEqual([
      'prod: Service/erpsync/erpsync-transformer: selector matches no pod template',
      'prod: Deployment/erpsync/erpsync-transformer: no Service selects its pods (metrics and health must be reachable)',
      'prod: Deployment/erpsync/erpsync-console: container console: CONSOLE_SERVICE_URLS transformer=http://erpsync-transformer:3002: Service/erpsync/erpsync-transformer does not select the transformer pods',
      'prod: objects: no Service for transformer',
    ]);
  });

  it('catches a container that may run as root with a writable root filesystem', () => {
    const objects = prod();
    const container = firstContainer(findObject(objects, 'Deployment', 'erpsync-extractor'));
    container.securityContext = {
      runAsNonRoot: false,
      capabilities: { drop: ['ALL'] },
      allowPrivilegeEscalation: false,
    };
    setAt(
      findObject(objects, 'Deployment', 'erpsync-extractor'),
      'spec.template.spec.securityContext.runAsNonRoot',
      false,
    );
    expect(messages(check(objects))).toEqual([
      'prod: Deployment/erpsync/erpsync-extractor: container extractor: runAsNonRoot must be true',
      'prod: Deployment/erpsync/erpsync-extractor: container extractor: readOnlyRootFilesystem must be true',
    ]);
  });
});

/** Runs a test in a fresh temporary directory, removed afterwards. */
function inTempDir(run: (dir: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'erpsync-kustomize-'));
  try {
    run(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('rendering with kubectl kustomize', () => {
  it.each(OVERLAYS)('renders %s as `kubectl kustomize` prints it', (overlay) => {
    const result = spawnSync('kubectl', ['kustomize', path.join(REPO_ROOT, overlay)], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    const theirs = parseAllDocuments(result.stdout).map((doc) => doc.toJS() as K8sObject);
    const key = (o: K8sObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const sorted = (list: K8sObject[]) => [...list].sort((a, b) => key(a).localeCompare(key(b)));
    expect(sorted(rendered.get(overlay) as K8sObject[])).toEqual(sorted(theirs));
  });

  it('fails on a kustomization kubectl rejects, with its message', () => {
    inTempDir((dir) => {
      fs.writeFileSync(
        path.join(dir, 'kustomization.yaml'),
        'resources: []\nreplicaz:\n  - name: x\n    count: 2\n',
      );
      expect(() => renderKustomization(dir)).toThrow(KustomizeError);
      expect(() => renderKustomization(dir)).toThrow(/invalid Kustomization: .*unknown field .*replicaz/);
    });
  });

  it('applies JSON 6902 patches to the targets only, and fails on a patch that matches nothing', () => {
    inTempDir((dir) => {
      fs.writeFileSync(
        path.join(dir, 'cm.yaml'),
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: "1"\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  k: "1"\n',
      );
      const patch = (name: string) =>
        `resources: [cm.yaml]\npatches:\n  - target: {kind: ConfigMap, name: ${name}}\n    patch: |-\n      - op: replace\n        path: /data/k\n        value: "2"\n`;
      fs.writeFileSync(path.join(dir, 'kustomization.yaml'), patch('a'));
      expect(renderKustomization(dir).map((o) => [o.metadata.name, at(o, 'data').k])).toEqual([
        ['a', '2'],
        ['b', '1'],
      ]);
      fs.writeFileSync(path.join(dir, 'kustomization.yaml'), patch('c'));
      expect(() => renderKustomization(dir)).toThrow(/matches nothing/);
    });
  });

  it('fails, naming kubectl and how to install it, when kubectl is missing', () => {
    const absent = path.join(os.tmpdir(), 'erpsync-no-such-dir', 'kubectl');
    expect(() => renderKustomization(path.join(REPO_ROOT, OVERLAYS[0]), absent)).toThrow(
      new KustomizeError(KUBECTL_MISSING),
    );
    expect(KUBECTL_MISSING).toMatch(/^kubectl not found: install kubectl/);
  });
});
