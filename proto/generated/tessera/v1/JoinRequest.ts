// Original file: proto/cluster.proto


export interface JoinRequest {
  'memberJson'?: (string);
  'hops'?: (number);
}

export interface JoinRequest__Output {
  'memberJson': (string);
  'hops': (number);
}
