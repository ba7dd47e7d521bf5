// Original file: proto/cluster.proto


export interface ProposeRequest {
  'commandJson'?: (string);
  'hops'?: (number);
}

export interface ProposeRequest__Output {
  'commandJson': (string);
  'hops': (number);
}
