/**
 * NetworkPolicy semantics for the flows erpsync needs (a pod → a pod, a pod → outside the namespace,
 * outside → a pod): a pod selected by a policy of that direction is isolated, and then a flow passes
 * only when some rule of such a policy admits the peer and the port. Peers: podSelector (the policy's
 * namespace), namespaceSelector (matched on kubernetes.io/metadata.name, the one namespace label
 * Kubernetes guarantees), ipBlock (only 0.0.0.0/0 or ::/0 is taken to cover an unknown address).
 */
import { isObject, str } from './common';
import type { K8sObject } from './kustomize';

type Obj = Record<string, unknown>;

/** A pod of a rendered template, or something outside (another namespace, or the internet when namespace is undefined). */
export type Endpoint =
  | { kind: 'pod'; namespace: string; labels: Record<string, string>; ports?: Obj[] }
  | { kind: 'outside'; namespace?: string };

export interface Flow {
  from: Endpoint;
  to: Endpoint;
  /** the destination port as the pod listens (after a Service's targetPort) */
  port: number;
  protocol?: 'TCP' | 'UDP';
}

const asArray = (value: unknown): Obj[] => (Array.isArray(value) ? value.filter(isObject) : []);

function labelSelectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  if (!isObject(selector)) return true; // absent selector: everything
  for (const [key, value] of Object.entries((selector.matchLabels as Record<string, string>) ?? {}))
    if (labels[key] !== value) return false;
  for (const expression of asArray(selector.matchExpressions)) {
    const key = str(expression.key);
    const values = Array.isArray(expression.values) ? (expression.values as string[]) : [];
    const has = key in labels;
    const ok =
      expression.operator === 'In'
        ? has && values.includes(labels[key])
        : expression.operator === 'NotIn'
          ? !has || !values.includes(labels[key])
          : expression.operator === 'Exists'
            ? has
            : expression.operator === 'DoesNotExist'
              ? !has
              : false;
    if (!ok) return false;
  }
  return true;
}

const policyTypes = (policy: K8sObject): string[] => {
  const spec = (policy as { spec?: Obj }).spec ?? {};
  if (Array.isArray(spec.policyTypes)) return spec.policyTypes as string[];
  return ['Ingress', ...(spec.egress !== undefined ? ['Egress'] : [])];
};

const selects = (policy: K8sObject, endpoint: Endpoint): boolean =>
  endpoint.kind === 'pod' &&
  (policy.metadata.namespace ?? '') === endpoint.namespace &&
  labelSelectorMatches((policy as { spec?: Obj }).spec?.podSelector, endpoint.labels);

/** Whether a `from`/`to` peer of a policy in `policyNamespace` covers the endpoint. */
function peerMatches(peer: Obj, policyNamespace: string, endpoint: Endpoint): boolean {
  if (isObject(peer.ipBlock)) {
    const cidr = str(peer.ipBlock.cidr);
    return (
      endpoint.kind === 'outside' && endpoint.namespace === undefined && ['0.0.0.0/0', '::/0'].includes(cidr)
    );
  }
  const hasNamespaceSelector = peer.namespaceSelector !== undefined;
  const namespace = endpoint.namespace;
  if (hasNamespaceSelector) {
    if (namespace === undefined) return false;
    if (!labelSelectorMatches(peer.namespaceSelector, { 'kubernetes.io/metadata.name': namespace }))
      return false;
  } else if (namespace !== policyNamespace) return false;
  if (peer.podSelector === undefined) return true;
  if (endpoint.kind !== 'pod') {
    // a pod outside: only an empty podSelector is sure to cover it
    const selector = peer.podSelector;
    return (
      isObject(selector) &&
      Object.keys(selector).every((k) => {
        const v = selector[k];
        return (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
      })
    );
  }
  return labelSelectorMatches(peer.podSelector, endpoint.labels);
}

/** Whether a rule's ports cover the destination port (a name: a container port of the destination pod). */
function portsMatch(ports: unknown, flow: Flow): boolean {
  const list = asArray(ports);
  if (!Array.isArray(ports) || list.length === 0) return true;
  const protocol = flow.protocol ?? 'TCP';
  const names =
    flow.to.kind === 'pod'
      ? asArray(flow.to.ports)
          .filter((p) => p.containerPort === flow.port && (str(p.protocol) || 'TCP') === protocol)
          .map((p) => str(p.name))
      : [];
  return list.some((p) => {
    if ((str(p.protocol) || 'TCP') !== protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'string') return names.includes(p.port);
    const end = typeof p.endPort === 'number' ? p.endPort : p.port;
    return flow.port >= Number(p.port) && flow.port <= Number(end);
  });
}

/** Why a flow is blocked ('' when it passes): by the source's egress or the destination's ingress. */
export function blockedBy(policies: K8sObject[], flow: Flow): string {
  const egress = policies.filter((p) => policyTypes(p).includes('Egress') && selects(p, flow.from));
  if (
    egress.length > 0 &&
    !egress.some((p) =>
      asArray((p as { spec?: Obj }).spec?.egress).some(
        (rule) =>
          (!Array.isArray(rule.to) ||
            rule.to.length === 0 ||
            asArray(rule.to).some((peer) => peerMatches(peer, p.metadata.namespace ?? '', flow.to))) &&
          portsMatch(rule.ports, flow),
      ),
    )
  )
    return `no egress rule of ${egress.map((p) => p.metadata.name).join(', ')} allows it`;
  const ingress = policies.filter((p) => policyTypes(p).includes('Ingress') && selects(p, flow.to));
  if (
    ingress.length > 0 &&
    !ingress.some((p) =>
      asArray((p as { spec?: Obj }).spec?.ingress).some(
        (rule) =>
          (!Array.isArray(rule.from) ||
            rule.from.length === 0 ||
            asArray(rule.from).some((peer) => peerMatches(peer, p.metadata.namespace ?? '', flow.from))) &&
          portsMatch(rule.ports, flow),
      ),
    )
  )
    return `no ingress rule of ${ingress.map((p) => p.metadata.name).join(', ')} allows it`;
  return '';
}
