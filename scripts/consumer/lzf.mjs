// Reads an LZF .h5ad written by anndata 0.7.8 (argv[2]); prints its shape, or the error code and message.
import { readH5ad } from "@hyped/seq/anndata";

try {
  const ad = await readH5ad(process.argv[2]);
  console.log(JSON.stringify({ shape: [ad.obs.nRows, ad.var.nRows] }));
} catch (e) {
  console.log(JSON.stringify({ code: e.code, message: e.message }));
}
