// Original file: proto/volumes.proto


export interface ScrubFinding {
  'index'?: (number);
  'kind'?: (string);
}

export interface ScrubFinding__Output {
  'index': (number);
  'kind': (string);
}
