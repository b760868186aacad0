import { H5File } from "@hyped/core/hdf5";
const f = await H5File.open("/tmp/f16.h5", { direct: false });
const a = f.read("/a"); console.log(a.data, f.readStats);
try { f.readStrings("/s"); } catch (e) { console.log(String(e)); }
