export { clusterFaces, DEFAULT_CLUSTER_OPTIONS } from './cluster.js';
export type { ClusterOptions, FaceNode, Neighbor } from './types.js';
