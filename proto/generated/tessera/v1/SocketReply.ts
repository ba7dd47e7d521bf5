// Original file: proto/pipe.proto


export interface SocketReply {
  'port'?: (number);
}

export interface SocketReply__Output {
  'port': (number);
}
