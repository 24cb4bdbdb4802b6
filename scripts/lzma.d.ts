// The part of the `lzma` package (LZMA-JS, no types of its own) that the UMD build and its test use.
declare module "lzma" {
  /** LZMA-compresses `data` at `mode` 1–9 into the `.lzma` format; the result holds signed byte values. */
  export function compress(
    data: Uint8Array | string,
    mode: number,
    onFinish: (result: number[] | null, error?: unknown) => void,
  ): void;
}
