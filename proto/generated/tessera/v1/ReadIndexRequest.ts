// Original file: proto/cluster.proto


export interface ReadIndexRequest {
  'hops'?: (number);
}

export interface ReadIndexRequest__Output {
  'hops': (number);
}
