// Original file: proto/cluster.proto


export interface RemoveRequest {
  'nodeId'?: (string);
  'hops'?: (number);
}

export interface RemoveRequest__Output {
  'nodeId': (string);
  'hops': (number);
}
