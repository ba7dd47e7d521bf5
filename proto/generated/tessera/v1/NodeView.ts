// Original file: proto/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface NodeView {
  'nodeId'?: (string);
  'raftId'?: (number);
  'role'?: (string);
  'term'?: (number | string | Long);
  'leader'?: (number);
  'commitIndex'?: (number | string | Long);
  'appliedIndex'?: (number | string | Long);
  'fragments'?: (number | string | Long);
  'fragmentBytes'?: (number | string | Long);
  'mapJson'?: (string);
  'bootstrapVoters'?: (number)[];
  'snapshotsInstalled'?: (number | string | Long);
}

export interface NodeView__Output {
  'nodeId': (string);
  'raftId': (number);
  'role': (string);
  'term': (number);
  'leader': (number);
  'commitIndex': (number);
  'appliedIndex': (number);
  'fragments': (number);
  'fragmentBytes': (number);
  'mapJson': (string);
  'bootstrapVoters': (number)[];
  'snapshotsInstalled': (number);
}
