// Original file: proto/cluster.proto


export interface NodeViewRequest {
}

export interface NodeViewRequest__Output {
}
