// Original file: proto/raft.proto


export interface RaftEnvelope {
  'cluster'?: (string);
  'from'?: (number);
  'to'?: (number);
  'message'?: (Buffer | Uint8Array | string);
}

export interface RaftEnvelope__Output {
  'cluster': (string);
  'from': (number);
  'to': (number);
  'message': (Buffer);
}
