/**
 * The edge network (sites, their cameras, WAN links) the controller plans with, from the appliance's view
 * of its own site: this box's cameras (grouped by the model that serves them and their frame rate) are born
 * at its site, the configured links join it to the others, and sites declared with their own cameras come
 * along.
 */
import type { ClusterConfig } from '../../config/index.ts';
import type { EdgeNetworkOptions } from './controller.ts';

/** A camera of this box: the planner's name of its model, and the frames per second sent to it. */
export interface SiteCamera {
  readonly dnn: string;
  readonly fps: number;
}

export function siteEdgeNetwork(
  cluster: Pick<ClusterConfig, 'site' | 'topology'>,
  cameras: ReadonlyArray<SiteCamera>,
): EdgeNetworkOptions | undefined {
  const topology = cluster.topology;
  if (!topology) return undefined;
  const groups = new Map<string, { count: number; dnn: string; fps: number; bitrateMbps: number }>();
  for (const camera of cameras) {
    const key = `${camera.dnn}@${camera.fps}`;
    const group = groups.get(key);
    if (group) group.count += 1;
    else groups.set(key, { count: 1, dnn: camera.dnn, fps: camera.fps, bitrateMbps: topology.videoBitrateMbps });
  }
  const others = topology.sites.filter((site) => site.name !== cluster.site);
  if (others.length < topology.sites.length)
    throw new Error(
      `cluster.topology.sites: site "${cluster.site}" is this box (cluster.site); its cameras come from the cameras ` +
        `section`,
    );
  return {
    sites: [
      { name: cluster.site, decodeUsPerFrame: topology.decodeUsPerFrame, cameras: [...groups.values()] },
      ...others,
    ],
    links: topology.links,
    placement: topology.placement,
  };
}
