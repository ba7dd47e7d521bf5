// Original file: proto/volumes.proto

import type { Version as _tessera_v1_Version, Version__Output as _tessera_v1_Version__Output } from '../../tessera/v1/Version.js';

export interface FragmentPiece {
  'index'?: (number);
  'version'?: (_tessera_v1_Version | null);
}

export interface FragmentPiece__Output {
  'index': (number);
  'version': (_tessera_v1_Version__Output | null);
}
