// Original file: proto/volumes.proto

import type { ScrubFinding as _tessera_v1_ScrubFinding, ScrubFinding__Output as _tessera_v1_ScrubFinding__Output } from '../../tessera/v1/ScrubFinding.js';

export interface VolumeScrubReply {
  'findings'?: (_tessera_v1_ScrubFinding)[];
  'repaired'?: (boolean);
}

export interface VolumeScrubReply__Output {
  'findings': (_tessera_v1_ScrubFinding__Output)[];
  'repaired': (boolean);
}
