// Cluster: the nodes and the plan they run, kept current by the live feed's `node` and `plan` messages and
// refetched after every (re)connection of the feed.
import { useCallback, useEffect, useState } from 'react';
import type { LiveMessage, NodeView, NodesResponse, PlanResponse, PlanView } from '../../../../src/server/api.ts';
import { api, errorText } from '../apiClient.ts';
import { onLinkClick } from '../router.ts';
import { LiveStatus } from '../components/LiveStatus.tsx';
import { NodesTable } from '../components/NodesTable.tsx';
import { PlanDiagram } from '../components/PlanDiagram.tsx';
import { mergeNode } from '../components/clusterView.ts';
import { relativeTime } from '../components/format.ts';
import { useLiveFeed } from '../live/useLiveFeed.ts';
import '../components/cluster.css';

const CLOCK_REFRESH_MS = 5000;

export function ClusterPage(): React.JSX.Element {
  const [nodes, setNodes] = useState<NodeView[] | null>(null);
  const [plan, setPlan] = useState<PlanView | null | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [nowMs, setNowMs] = useState(() => Date.now());

  const onMessage = useCallback((message: LiveMessage) => {
    if (message.type === 'node') setNodes((before) => mergeNode(before ?? [], message.node));
    else if (message.type === 'plan') setPlan(message.plan);
  }, []);
  const feed = useLiveFeed({ grid: false, fullSize: null }, onMessage);

  useEffect(() => {
    let current = true;
    Promise.all([api<NodesResponse>('/api/nodes'), api<PlanResponse>('/api/plan')])
      .then(([nodesResponse, planResponse]) => {
        if (!current) return;
        setNodes([...nodesResponse.items].sort((a, b) => a.id.localeCompare(b.id)));
        setPlan(planResponse.plan);
        setLoadError(null);
      })
      .catch((error: unknown) => current && setLoadError(`Could not load the cluster: ${errorText(error)}`));
    return () => {
      current = false;
    };
  }, [feed.opens]);

  useEffect(() => {
    const timer = setInterval(() => setNowMs(Date.now()), CLOCK_REFRESH_MS);
    return () => clearInterval(timer);
  }, []);

  return (
    <section className="cluster-page">
      <h1>Cluster</h1>
      <LiveStatus feed={feed} />
      {loadError && <p className="error">{loadError}</p>}

      <h2>Nodes</h2>
      {nodes?.length === 0 && (
        <div className="panel empty">
          <p>No cluster configured: there are no nodes.</p>
          <p className="muted">
            Add a <code>cluster</code> section to the config (with <code>localWorkers: 1</code> for a worker on this
            box), or start a GPU node with <code>ppipe worker --broker URL --device-class CLASS</code>. Nodes appear
            here as they join.
          </p>
        </div>
      )}
      {nodes && nodes.length > 0 && <NodesTable nodes={nodes} nowMs={nowMs} />}

      <h2>Plan</h2>
      {plan === null && (
        <div className="panel empty">
          <p>No plan yet.</p>
          <p className="muted">
            The appliance plans once its nodes have reported their profiles; the plan is drawn here as soon as it is
            made. The{' '}
            <a href="/planner" onClick={onLinkClick}>
              Planner
            </a>{' '}
            page can plan example problems meanwhile.
          </p>
        </div>
      )}
      {plan && (
        <>
          <p className="plan-meta">
            Plan <code>{plan.planId}</code>
            {plan.algorithm && <> by {plan.algorithm}</>}, made{' '}
            <time dateTime={new Date(plan.createdAt).toISOString()}>{relativeTime(nowMs, plan.createdAt)}</time> (
            {plan.reason}) on {plan.nodes.length} node{plan.nodes.length === 1 ? '' : 's'}
            {plan.objective !== null && <>; objective {plan.objective.toPrecision(4)}</>}
          </p>
          {plan.dnns.length === 0 ? <p className="muted">The plan serves no model.</p> : <PlanDiagram plan={plan} />}
        </>
      )}
    </section>
  );
}
