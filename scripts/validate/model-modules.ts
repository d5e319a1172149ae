/** The kind of a Kubernetes object, as its manifest names it. */
export interface Kind {
  apiVersion: string;
  kind: string;
}

/**
 * The package module that models `apiVersion`/`kind` (kubernetes-models, @kubernetes-models/
 * prometheus-operator, /strimzi-kafka-operator (Strimzi 1.0.0 CRDs), /keda); undefined for a CRD
 * group none of them models. Both the schema validator and the unknown-field check load from it.
 */
export function modelModule({ apiVersion, kind }: Kind): string | undefined {
  const [group, version] = apiVersion.includes('/')
    ? (apiVersion.split('/') as [string, string])
    : ['', apiVersion];
  if (!/^[A-Za-z]+$/.test(kind) || !/^v[0-9a-z]+$/.test(version)) return undefined;
  if (group === 'monitoring.coreos.com')
    return `@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`;
  if (group === 'kafka.strimzi.io')
    return `@kubernetes-models/strimzi-kafka-operator/${group}/${version}/${kind}`;
  if (group === 'keda.sh') return `@kubernetes-models/keda/${group}/${version}/${kind}`;
  if (group === '') return `kubernetes-models/${version}/${kind}`;
  if (group.includes('.') && !group.endsWith('.k8s.io')) return undefined;
  return `kubernetes-models/${group}/${version}/${kind}`;
}
