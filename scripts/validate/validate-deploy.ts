/**
 * Validates every deployment artefact without a Docker engine or a cluster:
 *   npm run validate:deploy              # all checks; exit 1 on any problem
 *   npm run validate:deploy -- --sync    # first regenerate the Kubernetes copies of monitoring/
 * Checks: Dockerfile lint; docker-compose.yml against the Compose spec + stack rules; .env.example
 * vs the Kubernetes ConfigMap/Secret names; the kustomize overlays, and prod with the optional
 * console-ingress component, rendered (`kubectl kustomize`, scripts/validate/kustomize.ts) and validated
 * (schemas incl. Strimzi 1.0 and KEDA, unknown fields, selectors, probes, resources, security, HPAs vs
 * partitions, topics, each service's environment vs its libs/config schema, the console's service URLs,
 * Ingresses, required traffic through the NetworkPolicies); the Grafana board and alert rules vs the metrics in the code;
 * promtool check/test rules. A missing kubectl or promtool fails its section, naming the tool.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT, formatProblems, type Problem } from './common';
import { checkCompose, checkEnvConsistency, loadCompose } from './compose';
import { lintDockerfile } from './dockerfile';
import { checkK8sObjects, checkSecretTemplate, schemaProblems } from './k8s-checks';
import { loadYamlObjects, renderKustomization, renderWithComponents, type K8sObject } from './kustomize';
import { metricCatalog } from './metric-catalog';
import {
  MONITORING,
  checkBoard,
  checkRules,
  checkSync,
  checkWithPromtool,
  loadMonitoring,
  writeSync,
} from './monitoring';
import { StrictFieldChecker } from './strict-fields';

export const OVERLAYS = ['k8s/overlays/dev', 'k8s/overlays/prod', 'k8s/overlays/prod-keda'];
/**
 * Optional components no overlay enables, rendered on top of an overlay as an operator's own overlay
 * would (docs/deploy.md) and checked like the overlays; keyed `<overlay>+<component>`.
 */
export const COMPONENT_RENDERS: { overlay: string; components: string[] }[] = [
  { overlay: 'k8s/overlays/prod', components: ['k8s/components/console-ingress'] },
];
export const componentRenderName = ({ overlay, components }: { overlay: string; components: string[] }) =>
  [overlay, ...components].join('+');
/** Rendered and schema-checked on their own (they live in the Kafka namespace, not in an overlay). */
export const KAFKA_CLUSTER = 'k8s/kafka-cluster';
export const SECRET_TEMPLATE = 'k8s/base/secret.template.yaml';

export interface Section {
  name: string;
  problems: Problem[];
  ms: number;
}

function timed(name: string, run: () => Problem[]): Section {
  const started = Date.now();
  try {
    return { name, problems: run(), ms: Date.now() - started };
  } catch (error) {
    return {
      name,
      problems: [{ check: name, where: '-', message: (error as Error).stack ?? String(error) }],
      ms: Date.now() - started,
    };
  }
}

export function renderOverlays(root = REPO_ROOT): Map<string, K8sObject[]> {
  return new Map([
    ...OVERLAYS.map((overlay): [string, K8sObject[]] => [
      overlay,
      renderKustomization(path.join(root, overlay)),
    ]),
    ...COMPONENT_RENDERS.map((render): [string, K8sObject[]] => [
      componentRenderName(render),
      renderWithComponents(
        path.join(root, render.overlay),
        render.components.map((c) => path.join(root, c)),
      ),
    ]),
  ]);
}

export function validateDeploy(root = REPO_ROOT): Section[] {
  const sections: Section[] = [];
  sections.push(
    timed('dockerfile', () => lintDockerfile(fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8'), root)),
  );
  sections.push(
    timed('compose', () =>
      checkCompose(
        loadCompose(root),
        parse(fs.readFileSync(path.join(root, MONITORING.prometheusConfig), 'utf8')),
        root,
      ),
    ),
  );
  const secrets = loadYamlObjects(path.join(root, SECRET_TEMPLATE));
  sections.push(
    timed('env', () => {
      const secretKeys = secrets.flatMap((s) => Object.keys((s as { stringData?: object }).stringData ?? {}));
      return [
        ...checkSecretTemplate(secrets, SECRET_TEMPLATE),
        ...checkEnvConsistency(
          fs.readFileSync(path.join(root, '.env.example'), 'utf8'),
          fs.readFileSync(path.join(root, 'k8s/base/config.env'), 'utf8'),
          secretKeys,
        ),
      ];
    }),
  );
  let rendered = new Map<string, K8sObject[]>();
  let kafkaCluster: K8sObject[] = [];
  sections.push(
    timed('kustomize', () => {
      rendered = renderOverlays(root);
      kafkaCluster = renderKustomization(path.join(root, KAFKA_CLUSTER));
      return [];
    }),
  );
  const boardJson = fs.readFileSync(path.join(root, MONITORING.board), 'utf8');
  sections.push(
    timed('kubernetes', () => {
      const all = [...rendered.values()].flat();
      if (all.length === 0) return [];
      const strict = new StrictFieldChecker([...all, ...secrets, ...kafkaCluster], root);
      return [
        ...schemaProblems(KAFKA_CLUSTER, kafkaCluster, strict),
        ...[...rendered].flatMap(([overlay, objects]) =>
          checkK8sObjects({ name: overlay, objects, externalSecrets: secrets, boardJson, strict }),
        ),
        ...schemaProblems(SECRET_TEMPLATE, secrets, strict),
      ];
    }),
  );
  const catalog = metricCatalog();
  const monitoring = loadMonitoring(root);
  sections.push(timed('grafana', () => checkBoard(monitoring.board, catalog)));
  sections.push(
    timed('alerts', () => checkRules(monitoring.ruleFiles, monitoring.tests, monitoring.runbook, catalog)),
  );
  sections.push(timed('sync', () => checkSync(root)));
  sections.push(timed('promtool', () => checkWithPromtool(monitoring.board, root)));
  return sections;
}

function main(argv: string[]): number {
  if (argv.includes('--sync')) for (const file of writeSync()) console.log(`wrote ${file}`);
  const sections = validateDeploy();
  let failed = 0;
  for (const section of sections) {
    const status = section.problems.length === 0 ? 'ok' : 'FAIL';
    console.log(`${status.padEnd(4)} ${section.name} (${section.ms} ms)`);
    if (section.problems.length > 0) {
      failed += section.problems.length;
      console.log(formatProblems(section.problems));
    }
  }
  console.log(
    failed === 0
      ? 'validate:deploy: all deployment artefacts valid'
      : `validate:deploy: ${failed} problem(s)`,
  );
  return failed === 0 ? 0 : 1;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
