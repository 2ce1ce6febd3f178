// Go's syscall.Errno texts (Errno.Error() on Linux), so that an operation failing
// in Node reads as Docker's Go drivers report the same failure.

const GO_ERRNO: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  ECONNABORTED: 'software caused connection abort',
  EPIPE: 'broken pipe',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network is unreachable',
  EADDRNOTAVAIL: 'cannot assign requested address',
  EADDRINUSE: 'address already in use',
  EMSGSIZE: 'message too long',
  ENOTSOCK: 'socket operation on non-socket',
  EPROTOTYPE: 'protocol wrong type for socket',
  ENOBUFS: 'no buffer space available',
  ENOTCONN: 'socket is not connected',
  EAGAIN: 'resource temporarily unavailable',
};

/** Go's text for a Node error code (`ECONNREFUSED`), or undefined when it is not an errno Go names. */
export function goErrno(code: string | undefined): string | undefined {
  return GO_ERRNO[code ?? ''];
}

/** The Go text of a Node errno error, or its own message. */
export function goErrnoText(err: NodeJS.ErrnoException): string {
  return goErrno(err.code) ?? err.message;
}
