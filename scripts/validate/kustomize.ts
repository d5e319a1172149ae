/**
 * A small kustomize renderer for the subset of kustomization features erpsync's k8s/ uses, so CI
 * can render the overlays without kubectl or the kustomize binary:
 *   resources (files and directories), namespace, labels (pairs, includeSelectors: false,
 *   includeTemplates), images (newName, newTag, digest), patches (JSON 6902 with a target, or
 *   strategic merge for maps and lists keyed by `name`), configMapGenerator (files, literals,
 *   envs, behavior create|merge|replace, options.labels|annotations|disableNameSuffixHash).
 * Anything else in a kustomization is an error, so the files cannot drift outside the subset.
 * Name suffix hashes follow kustomize (sha256 of {data, kind, name}, first 10 hex digits encoded),
 * and references to generated ConfigMaps in pod specs are rewritten, as kustomize does.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

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

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface Rendered {
  object: K8sObject;
  /** set for generated ConfigMaps whose name gets a content hash suffix */
  hashed: boolean;
}

export class KustomizeError extends Error {}

const SUPPORTED_KEYS = new Set([
  'apiVersion',
  'kind',
  'resources',
  'namespace',
  'labels',
  'images',
  'patches',
  'configMapGenerator',
]);
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'IngressClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'APIService',
]);
const TEMPLATE_KINDS = new Set(['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet', 'Job']);
const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const clone = <T>(value: T): T => structuredClone(value);

function kustomizationFile(dir: string): string {
  for (const name of KUSTOMIZATION_FILES) {
    const file = path.join(dir, name);
    if (fs.existsSync(file)) return file;
  }
  throw new KustomizeError(`${dir}: no kustomization.yaml`);
}

export function loadYamlObjects(file: string): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
    if (doc.errors.length > 0) throw new KustomizeError(`${file}: ${doc.errors[0]?.message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (
      !isObject(value) ||
      typeof value.kind !== 'string' ||
      typeof value.apiVersion !== 'string' ||
      !isObject(value.metadata)
    ) {
      throw new KustomizeError(
        `${file}: every document must be a Kubernetes object with apiVersion, kind and metadata`,
      );
    }
    if (typeof value.metadata.name !== 'string')
      throw new KustomizeError(`${file}: ${value.kind} without metadata.name`);
    objects.push(value as unknown as K8sObject);
  }
  return objects;
}

/** Renders a kustomization directory: the objects `kubectl kustomize <dir>` would print. */
export function renderKustomization(dir: string): K8sObject[] {
  const rendered = renderLevel(path.resolve(dir));
  return finalizeHashes(rendered);
}

function renderLevel(dir: string): Rendered[] {
  const file = kustomizationFile(dir);
  const k: unknown = parse(fs.readFileSync(file, 'utf8'));
  if (!isObject(k)) throw new KustomizeError(`${file}: not a mapping`);
  for (const key of Object.keys(k)) {
    if (!SUPPORTED_KEYS.has(key))
      throw new KustomizeError(`${file}: "${key}" is outside the supported kustomize subset`);
  }
  const items: Rendered[] = [];
  for (const entry of asArray(k.resources, file, 'resources')) {
    if (typeof entry !== 'string') throw new KustomizeError(`${file}: resources entries must be paths`);
    if (/^[a-z]+:\/\//.test(entry))
      throw new KustomizeError(`${file}: remote resource ${entry} is not supported`);
    const target = path.resolve(dir, entry);
    if (!fs.existsSync(target)) throw new KustomizeError(`${file}: resource ${entry} does not exist`);
    if (fs.statSync(target).isDirectory()) items.push(...renderLevel(target));
    else items.push(...loadYamlObjects(target).map((object) => ({ object, hashed: false })));
  }
  for (const generator of asArray(k.configMapGenerator, file, 'configMapGenerator')) {
    applyConfigMapGenerator(items, generator, dir, file);
  }
  assertUnique(items, file);
  for (const patch of asArray(k.patches, file, 'patches')) applyPatch(items, patch, dir, file);
  if (k.namespace !== undefined) {
    if (typeof k.namespace !== 'string') throw new KustomizeError(`${file}: namespace must be a string`);
    for (const { object } of items)
      if (!CLUSTER_SCOPED.has(object.kind)) object.metadata.namespace = k.namespace;
  }
  for (const entry of asArray(k.labels, file, 'labels')) applyLabels(items, entry, file);
  for (const image of asArray(k.images, file, 'images')) applyImage(items, image, file);
  return items;
}

function asArray(value: unknown, file: string, key: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new KustomizeError(`${file}: ${key} must be a list`);
  return value;
}

const idOf = (o: K8sObject): string => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

function assertUnique(items: Rendered[], file: string): void {
  const seen = new Set<string>();
  for (const { object } of items) {
    const id = idOf(object);
    if (seen.has(id)) throw new KustomizeError(`${file}: ${id} is defined twice`);
    seen.add(id);
  }
}

function parseEnvFile(file: string): Record<string, string> {
  const data: Record<string, string> = {};
  for (const [index, raw] of fs.readFileSync(file, 'utf8').split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new KustomizeError(`${file}:${index + 1}: expected KEY=value`);
    data[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return data;
}

function applyConfigMapGenerator(items: Rendered[], generator: unknown, dir: string, file: string): void {
  if (!isObject(generator) || typeof generator.name !== 'string')
    throw new KustomizeError(`${file}: configMapGenerator entry needs a name`);
  const allowed = new Set(['name', 'namespace', 'behavior', 'files', 'literals', 'envs', 'options']);
  for (const key of Object.keys(generator)) {
    if (!allowed.has(key))
      throw new KustomizeError(`${file}: configMapGenerator.${key} is outside the supported subset`);
  }
  const data: Record<string, string> = {};
  for (const entry of asArray(generator.files, file, 'files')) {
    if (typeof entry !== 'string') throw new KustomizeError(`${file}: files entries must be strings`);
    const [key, source] = entry.includes('=')
      ? (entry.split('=', 2) as [string, string])
      : [path.basename(entry), entry];
    const sourcePath = path.resolve(dir, source);
    if (!sourcePath.startsWith(dir + path.sep))
      throw new KustomizeError(`${file}: ${source} is outside the kustomization root`);
    data[key] = fs.readFileSync(sourcePath, 'utf8');
  }
  for (const entry of asArray(generator.literals, file, 'literals')) {
    if (typeof entry !== 'string' || !entry.includes('='))
      throw new KustomizeError(`${file}: literals entries are KEY=value`);
    const eq = entry.indexOf('=');
    data[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  for (const entry of asArray(generator.envs, file, 'envs')) {
    if (typeof entry !== 'string') throw new KustomizeError(`${file}: envs entries must be paths`);
    Object.assign(data, parseEnvFile(path.resolve(dir, entry)));
  }
  const options = isObject(generator.options) ? generator.options : {};
  for (const key of Object.keys(options)) {
    if (!['labels', 'annotations', 'disableNameSuffixHash'].includes(key)) {
      throw new KustomizeError(`${file}: configMapGenerator options.${key} is outside the supported subset`);
    }
  }
  const behavior = generator.behavior ?? 'create';
  const existing = items.find(
    (item) => item.object.kind === 'ConfigMap' && item.object.metadata.name === generator.name,
  );
  if (behavior === 'create') {
    if (existing)
      throw new KustomizeError(`${file}: ConfigMap ${generator.name} already exists (use behavior: merge)`);
    const metadata: K8sObject['metadata'] = { name: generator.name };
    if (typeof generator.namespace === 'string') metadata.namespace = generator.namespace;
    if (isObject(options.labels)) metadata.labels = { ...(options.labels as Record<string, string>) };
    if (isObject(options.annotations))
      metadata.annotations = { ...(options.annotations as Record<string, string>) };
    items.push({
      object: { apiVersion: 'v1', kind: 'ConfigMap', metadata, data },
      hashed: options.disableNameSuffixHash !== true,
    });
    return;
  }
  if (behavior !== 'merge' && behavior !== 'replace')
    throw new KustomizeError(`${file}: unknown behavior ${JSON.stringify(behavior)}`);
  if (!existing)
    throw new KustomizeError(`${file}: ConfigMap ${generator.name} to ${behavior} does not exist`);
  const object = existing.object as K8sObject & { data?: Record<string, string> };
  object.data = behavior === 'merge' ? { ...(object.data ?? {}), ...data } : data;
  if (isObject(options.labels))
    object.metadata.labels = {
      ...(object.metadata.labels ?? {}),
      ...(options.labels as Record<string, string>),
    };
  if (isObject(options.annotations)) {
    object.metadata.annotations = {
      ...(object.metadata.annotations ?? {}),
      ...(options.annotations as Record<string, string>),
    };
  }
  if (options.disableNameSuffixHash === true) existing.hashed = false;
}

interface PatchTarget {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

function matchesTarget(object: K8sObject, target: PatchTarget): boolean {
  const [group, version] = object.apiVersion.includes('/')
    ? object.apiVersion.split('/')
    : ['', object.apiVersion];
  const regex = (pattern: string | undefined, value: string) =>
    pattern === undefined || new RegExp(`^(?:${pattern})$`).test(value);
  return (
    regex(target.group, group ?? '') &&
    regex(target.version, version ?? '') &&
    regex(target.kind, object.kind) &&
    regex(target.name, object.metadata.name) &&
    regex(target.namespace, object.metadata.namespace ?? '')
  );
}

function applyPatch(items: Rendered[], entry: unknown, dir: string, file: string): void {
  if (!isObject(entry)) throw new KustomizeError(`${file}: patches entries must be mappings`);
  for (const key of Object.keys(entry)) {
    if (!['path', 'patch', 'target'].includes(key))
      throw new KustomizeError(`${file}: patches.${key} is outside the supported subset`);
  }
  const text =
    typeof entry.patch === 'string'
      ? entry.patch
      : typeof entry.path === 'string'
        ? fs.readFileSync(path.resolve(dir, entry.path), 'utf8')
        : undefined;
  if (text === undefined) throw new KustomizeError(`${file}: a patch needs path or patch`);
  const body: unknown = parse(text);
  let target: PatchTarget | undefined;
  if (entry.target !== undefined) {
    if (!isObject(entry.target)) throw new KustomizeError(`${file}: patch target must be a mapping`);
    for (const key of Object.keys(entry.target)) {
      if (!['group', 'version', 'kind', 'name', 'namespace'].includes(key)) {
        throw new KustomizeError(`${file}: patch target.${key} is outside the supported subset`);
      }
    }
    target = entry.target;
  }
  if (Array.isArray(body)) {
    if (!target) throw new KustomizeError(`${file}: a JSON 6902 patch needs a target`);
    const matched = items.filter((item) => matchesTarget(item.object, target));
    if (matched.length === 0)
      throw new KustomizeError(`${file}: patch target ${JSON.stringify(target)} matches nothing`);
    for (const item of matched) item.object = applyJsonPatch(item.object, body, file);
    return;
  }
  if (!isObject(body))
    throw new KustomizeError(`${file}: a patch must be a list (JSON 6902) or a mapping (strategic merge)`);
  const patchTarget: PatchTarget = target ?? {
    kind: typeof body.kind === 'string' ? body.kind : undefined,
    name: isObject(body.metadata) && typeof body.metadata.name === 'string' ? body.metadata.name : undefined,
  };
  if (!patchTarget.kind || !patchTarget.name)
    throw new KustomizeError(`${file}: a strategic merge patch needs kind and metadata.name`);
  const matched = items.filter((item) => matchesTarget(item.object, patchTarget));
  if (matched.length === 0)
    throw new KustomizeError(`${file}: patch for ${patchTarget.kind}/${patchTarget.name} matches nothing`);
  for (const item of matched) {
    const patch = clone(body);
    if (target) {
      // a targeted strategic merge patch applies to every match whatever its own name
      delete patch.kind;
      delete patch.apiVersion;
      if (isObject(patch.metadata)) delete patch.metadata.name;
    }
    item.object = strategicMerge(item.object as unknown as JsonObject, patch, file) as unknown as K8sObject;
  }
}

const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'name',
  ports: 'containerPort',
};

function strategicMerge(base: JsonObject, patch: JsonObject, file: string): JsonObject {
  const result = clone(base);
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$'))
      throw new KustomizeError(`${file}: strategic merge directive ${key} is not supported`);
    if (value === null) {
      delete result[key];
      continue;
    }
    const current = result[key];
    if (isObject(value) && isObject(current)) {
      result[key] = strategicMerge(current, value, file);
    } else if (Array.isArray(value) && Array.isArray(current) && MERGE_KEYS[key]) {
      const mergeKey = MERGE_KEYS[key];
      const merged = [...current];
      for (const element of value) {
        if (!isObject(element) || element[mergeKey] === undefined)
          throw new KustomizeError(`${file}: ${key} entries need ${mergeKey}`);
        const index = merged.findIndex(
          (existing) => isObject(existing) && existing[mergeKey] === element[mergeKey],
        );
        if (index >= 0) merged[index] = strategicMerge(merged[index] as JsonObject, element, file);
        else merged.push(element);
      }
      result[key] = merged;
    } else {
      result[key] = clone(value);
    }
  }
  return result;
}

const decodePointer = (pointer: string): string[] =>
  pointer === ''
    ? []
    : pointer
        .replace(/^\//, '')
        .split('/')
        .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));

function applyJsonPatch(object: K8sObject, operations: unknown[], file: string): K8sObject {
  const doc = clone(object) as unknown as Json;
  for (const operation of operations) {
    if (!isObject(operation) || typeof operation.op !== 'string' || typeof operation.path !== 'string') {
      throw new KustomizeError(`${file}: JSON patch operations need op and path`);
    }
    const parts = decodePointer(operation.path);
    const last = parts.pop();
    if (last === undefined) throw new KustomizeError(`${file}: cannot patch the document root`);
    let parent: Json = doc;
    for (const part of parts) {
      const next: Json | undefined = Array.isArray(parent)
        ? parent[Number(part)]
        : isObject(parent)
          ? parent[part]
          : undefined;
      if (next === undefined)
        throw new KustomizeError(
          `${file}: JSON patch path ${operation.path} does not exist in ${idOf(object)}`,
        );
      parent = next;
    }
    const exists = Array.isArray(parent)
      ? last === '-' || Number(last) < parent.length
      : isObject(parent) && last in parent;
    switch (operation.op) {
      case 'add':
      case 'replace': {
        if (operation.op === 'replace' && !exists) {
          throw new KustomizeError(
            `${file}: JSON patch replace ${operation.path}: no such field in ${idOf(object)}`,
          );
        }
        const value = clone(operation.value ?? null);
        if (Array.isArray(parent)) {
          if (last === '-') parent.push(value);
          else if (operation.op === 'add') parent.splice(Number(last), 0, value);
          else parent[Number(last)] = value;
        } else if (isObject(parent)) parent[last] = value;
        break;
      }
      case 'remove':
        if (!exists)
          throw new KustomizeError(
            `${file}: JSON patch remove ${operation.path}: no such field in ${idOf(object)}`,
          );
        if (Array.isArray(parent)) parent.splice(Number(last), 1);
        else if (isObject(parent)) delete parent[last];
        break;
      case 'test': {
        const actual = Array.isArray(parent)
          ? parent[Number(last)]
          : isObject(parent)
            ? parent[last]
            : undefined;
        if (JSON.stringify(actual) !== JSON.stringify(operation.value)) {
          throw new KustomizeError(`${file}: JSON patch test ${operation.path} failed on ${idOf(object)}`);
        }
        break;
      }
      default:
        throw new KustomizeError(`${file}: JSON patch op ${operation.op} is not supported`);
    }
  }
  return doc as unknown as K8sObject;
}

function applyLabels(items: Rendered[], entry: unknown, file: string): void {
  if (!isObject(entry) || !isObject(entry.pairs))
    throw new KustomizeError(`${file}: labels entries need pairs`);
  for (const key of Object.keys(entry)) {
    if (!['pairs', 'includeSelectors', 'includeTemplates'].includes(key)) {
      throw new KustomizeError(`${file}: labels.${key} is outside the supported subset`);
    }
  }
  if (entry.includeSelectors === true) {
    throw new KustomizeError(
      `${file}: labels with includeSelectors: true is outside the supported subset (selectors are immutable)`,
    );
  }
  const pairs = entry.pairs as Record<string, string>;
  for (const { object } of items) {
    object.metadata.labels = { ...(object.metadata.labels ?? {}), ...pairs };
    if (entry.includeTemplates !== true) continue;
    const spec = (object as { spec?: JsonObject }).spec;
    if (!isObject(spec)) continue;
    const addTo = (holder: JsonObject) => {
      const metadata = isObject(holder.metadata) ? holder.metadata : (holder.metadata = {});
      metadata.labels = { ...(isObject(metadata.labels) ? metadata.labels : {}), ...pairs };
    };
    if (TEMPLATE_KINDS.has(object.kind) && isObject(spec.template)) addTo(spec.template);
    if (object.kind === 'CronJob' && isObject(spec.jobTemplate)) {
      addTo(spec.jobTemplate);
      const jobSpec = spec.jobTemplate.spec;
      if (isObject(jobSpec) && isObject(jobSpec.template)) addTo(jobSpec.template);
    }
  }
}

function applyImage(items: Rendered[], entry: unknown, file: string): void {
  if (!isObject(entry) || typeof entry.name !== 'string')
    throw new KustomizeError(`${file}: images entries need a name`);
  for (const key of Object.keys(entry)) {
    if (!['name', 'newName', 'newTag', 'digest'].includes(key))
      throw new KustomizeError(`${file}: images.${key} is outside the supported subset`);
  }
  const { name } = entry;
  const rewrite = (image: string): string | undefined => {
    const match = /^([^@:]+(?::\d+\/[^@:]+)?)(?::([^@]+))?(?:@(.+))?$/.exec(image);
    if (!match || match[1] !== name) return undefined;
    const newName = typeof entry.newName === 'string' ? entry.newName : name;
    if (typeof entry.digest === 'string') return `${newName}@${entry.digest}`;
    const tag =
      typeof entry.newTag === 'string' || typeof entry.newTag === 'number' ? String(entry.newTag) : match[2];
    return tag !== undefined ? `${newName}:${tag}` : match[3] ? `${newName}@${match[3]}` : newName;
  };
  const visit = (node: Json): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (isObject(node)) {
      for (const [key, value] of Object.entries(node)) {
        if ((key === 'containers' || key === 'initContainers') && Array.isArray(value)) {
          for (const container of value) {
            if (isObject(container) && typeof container.image === 'string') {
              const image = rewrite(container.image);
              if (image !== undefined) container.image = image;
            }
          }
        }
        visit(value);
      }
    }
  };
  for (const { object } of items) visit(object as unknown as Json);
}

/** Go's encoding/json escapes <, >, & and U+2028/9; kustomize hashes that encoding. */
const goJson = (value: unknown): string =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

const sortKeys = (data: Record<string, string>): Record<string, string> =>
  Object.fromEntries(
    Object.keys(data)
      .sort()
      .map((key) => [key, data[key]]),
  );

/**
 * kustomize's ConfigMap hash: sha256 of the Go JSON encoding of {"data":…,"kind":"ConfigMap","name":""},
 * first 10 hex digits encoded. kustomize v5 hashes with an empty name (checked against
 * `kubectl kustomize`, kustomize v5.5, in test/deploy/kustomize.spec.ts).
 */
export function configMapHash(data: Record<string, string>): string {
  const hex = createHash('sha256')
    .update(goJson({ data: sortKeys(data), kind: 'ConfigMap', name: '' }))
    .digest('hex');
  const map: Record<string, string> = { '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' };
  return [...hex.slice(0, 10)].map((c) => map[c] ?? c).join('');
}

function finalizeHashes(items: Rendered[]): K8sObject[] {
  const renames = new Map<string, string>(); // namespace/name → new name
  for (const item of items) {
    if (!item.hashed) continue;
    const { object } = item;
    const data = (object as { data?: Record<string, string> }).data ?? {};
    const newName = `${object.metadata.name}-${configMapHash(data)}`;
    renames.set(`${object.metadata.namespace ?? ''}/${object.metadata.name}`, newName);
    object.metadata.name = newName;
  }
  if (renames.size > 0) {
    for (const { object } of items) {
      const namespace = object.metadata.namespace ?? '';
      const rename = (holder: JsonObject, key = 'name') => {
        const current = holder[key];
        if (typeof current === 'string') {
          const renamed = renames.get(`${namespace}/${current}`);
          if (renamed) holder[key] = renamed;
        }
      };
      for (const podSpec of podSpecs(object)) {
        for (const volume of asJsonArray(podSpec.volumes)) {
          if (isObject(volume.configMap)) rename(volume.configMap);
          if (isObject(volume.projected)) {
            for (const source of asJsonArray(volume.projected.sources))
              if (isObject(source.configMap)) rename(source.configMap);
          }
        }
        for (const container of [
          ...asJsonArray(podSpec.containers),
          ...asJsonArray(podSpec.initContainers),
        ]) {
          for (const from of asJsonArray(container.envFrom))
            if (isObject(from.configMapRef)) rename(from.configMapRef);
          for (const env of asJsonArray(container.env)) {
            if (isObject(env.valueFrom) && isObject(env.valueFrom.configMapKeyRef))
              rename(env.valueFrom.configMapKeyRef);
          }
        }
      }
    }
  }
  return items.map((item) => item.object);
}

const asJsonArray = (value: Json | undefined): JsonObject[] =>
  Array.isArray(value) ? value.filter(isObject) : [];

/** The pod specs inside a workload object (Pod, Deployment, Job, CronJob …). */
export function podSpecs(object: K8sObject): JsonObject[] {
  const spec = (object as { spec?: Json }).spec;
  if (!isObject(spec)) return [];
  if (object.kind === 'Pod') return [spec];
  if (isObject(spec.template) && isObject(spec.template.spec)) return [spec.template.spec];
  if (isObject(spec.jobTemplate) && isObject(spec.jobTemplate.spec)) {
    const template = spec.jobTemplate.spec.template;
    if (isObject(template) && isObject(template.spec)) return [template.spec];
  }
  return [];
}
