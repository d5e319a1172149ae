/**
 * Production Kafka: a KafkaUser per client with exactly its ACLs, the services logging in with the
 * User Operator's Secrets, and lag-based scaling with KEDA replacing the CPU HPAs (k8s/overlays/prod-keda).
 */
import * as path from 'node:path';
import { REPO_ROOT, type Problem } from '../../scripts/validate/common';
import { EXPECTED_ACLS } from '../../scripts/validate/kafka-acls';
import { checkK8sObjects, schemaProblems } from '../../scripts/validate/k8s-checks';
import { loadYamlObjects, renderKustomization, type K8sObject } from '../../scripts/validate/kustomize';
import { StrictFieldChecker } from '../../scripts/validate/strict-fields';
import { KAFKA_CLUSTER, SECRET_TEMPLATE } from '../../scripts/validate/validate-deploy';
import { at, findObject, firstContainer, setAt } from './fixtures';

const secrets = loadYamlObjects(path.join(REPO_ROOT, SECRET_TEMPLATE));
const renders = new Map(
  ['k8s/overlays/prod', 'k8s/overlays/prod-keda', KAFKA_CLUSTER].map((dir) => [
    dir,
    renderKustomization(path.join(REPO_ROOT, dir)),
  ]),
);
const copy = (dir: string): K8sObject[] => structuredClone(renders.get(dir) as K8sObject[]);
const check = (name: string, objects: K8sObject[]): string[] =>
  checkK8sObjects({ name, objects, externalSecrets: secrets, schemas: false }).map(
    (p: Problem) => `${p.where}: ${p.message}`,
  );
const kinds = (objects: K8sObject[], kind: string) =>
  objects
    .filter((o) => o.kind === kind)
    .map((o) => o.metadata.name)
    .sort();

describe('Kafka users and ACLs (prod)', () => {
  it('has a SCRAM-SHA-512 KafkaUser for every client, the console and the CLI jobs included', () => {
    expect(kinds(copy('k8s/overlays/prod'), 'KafkaUser')).toEqual(Object.keys(EXPECTED_ACLS).sort());
    expect(kinds(copy('k8s/overlays/prod'), 'KafkaUser')).toEqual([
      'erpsync-console',
      'erpsync-extractor',
      'erpsync-loader',
      'erpsync-ops',
      'erpsync-transformer',
    ]);
  });

  it('catches an ACL too wide and one missing', () => {
    const objects = copy('k8s/overlays/prod');
    const acls = at(findObject(objects, 'KafkaUser', 'erpsync-loader'), 'spec.authorization').acls as {
      resource: { type: string; name: string; patternType: string };
      operations: string[];
    }[];
    acls[0].operations.push('Write'); // the loader never writes its input topic
    acls.splice(2, 1); // its consumer group
    expect(check('prod', objects)).toEqual([
      'prod: KafkaUser/erpsync-loader: missing ACL group literal erpsync.loader Describe',
      'prod: KafkaUser/erpsync-loader: missing ACL group literal erpsync.loader Read',
      'prod: KafkaUser/erpsync-loader: ACL topic literal sales.order.normalized.v1 Write is not needed',
    ]);
  });

  it("each service logs in as its own user with the password from that user's Secret", () => {
    const objects = copy('k8s/overlays/prod');
    const env = (name: string) =>
      (firstContainer(findObject(objects, 'Deployment', name)).env as { name: string }[]).filter((e) =>
        e.name.startsWith('KAFKA_SASL'),
      );
    expect(env('erpsync-transformer')).toEqual([
      { name: 'KAFKA_SASL_USERNAME', value: 'erpsync-transformer' },
      {
        name: 'KAFKA_SASL_PASSWORD',
        valueFrom: { secretKeyRef: { name: 'erpsync-transformer', key: 'password' } },
      },
    ]);
    const loader = env('erpsync-loader');
    (loader[1] as Record<string, unknown>).valueFrom = {
      secretKeyRef: { name: 'erpsync-transformer', key: 'password' },
    };
    const config = objects.find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('erpsync-config'),
    );
    const extractorEnv = firstContainer(findObject(objects, 'Deployment', 'erpsync-extractor')).env as {
      name: string;
    }[];
    firstContainer(findObject(objects, 'Deployment', 'erpsync-extractor')).env = extractorEnv.filter(
      (e) => !e.name.startsWith('KAFKA_SASL'),
    );
    expect(at(config, 'data').KAFKA_SASL_MECHANISM).toBe('scram-sha-512');
    expect(check('prod', objects)).toEqual([
      'prod: Deployment/erpsync/erpsync-extractor: KAFKA_SASL_MECHANISM=scram-sha-512 but extractor sets no KAFKA_SASL_USERNAME',
      "prod: Deployment/erpsync/erpsync-loader: KAFKA_SASL_PASSWORD must come from secretKeyRef erpsync-loader/password (the User Operator's Secret)",
    ]);
  });

  it('the example Kafka 1.0 cluster validates against the Strimzi 1.0 schemas and runs the Kafka Exporter', () => {
    const objects = copy(KAFKA_CLUSTER);
    const strict = new StrictFieldChecker(objects);
    expect(schemaProblems(KAFKA_CLUSTER, objects, strict)).toEqual([]);
    expect(objects.map((o) => `${o.apiVersion} ${o.kind}`)).toEqual([
      'kafka.strimzi.io/v1 Kafka',
      'kafka.strimzi.io/v1 KafkaNodePool',
    ]);
    expect(at(objects[0], 'spec.kafkaExporter').groupRegex).toBe('erpsync\\..*');
    setAt(objects[0], 'spec.kafkaExporter.groupRegexx', 'x');
    setAt(objects[1], 'spec.roles', ['broker', 'zookeeper']);
    expect(schemaProblems(KAFKA_CLUSTER, objects, strict).map((p) => `${p.where}: ${p.message}`)).toEqual([
      'k8s/kafka-cluster: KafkaNodePool/dual-role: /spec/roles/1 must be equal to one of the allowed values (controller, broker)',
      'k8s/kafka-cluster: Kafka/my-cluster: unknown field /spec/kafkaExporter/groupRegexx',
    ]);
  });
});

describe('scaling on lag with KEDA (prod-keda)', () => {
  it('replaces the HPAs with ScaledObjects on each consumer group and leaves the extractor alone', () => {
    const objects = copy('k8s/overlays/prod-keda');
    expect(kinds(objects, 'HorizontalPodAutoscaler')).toEqual([]);
    expect(kinds(objects, 'ScaledObject')).toEqual(['erpsync-loader', 'erpsync-transformer']);
    const trigger = (name: string) =>
      at(findObject(objects, 'ScaledObject', name), 'spec.triggers.0.metadata') as Record<string, string>;
    expect(trigger('erpsync-transformer')).toMatchObject({
      consumerGroup: 'erpsync.transformer',
      topic: 'erp.wdt.trade.raw.v1',
      sasl: 'scram_sha512',
      tls: 'enable',
    });
    expect(trigger('erpsync-loader')).toMatchObject({
      consumerGroup: 'erpsync.loader',
      topic: 'sales.order.normalized.v1',
    });
    expect(check('prod-keda', objects)).toEqual([]);
    const strict = new StrictFieldChecker(objects);
    expect(schemaProblems('prod-keda', objects, strict)).toEqual([]);
  });

  it('catches an HPA left beside a ScaledObject, a wrong group, and too many replicas', () => {
    const objects = copy('k8s/overlays/prod-keda');
    const hpa = findObject(copy('k8s/overlays/prod'), 'HorizontalPodAutoscaler', 'erpsync-loader');
    objects.push(hpa);
    setAt(findObject(objects, 'ScaledObject', 'erpsync-transformer'), 'spec.maxReplicaCount', 12);
    setAt(
      findObject(objects, 'ScaledObject', 'erpsync-transformer'),
      'spec.triggers.0.metadata.consumerGroup',
      'erpsync.loader',
    );
    expect(check('prod-keda', objects)).toEqual([
      "prod-keda: Deployment/erpsync/erpsync-loader: both HorizontalPodAutoscaler erpsync-loader and ScaledObject erpsync-loader scale it (KEDA's own HPA would fight the other)",
      'prod-keda: ScaledObject/erpsync/erpsync-transformer: maxReplicaCount 12 exceeds the 6 partitions of erp.wdt.trade.raw.v1',
      'prod-keda: ScaledObject/erpsync/erpsync-transformer: kafka trigger consumerGroup erpsync.loader, expected erpsync.transformer',
    ]);
  });

  it('catches a scaler that would log in without SASL where the services need it', () => {
    const objects = copy('k8s/overlays/prod-keda');
    const metadata = at(findObject(objects, 'ScaledObject', 'erpsync-loader'), 'spec.triggers.0');
    delete (metadata.metadata as Record<string, unknown>).sasl;
    delete metadata.authenticationRef;
    expect(check('prod-keda', objects)).toEqual([
      'prod-keda: ScaledObject/erpsync/erpsync-loader: the services use SASL scram-sha-512 but the kafka trigger has sasl (none)',
      'prod-keda: ScaledObject/erpsync/erpsync-loader: authenticationRef (none) is not a rendered TriggerAuthentication',
    ]);
  });
});
