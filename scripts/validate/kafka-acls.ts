/**
 * The Kafka ACLs each erpsync client needs, derived from libs/contracts (topics, consumer groups), and
 * the check that the KafkaUsers in k8s/kafka-users grant exactly those: a topic or group missing breaks
 * the client on a cluster with `authorization: simple`; one too many widens what a leaked password reads.
 */
import { ConsumerGroups, Topics, deadLetterTopic as dlq } from '@app/contracts';
import { isObject, problem, str, type Problem } from './common';
import type { K8sObject } from './kustomize';

type Pattern = 'literal' | 'prefix';
interface Grant {
  type: 'topic' | 'group';
  name: string;
  pattern: Pattern;
  operations: string[];
}

const topic = (name: string, ...operations: string[]): Grant => ({
  type: 'topic',
  name,
  pattern: 'literal',
  operations,
});
const group = (name: string, pattern: Pattern, ...operations: string[]): Grant => ({
  type: 'group',
  name,
  pattern,
  operations,
});
const { rawTrades: raw, rawTradesReplay: replay, normalizedOrders: normalized } = Topics;

/** KafkaUser name → what it may do. The Deployments log in as `erpsync-<component>`. */
export const EXPECTED_ACLS: Record<string, Grant[]> = {
  'erpsync-extractor': [topic(raw, 'Describe', 'Write'), topic(dlq(raw), 'Describe', 'Write')],
  'erpsync-transformer': [
    topic(raw, 'Describe', 'Read'),
    topic(replay, 'Describe', 'Read'),
    topic(normalized, 'Describe', 'Write'),
    topic(dlq(raw), 'Describe', 'Write'),
    topic(dlq(replay), 'Describe', 'Write'),
    group(ConsumerGroups.transformer, 'literal', 'Describe', 'Read'),
    group(ConsumerGroups.transformerReplay, 'literal', 'Describe', 'Read'),
  ],
  'erpsync-loader': [
    topic(normalized, 'Describe', 'Read'),
    topic(dlq(normalized), 'Describe', 'Write'),
    group(ConsumerGroups.loader, 'literal', 'Describe', 'Read'),
  ],
  // replay (libs/replay: group erpsync.replay.<id>) and reconcile (apps/cli: erpsync.reconcile.<uuid>)
  'erpsync-ops': [
    topic(raw, 'Describe', 'Read'),
    topic(dlq(raw), 'Describe', 'Read'),
    topic(dlq(replay), 'Describe', 'Read'),
    topic(dlq(normalized), 'Describe', 'Read'),
    topic(replay, 'Describe', 'Write'),
    topic(normalized, 'Describe', 'Write'),
    group('erpsync.replay.', 'prefix', 'Describe', 'Read', 'Delete'),
    group('erpsync.reconcile.', 'prefix', 'Describe', 'Read', 'Delete'),
  ],
  // apps/console: reads the DLQs and the raw topic (replay source, the mapping preview's recent trades);
  // redrives into the replay and normalized topics; a resync runs the extractor's backfill with the
  // console's login (publishes raw trades, dead-letters like the extractor); its throw-away readers
  // (erpsync.console.<uuid>; replay and reconcile as the CLI's) delete their groups; Describe on the
  // pipeline's groups is what OffsetFetch and DescribeGroups need for their lag
  'erpsync-console': [
    topic(raw, 'Describe', 'Read', 'Write'),
    topic(dlq(raw), 'Describe', 'Read', 'Write'),
    topic(dlq(replay), 'Describe', 'Read'),
    topic(dlq(normalized), 'Describe', 'Read'),
    topic(replay, 'Describe', 'Write'),
    topic(normalized, 'Describe', 'Write'),
    group(ConsumerGroups.transformer, 'literal', 'Describe'),
    group(ConsumerGroups.transformerReplay, 'literal', 'Describe'),
    group(ConsumerGroups.loader, 'literal', 'Describe'),
    group('erpsync.console.', 'prefix', 'Describe', 'Read', 'Delete'),
    group('erpsync.replay.', 'prefix', 'Describe', 'Read', 'Delete'),
    group('erpsync.reconcile.', 'prefix', 'Describe', 'Read', 'Delete'),
  ],
};

const tuples = (grants: Grant[]): Set<string> =>
  new Set(grants.flatMap((g) => g.operations.map((op) => `${g.type} ${g.pattern} ${g.name} ${op}`)));

function grantsOf(user: K8sObject): Grant[] {
  const spec = (user as { spec?: unknown }).spec;
  const authorization = isObject(spec) ? spec.authorization : undefined;
  const acls = isObject(authorization) && Array.isArray(authorization.acls) ? authorization.acls : [];
  return acls.filter(isObject).map((acl) => {
    const resource = isObject(acl.resource) ? acl.resource : {};
    return {
      type: str(resource.type) as Grant['type'],
      name: str(resource.name),
      pattern: (str(resource.patternType) || 'literal') as Pattern,
      operations: Array.isArray(acl.operations) ? acl.operations.map(str) : [],
    };
  });
}

/** Every expected KafkaUser exists with SCRAM-SHA-512 and exactly the expected ACLs. */
export function checkKafkaUsers(name: string, objects: K8sObject[]): Problem[] {
  const problems: Problem[] = [];
  const users = objects.filter((o) => o.kind === 'KafkaUser');
  for (const [userName, expected] of Object.entries(EXPECTED_ACLS)) {
    const where = `${name}: KafkaUser/${userName}`;
    const user = users.find((u) => u.metadata.name === userName);
    if (!user) {
      problems.push(problem('kafka-acl', where, 'missing'));
      continue;
    }
    const authentication = (user as { spec?: { authentication?: { type?: unknown } } }).spec?.authentication;
    if (!['scram-sha-512', 'tls'].includes(str(authentication?.type)))
      problems.push(problem('kafka-acl', where, 'authentication must be scram-sha-512 (or tls)'));
    const want = tuples(expected);
    const have = tuples(grantsOf(user));
    for (const t of want) if (!have.has(t)) problems.push(problem('kafka-acl', where, `missing ACL ${t}`));
    for (const t of have)
      if (!want.has(t)) problems.push(problem('kafka-acl', where, `ACL ${t} is not needed`));
  }
  for (const user of users)
    if (!(user.metadata.name in EXPECTED_ACLS))
      problems.push(
        problem('kafka-acl', `${name}: KafkaUser/${user.metadata.name}`, 'not an erpsync client'),
      );
  return problems;
}
