/**
 * Who may use which topic of the control plane, declared once for both brokers: the embedded aedes checks
 * every CONNECT, PUBLISH (wills included) and SUBSCRIBE against it, and `ppipe cluster acl` writes the same
 * rules as a mosquitto ACL file. The head (one user name) owns the whole prefix; a node, whose MQTT user name
 * is its node id, publishes only its own status topics and reads only the requests addressed to it, so a
 * rogue client cannot forge an assignment, announce a node that is not there or say a live node is offline.
 */
import { NODE_ID_PATTERN } from '../../config/index.ts';
import type { TopicKind } from './messages.ts';
import { topicOf } from './messages.ts';

/** What a node publishes: its announcement and availability (retained, the will too), heartbeats, stats, profiles. */
export const NODE_PUBLISHES = [
  'announce',
  'available',
  'heartbeat',
  'nodeStats',
  'profileResult',
] as const satisfies ReadonlyArray<TopicKind>;
/** What a node reads: its assignment and the head's profile requests (workers subscribe to nothing else). */
export const NODE_SUBSCRIBES = ['assignment', 'profileRequest'] as const satisfies ReadonlyArray<TopicKind>;

/** The client id a worker connects with: an id that belongs to one node, so no other account may take it over. */
export function workerClientId(nodeId: string): string {
  return `ppipe-worker-${nodeId}`;
}

export interface ControlPlaneAclOptions {
  readonly prefix: string;
  /** The head's MQTT user name; every other authenticated user name is a node id. */
  readonly headUsername: string;
}

/** Refuses a prefix or user name that would change the meaning of a topic filter or of an ACL file line. */
function checkName(what: string, value: string, pattern: RegExp, expected: string): void {
  if (!pattern.test(value)) throw new Error(`${what} "${value}": expected ${expected}`);
}

const PREFIX_PATTERN = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;
const PREFIX_EXPECTED = 'levels of letters, digits, _ . or - separated by / (no wildcards, spaces or empty levels)';

export class ControlPlaneAcl {
  constructor(private readonly options: ControlPlaneAclOptions) {
    checkName('MQTT prefix', options.prefix, PREFIX_PATTERN, PREFIX_EXPECTED);
    checkName('head user name', options.headUsername, /^[^\s#+/]{1,64}$/, '1–64 characters without spaces, #, + or /');
  }

  /** A node connects only with its own worker client id; the head with any id that is not a worker's. */
  mayConnect(username: string, clientId: string): boolean {
    if (username === this.options.headUsername) return !clientId.startsWith(workerClientId(''));
    return NODE_ID_PATTERN.test(username) && clientId === workerClientId(username);
  }

  mayPublish(username: string, topic: string): boolean {
    if (username === this.options.headUsername) return this.underPrefix(topic);
    return this.nodeTopics(username, NODE_PUBLISHES).includes(topic);
  }

  /** Nodes subscribe to exact topics (no wildcards): a filter over other nodes' topics is refused whole. */
  maySubscribe(username: string, filter: string): boolean {
    if (username === this.options.headUsername) return this.underPrefix(filter);
    return this.nodeTopics(username, NODE_SUBSCRIBES).includes(filter);
  }

  /** The same rules as a mosquitto ACL file (`acl_file`), for the head and the given nodes. */
  mosquittoAclFile(nodeIds: ReadonlyArray<string>): string {
    const { prefix, headUsername } = this.options;
    const lines = [
      '# ppipe control-plane ACL for mosquitto (written by `ppipe cluster acl`; docs/mqtt.md).',
      '# Use with allow_anonymous false and a password_file that holds these users.',
      '',
      `user ${headUsername}`,
      `topic readwrite ${prefix}/#`,
    ];
    for (const id of nodeIds) {
      checkName('node id', id, NODE_ID_PATTERN, '1–64 letters, digits, _ . or -');
      if (id === headUsername) throw new Error(`node id "${id}" is the head's user name: give the node another id`);
      lines.push('', `user ${id}`);
      for (const topic of this.nodeTopics(id, NODE_PUBLISHES)) lines.push(`topic write ${topic}`);
      for (const topic of this.nodeTopics(id, NODE_SUBSCRIBES)) lines.push(`topic read ${topic}`);
    }
    return `${lines.join('\n')}\n`;
  }

  private underPrefix(topic: string): boolean {
    return topic.startsWith(`${this.options.prefix}/`);
  }

  private nodeTopics(nodeId: string, kinds: ReadonlyArray<TopicKind>): string[] {
    if (!NODE_ID_PATTERN.test(nodeId)) return [];
    return kinds.map((kind) => topicOf(this.options.prefix, kind, nodeId));
  }
}
