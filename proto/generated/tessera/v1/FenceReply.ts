// Original file: proto/fragments.proto


export interface FenceReply {
  'fenceEpoch'?: (number);
}

export interface FenceReply__Output {
  'fenceEpoch': (number);
}
