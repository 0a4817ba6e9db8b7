/**
 * `ppipe cluster SUBCOMMAND`: tools for running the cluster's control plane on an external broker.
 */
import { CLUSTER_ACL_USAGE, runClusterAclCommand } from './clusterAcl.ts';
import type { CommandIo } from './io.ts';

const SUBCOMMANDS: Record<string, { summary: string; run: (argv: string[], io: CommandIo) => number }> = {
  acl: { summary: 'write the control-plane topic ACL as a mosquitto acl_file', run: runClusterAclCommand },
};

const CLUSTER_USAGE = `Usage: ppipe cluster SUBCOMMAND [options]

Subcommands:
${Object.entries(SUBCOMMANDS)
  .map(([name, sub]) => `  ${name}  ${sub.summary}`)
  .join('\n')}

${CLUSTER_ACL_USAGE}`;

export function runClusterCommand(argv: string[], io: CommandIo): number {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout(`${CLUSTER_USAGE}\n`);
    return 0;
  }
  const sub = name === undefined ? undefined : SUBCOMMANDS[name];
  if (!sub) {
    io.stderr(
      `ppipe cluster: ${name === undefined ? 'a subcommand is required' : `unknown subcommand "${name}"`}\n` +
        `${CLUSTER_USAGE}\n`,
    );
    return 2;
  }
  return sub.run(rest, io);
}
