// The cluster's nodes: device class, site, status in words, last heartbeat and what each runs.
import type { NodeView } from '../../../../src/server/api.ts';
import { nodeRunsText, nodeStatusText } from './clusterView.ts';
import { relativeTime } from './format.ts';

export function NodesTable({ nodes, nowMs }: { nodes: readonly NodeView[]; nowMs: number }): React.JSX.Element {
  return (
    <table className="nodes">
      <caption className="visually-hidden">Nodes of the cluster</caption>
      <thead>
        <tr>
          <th scope="col">Node</th>
          <th scope="col">Device class</th>
          <th scope="col">Site</th>
          <th scope="col">Status</th>
          <th scope="col">Last heartbeat</th>
          <th scope="col">Runs</th>
        </tr>
      </thead>
      <tbody>
        {nodes.map((node) => {
          const runs = nodeRunsText(node.runs);
          return (
            <tr key={node.id} data-node={node.id}>
              <th scope="row">
                {node.id}
                {node.endpoint && <div className="muted small">{node.endpoint}</div>}
              </th>
              <td>{node.deviceClass ?? '—'}</td>
              <td>{node.site ?? '—'}</td>
              <td className={node.up ? (node.ready ? 'node-ready' : 'node-loading') : 'node-down'}>
                {nodeStatusText(node)}
              </td>
              <td>
                <time
                  dateTime={new Date(node.lastSeenMs).toISOString()}
                  title={new Date(node.lastSeenMs).toLocaleString()}
                >
                  {relativeTime(nowMs, node.lastSeenMs)}
                </time>
              </td>
              <td>
                {runs.length === 0 ? (
                  <span className="muted">nothing assigned</span>
                ) : (
                  <ul className="runs">
                    {runs.map((text) => (
                      <li key={text}>{text}</li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
