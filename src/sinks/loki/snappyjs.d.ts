// snappyjs ships no types. Given a Buffer it returns a Buffer (its Node.js mode).
declare module 'snappyjs' {
  function compress<T extends Uint8Array | ArrayBuffer>(input: T): T;
  function uncompress<T extends Uint8Array | ArrayBuffer>(input: T, maxLength?: number): T;
  const snappy: { compress: typeof compress; uncompress: typeof uncompress };
  export default snappy;
  export { compress, uncompress };
}
