// Original file: proto/fragments.proto


export interface FragmentHistory {
  'meta'?: (Buffer | Uint8Array | string);
  'base'?: (Buffer | Uint8Array | string);
  'records'?: (Buffer | Uint8Array | string)[];
}

export interface FragmentHistory__Output {
  'meta': (Buffer);
  'base': (Buffer);
  'records': (Buffer)[];
}
