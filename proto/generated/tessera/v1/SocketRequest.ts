// Original file: proto/pipe.proto


export interface SocketRequest {
}

export interface SocketRequest__Output {
}
