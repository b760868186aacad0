/** Image metrics (public surface; the implementation is in impl.ts and kernel.ts). */
export { DTYPE_RANGE, type PsnrOptions, psnr, psnrDefaultRange, psnrFromMse, type SsimFull, type SsimOptions, ssim } from "./impl.js";
