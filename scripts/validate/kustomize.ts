/**
 * Renders the kustomize overlays with `kubectl kustomize <dir>` (kubectl ≥ 1.27, kustomize v5) and
 * reads the objects back; plus the small helpers the checks need on rendered objects. A missing
 * kubectl is an error, never a skip: CI installs what it needs (.ci/run).
 * kubectl silently ignores a patch whose target matches nothing; `unmatchedPatchTargets` keeps that
 * mistake visible.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { isObject, str } from './common';

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [key: string]: unknown;
};

type Obj = Record<string, unknown>;

export class KustomizeError extends Error {}

export const KUBECTL_MISSING =
  'kubectl not found: install kubectl ≥ 1.27 (it bundles kustomize v5; Debian\'s "kubernetes-client" is too old); CI must have it';

/** The YAML documents of a text as Kubernetes objects; `where` names the source in errors. */
export function parseYamlObjects(text: string, where: string): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new KustomizeError(`${where}: ${doc.errors[0]?.message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (
      !isObject(value) ||
      typeof value.kind !== 'string' ||
      typeof value.apiVersion !== 'string' ||
      !isObject(value.metadata)
    ) {
      throw new KustomizeError(
        `${where}: every document must be a Kubernetes object with apiVersion, kind and metadata`,
      );
    }
    if (typeof value.metadata.name !== 'string')
      throw new KustomizeError(`${where}: ${value.kind} without metadata.name`);
    objects.push(value as unknown as K8sObject);
  }
  return objects;
}

export const loadYamlObjects = (file: string): K8sObject[] =>
  parseYamlObjects(fs.readFileSync(file, 'utf8'), file);

/** Renders a kustomization directory: the objects `kubectl kustomize <dir>` prints. */
export function renderKustomization(dir: string, kubectl = 'kubectl'): K8sObject[] {
  const result = spawnSync(kubectl, ['kustomize', path.resolve(dir)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT')
    throw new KustomizeError(KUBECTL_MISSING);
  if (result.status !== 0)
    throw new KustomizeError(
      `kubectl kustomize ${dir} failed: ${result.stderr.trim() || result.error?.message}`,
    );
  const objects = parseYamlObjects(result.stdout, `kubectl kustomize ${dir}`);
  const unmatched = unmatchedPatchTargets(dir, objects);
  if (unmatched.length > 0) throw new KustomizeError(unmatched.join('\n'));
  return objects;
}

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/**
 * An overlay with optional components added (what an operator's own overlay does to enable them):
 * rendered from a temporary kustomization that includes the overlay and the components, in the
 * overlay's namespace. The temporary directory is removed afterwards.
 */
export function renderWithComponents(
  overlay: string,
  components: string[],
  kubectl = 'kubectl',
): K8sObject[] {
  const file = KUSTOMIZATION_FILES.map((name) => path.join(overlay, name)).find((f) => fs.existsSync(f));
  const content: unknown = file ? parse(fs.readFileSync(file, 'utf8')) : {};
  const namespace = isObject(content) ? str(content.namespace) : '';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'erpsync-components-'));
  try {
    const relative = (target: string) => path.relative(dir, path.resolve(target));
    fs.writeFileSync(
      path.join(dir, 'kustomization.yaml'),
      stringify({
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        ...(namespace ? { namespace } : {}),
        resources: [relative(overlay)],
        components: components.map(relative),
      }),
    );
    return renderKustomization(dir, kubectl);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The kustomization files of a directory and of every directory it includes as a resource or component. */
function kustomizations(dir: string, seen = new Set<string>()): { file: string; content: Obj }[] {
  const resolved = path.resolve(dir);
  if (seen.has(resolved)) return [];
  seen.add(resolved);
  const file = KUSTOMIZATION_FILES.map((name) => path.join(resolved, name)).find((f) => fs.existsSync(f));
  if (!file) return [];
  const content: unknown = parse(fs.readFileSync(file, 'utf8'));
  if (!isObject(content)) return [];
  const included = [
    ...(Array.isArray(content.resources) ? (content.resources as unknown[]) : []),
    ...(Array.isArray(content.components) ? (content.components as unknown[]) : []),
  ]
    .filter((r): r is string => typeof r === 'string')
    .map((r) => path.join(resolved, r))
    .filter((r) => fs.existsSync(r) && fs.statSync(r).isDirectory());
  return [{ file, content }, ...included.flatMap((d) => kustomizations(d, seen))];
}

/** A kustomize target field: an anchored regular expression; absent selects everything. */
const selects = (pattern: unknown, value: string): boolean =>
  pattern === undefined || new RegExp(`^(?:${str(pattern)})$`).test(value);

/** Patches whose `target` (group, kind, name) selects no rendered object. */
export function unmatchedPatchTargets(dir: string, objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const { file, content } of kustomizations(dir)) {
    for (const entry of Array.isArray(content.patches) ? content.patches : []) {
      const target = isObject(entry) && isObject(entry.target) ? entry.target : undefined;
      if (!target) continue;
      const matches = objects.some(
        (o) =>
          selects(target.kind, o.kind) &&
          selects(target.name, o.metadata.name) &&
          selects(target.group, o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : ''),
      );
      if (!matches) problems.push(`${file}: patch target ${JSON.stringify(target)} matches nothing`);
    }
  }
  return problems;
}

/** The pod specs inside a workload object (Pod, Deployment, Job, CronJob …). */
export function podSpecs(object: K8sObject): Obj[] {
  const spec = (object as { spec?: unknown }).spec;
  if (!isObject(spec)) return [];
  if (object.kind === 'Pod') return [spec];
  if (isObject(spec.template) && isObject(spec.template.spec)) return [spec.template.spec];
  if (isObject(spec.jobTemplate) && isObject(spec.jobTemplate.spec)) {
    const template = spec.jobTemplate.spec.template;
    if (isObject(template) && isObject(template.spec)) return [template.spec];
  }
  return [];
}
