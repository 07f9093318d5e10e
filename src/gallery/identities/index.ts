export {
  type ClusterOptions,
  clusterFaces,
  DEFAULT_CLUSTER_OPTIONS,
  type FaceNode,
  type Neighbor,
} from './cluster.js';
