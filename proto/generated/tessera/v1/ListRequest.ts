// Original file: proto/fragments.proto


export interface ListRequest {
  'volume'?: (string);
}

export interface ListRequest__Output {
  'volume': (string);
}
