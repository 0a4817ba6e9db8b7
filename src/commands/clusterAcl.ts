/**
 * `ppipe cluster acl`: writes the control plane's topic rules (the ones the embedded broker enforces) as a
 * mosquitto ACL file, for an external broker: the head owns the prefix, each node its own topics.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ControlPlaneAcl } from '../cluster/index.ts';
import { HEAD_USERNAME, NODE_ID_PATTERN, loadAppConfig } from '../config/index.ts';
import type { CommandIo } from './io.ts';
import { errorText } from './io.ts';
import { locateSettings } from './serve.ts';

export const CLUSTER_ACL_USAGE = `Usage: ppipe cluster acl --out FILE [--config FILE] [--nodes ID,…] [--prefix P]
                                [--head-user U]

Writes a mosquitto ACL file (acl_file) with the rules of the embedded broker: the head's user reads and
writes <prefix>/#; each node (its MQTT user name is its node id) writes only its own announce, available,
heartbeat, stats and profile topics and reads only its own assignment and profile-request (docs/mqtt.md).

  --out FILE        where to write the ACL file
  --config FILE     settings to read cluster.prefix, cluster.brokerUsername and cluster.nodes from (default:
                    the appliance's, as ppipe start finds them)
  --nodes ID,…      node ids (default: the ids of cluster.nodes)
  --prefix P        topic prefix (default: cluster.prefix, else ppipe)
  --head-user U     the head's user name (default: cluster.brokerUsername, else ${HEAD_USERNAME}); on an external
                    broker the appliance's local workers log in with it too`;

const OPTIONS = {
  out: { type: 'string' },
  config: { type: 'string' },
  nodes: { type: 'string' },
  prefix: { type: 'string' },
  'head-user': { type: 'string' },
  help: { type: 'boolean', default: false },
} as const;

/** `a,b` → ids, each checked; an error names the bad one. */
function parseNodeIds(list: string): string[] {
  const ids = list.split(',').map((id) => id.trim());
  for (const id of ids)
    if (!NODE_ID_PATTERN.test(id))
      throw new Error(`--nodes: "${id}" is not a node id (1–64 letters, digits, _ . or -)`);
  return ids;
}

export function runClusterAclCommand(argv: string[], io: CommandIo): number {
  let values;
  try {
    values = parseArgs({ args: argv, options: OPTIONS }).values;
  } catch (error) {
    io.stderr(`ppipe cluster acl: ${errorText(error)}\n${CLUSTER_ACL_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(`${CLUSTER_ACL_USAGE}\n`);
    return 0;
  }
  if (!values.out) {
    io.stderr(`ppipe cluster acl: --out FILE is required\n${CLUSTER_ACL_USAGE}\n`);
    return 2;
  }
  try {
    // The settings are read only for what the options leave open.
    const needsConfig = values.nodes === undefined || values.prefix === undefined || values['head-user'] === undefined;
    const cluster = needsConfig ? loadAppConfig(locateSettings(values.config).files.read).cluster : undefined;
    const prefix = values.prefix ?? cluster?.prefix ?? 'ppipe';
    const headUsername = values['head-user'] ?? cluster?.brokerUsername ?? HEAD_USERNAME;
    const nodeIds = values.nodes !== undefined ? parseNodeIds(values.nodes) : (cluster?.nodes ?? []).map((n) => n.id);
    const acl = new ControlPlaneAcl({ prefix, headUsername });
    writeFileSync(values.out, acl.mosquittoAclFile(nodeIds));
    io.stdout(
      `wrote ${values.out}: head ${headUsername} on ${prefix}/#, ${nodeIds.length} node(s)` +
        `${nodeIds.length > 0 ? ` (${nodeIds.join(', ')})` : ''}\n`,
    );
    return 0;
  } catch (error) {
    io.stderr(`ppipe cluster acl: ${errorText(error)}\n`);
    return 1;
  }
}
